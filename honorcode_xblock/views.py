"""
The app's pages: the honor code as posted (every version), the accept endpoint of the gate's placeholder, the
course staff's case pages and the learner's own record. Server-rendered, plain forms with CSRF tokens.
"""
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from honorcode_xblock import api, links
from honorcode_xblock.api import CaseStatus, Commitment, Finding, SanctionKind
from honorcode_xblock.csv_export import csv_chunks, csv_response
from honorcode_xblock.exceptions import Conflict, HonorCodeError, InvalidInput, NotFound, NotPermitted


@require_GET
def policy_page(request, number=None):
    """
    Show one published honor code version (the one in force when ``number`` is omitted) and the list of versions.

    Returns 404 for a version that does not exist or is not published.
    """
    try:
        page = api.policy_page(number)
    except NotFound as error:
        raise Http404(str(error)) from error
    return render(request, "honorcode_xblock/policy.html", vars(page))


@require_POST
def accept_view(request, course_id):
    """
    Accept the honor code of a course from the gate's placeholder (a plain form POST, CSRF-protected).

    Form fields: ``confirmed`` (checkbox mode) or ``signature`` (signature mode), the ``policy_version`` and
    ``terms_version`` shown, and ``next`` (where to go back to). Redirects to ``next`` once accepted; otherwise shows
    what went wrong with a way back, with a 4xx status.
    """
    back = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = "/"
    try:
        course_key = CourseKey.from_string(course_id)
    except InvalidKeyError:
        course_key = None
    if course_key is None or not api.course_uses_honor_code(course_key):
        return _problem(request, _("There is no honor code to accept in course {course_id}.").format(
            course_id=course_id), back, 404)
    try:
        api.accept(
            api.user_for_request(request), course_key,
            confirmed=request.POST.get("confirmed") in ("true", "on"),
            signature=request.POST.get("signature", ""),
            block_id="gate",
            policy_version=_form_int(request.POST.get("policy_version")),
            terms_version=_form_int(request.POST.get("terms_version")),
        )
    except HonorCodeError as error:
        return _problem(request, str(error), back, error.status_code)
    return HttpResponseRedirect(back, status=303)


def _form_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _problem(request, message, back, status):
    return render(request, "honorcode_xblock/problem.html", {"message": message, "back": back}, status=status)


# --- staff pages: cases, evidence, determinations, sanctions ---------------------------------------------------------

def _signed_in(request):
    """The signed-in user of a staff page (a real session: never the demo's ``?student=``), or None."""
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated and user.is_active else None


def _course_key_or_404(course_id):
    """
    The course key in a staff page's URL. A malformed one is the app's ``NotFound``, which ``staff_page`` shows on its
    error page (Django's ``Http404`` would end on the site's 404 page, without the message).
    """
    try:
        return CourseKey.from_string(course_id)
    except InvalidKeyError as error:
        raise NotFound(_("{course_id} is not a course.").format(course_id=course_id)) from error


def staff_page(view):
    """
    Wrap a staff page: sign-in first (a redirect to ``LOGIN_URL``), and the app's errors as a page with their status.
    """
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = _signed_in(request)
        if user is None:
            return redirect_to_login(request.get_full_path())
        try:
            return view(request, user, *args, **kwargs)
        except NotFound as error:
            return _error_page(request, str(error), 404)
        except HonorCodeError as error:
            return _error_page(request, str(error), error.status_code)
    return wrapper


def _error_page(request, message, status):
    return render(request, "honorcode_xblock/staff/error.html", {"message": message}, status=status)


@require_GET
@staff_page
def cases_page(request, user, course_id):
    """A course's cases, filtered by status, commitment and respondent."""
    course_key = _course_key_or_404(course_id)
    filters = {name: request.GET.get(name, "").strip() for name in ("status", "commitment", "respondent")}
    try:
        cases = api.list_cases(user, course_key, **filters)
    except InvalidInput as error:
        return render(request, "honorcode_xblock/staff/cases.html", _cases_context(course_key, [], filters, error),
                      status=400)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    return render(request, "honorcode_xblock/staff/cases.html", _cases_context(course_key, page, filters))


def _cases_context(course_key, page, filters, error=None):
    return {
        "course_key": course_key, "page": page, "filters": filters, "error": error,
        "statuses": CaseStatus.choices, "commitments": Commitment.choices,
    }


@require_http_methods(["GET", "POST"])
@staff_page
def new_case(request, user, course_id):
    """The form that opens a case (respondents by username, commitment, assignment, description, time)."""
    course_key = _course_key_or_404(course_id)
    api.require_course_staff(user, course_key)
    form = {"respondents": "", "commitment": "", "usage_key": "", "description": "", "conduct_at": ""}
    if request.method == "POST":
        form = {name: request.POST.get(name, "") for name in form}
        try:
            case = api.open_case(user, course_key, respondents=form["respondents"], commitment=form["commitment"],
                                 usage_key=form["usage_key"], description=form["description"],
                                 conduct_at=_form_datetime(form["conduct_at"]))
        except InvalidInput as error:
            return render(request, "honorcode_xblock/staff/new_case.html", {
                "course_key": course_key, "form": form, "errors": error.errors, "commitments": Commitment.choices,
            }, status=400)
        return HttpResponseRedirect(links.case_url(case.pk), status=303)
    return render(request, "honorcode_xblock/staff/new_case.html", {
        "course_key": course_key, "form": form, "errors": {}, "commitments": Commitment.choices,
    })


def _form_datetime(value):
    """A ``datetime-local`` field's value, in the site's time zone (None when empty)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:  # well formed but impossible, such as month 13
        parsed = None
    if parsed is None:
        raise InvalidInput({"conduct_at": [_("Give the date and time as YYYY-MM-DD HH:MM.")]})
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _case_page(request, user, case_id, errors=None, status=200, form=None):
    found = api.case_file(user, case_id)
    return render(request, "honorcode_xblock/staff/case.html", {
        "file": found, "case": found.case, "errors": errors or {}, "form": form or {},
        "sanction_kinds": SanctionKind.choices, "findings": Finding.choices, "statuses": CaseStatus.choices,
        "next_sequence": len(found.determinations) + 1, "evidence_limits": api.evidence_limits(),
        "can_determine": found.case.status in (CaseStatus.OPEN, CaseStatus.UNDER_REVIEW),
    }, status=status)


@require_GET
@staff_page
def case_page(request, user, case_id):
    """One case: respondents, evidence, determinations, sanction states (with retry and revert) and audit trail."""
    return _case_page(request, user, case_id)


def _post_on_case(request, user, case_id, action):
    """Run a form's action on a case; back to the case page, or the page again with the errors."""
    try:
        action()
    except InvalidInput as error:
        return _case_page(request, user, case_id, errors=error.errors, status=400, form=request.POST.dict())
    except (Conflict, NotPermitted) as error:
        return _case_page(request, user, case_id, errors={"__all__": [str(error)]}, status=error.status_code,
                          form=request.POST.dict())
    return HttpResponseRedirect(links.case_url(case_id), status=303)


@require_POST
@staff_page
def case_evidence(request, user, case_id):
    """Add evidence (text and/or a file) to a case."""
    return _post_on_case(request, user, case_id, lambda: api.add_evidence(
        user, case_id, text=request.POST.get("text", ""), upload=request.FILES.get("file")))


@require_POST
@staff_page
def case_status(request, user, case_id):
    """Move a case to another status (review, reopen, close)."""
    return _post_on_case(request, user, case_id, lambda: api.change_case_status(
        user, case_id, request.POST.get("status", ""), note=request.POST.get("note", "")))


@require_POST
@staff_page
def case_determine(request, user, case_id):
    """Determine a case: finding, rationale and sanctions (checkboxes; "other" with its description)."""
    chosen = [{"kind": kind, "details": request.POST.get(f"details_{kind}", "")}
              for kind in request.POST.getlist("sanctions")]
    return _post_on_case(request, user, case_id, lambda: api.determine(
        user, case_id, finding=request.POST.get("finding", ""), rationale=request.POST.get("rationale", ""),
        sanctions_requested=chosen, expected_sequence=_form_int(request.POST.get("expected_sequence"))))


@require_POST
@staff_page
def sanction_retry(request, user, sanction_id):
    """Retry a failed sanction."""
    sanction = api.get_sanction(user, sanction_id)
    case_id = sanction.determination.case_id
    return _post_on_case(request, user, case_id, lambda: api.retry_sanction(user, sanction_id))


@require_POST
@staff_page
def sanction_revert(request, user, sanction_id):
    """Revert a sanction, with a reason."""
    sanction = api.get_sanction(user, sanction_id)
    case_id = sanction.determination.case_id
    return _post_on_case(request, user, case_id, lambda: api.revert_sanction(
        user, sanction_id, reason=request.POST.get(f"reason_{sanction_id}", "") or request.POST.get("reason", "")))


@require_GET
@staff_page
def evidence_download(request, user, evidence_id):
    """An evidence file, as an attachment (never rendered by the browser)."""
    item = api.evidence_file(user, evidence_id)
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise NotFound(_("The file of this evidence is no longer in storage.")) from error
    response = FileResponse(handle, as_attachment=True, filename=item.filename or "evidence",
                            content_type=item.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
@staff_page
def cases_csv(request, user, course_id):
    """A course's cases as a streaming CSV file."""
    course_key = _course_key_or_404(course_id)
    return csv_response(csv_chunks(api.case_rows(user, course_key)), f"honorcode-cases-{course_key.course}.csv")


# --- suspected multiple accounts -------------------------------------------------------------------------------------

def _suspected_pairs(request, user, course_key, errors=None, status=200):
    found = api.suspected_pairs(user, course_key)
    return render(request, "honorcode_xblock/staff/suspected_pairs.html", {
        "course_key": course_key, "found": found, "errors": errors or {},
        "notice": request.GET.get("queued") == "1" and not errors,
    }, status=status)


@require_GET
@staff_page
def suspected_pairs_page(request, user, course_id):
    """A course's suspected multiple accounts: pairs ranked by score with their evidence, and prevention advice."""
    return _suspected_pairs(request, user, _course_key_or_404(course_id))


@require_POST
@staff_page
def run_detection(request, user, course_id):
    """Queue a detection run for the course ("Run detection")."""
    course_key = _course_key_or_404(course_id)
    try:
        api.queue_detection(user, course_key)
    except InvalidInput as error:
        return _suspected_pairs(request, user, course_key, errors=error.errors, status=400)
    except Conflict as error:
        return _suspected_pairs(request, user, course_key, errors={"__all__": [str(error)]}, status=409)
    return HttpResponseRedirect(links.suspected_pairs_url(course_key) + "?queued=1", status=303)


@require_POST
@staff_page
def case_from_pair(request, user, pair_id):
    """Open a case from a suspected pair (its master and every harvester of it); on to the new case."""
    try:
        case = api.open_case_from_pair(user, pair_id)
    except (InvalidInput, Conflict) as error:
        messages = error.errors if isinstance(error, InvalidInput) else {"__all__": [str(error)]}
        try:
            course_key = CourseKey.from_string(request.POST.get("course_id", ""))
        except InvalidKeyError:
            return _error_page(request, str(error), error.status_code)
        return _suspected_pairs(request, user, course_key, errors=messages, status=error.status_code)
    return HttpResponseRedirect(links.case_url(case.pk), status=303)


# --- the learner's own record ----------------------------------------------------------------------------------------

@require_GET
def my_record(request):
    """
    "My honor code record": the versions the learner accepted and the determinations about them, only their own.

    The signed-in learner's (a session, never the demo's ``?student=``): a record is nobody else's to read.
    """
    user = _signed_in(request)
    if user is None:
        return redirect_to_login(request.get_full_path())
    return render(request, "honorcode_xblock/my_record.html", {"user": user, **vars(api.learner_record(user))})
