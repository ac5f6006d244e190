"""The app's pages: the honor code as posted (every version), and the accept endpoint of the gate's placeholder."""
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from honorcode_xblock import api
from honorcode_xblock.exceptions import HonorCodeError, NotFound


@require_GET
def policy_page(request, number=None):
    """
    Show one published honor code version (the one in force when ``number`` is omitted) and the list of versions.

    Returns 404 for a version that does not exist or is not published.
    """
    try:
        context = api.policy_page(number)
    except NotFound as error:
        raise Http404(str(error)) from error
    return render(request, "honorcode_xblock/policy.html", context)


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
