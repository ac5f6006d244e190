"""
openedx-filters pipeline steps: the gate inside the courseware and the certificate rule.

Installed by the plugin settings into ``OPEN_EDX_FILTERS_CONFIG`` (see ``settings/common.py``):

- ``org.openedx.learning.xblock.render.started.v1`` (``RenderXBlockStarted``, the unit iframe of the learning MFE
  and the mobile apps): a graded block is replaced by the gate's placeholder, which carries the honor code and an
  accept form.
- ``org.openedx.learning.vertical_block_child.render.started.v1`` (``VerticalBlockChildRenderStarted``): each
  graded child of a unit is replaced by the placeholder (the first one carries the honor code, the others a line),
  and a pending change notice is shown above the unit's first child.
- ``org.openedx.learning.certificate.creation.requested.v1`` (``CertificateCreationRequested``): no certificate
  for a learner who never accepted the honor code of a gated course, or whose certificate a determination withheld
  or revoked. Only the learner's own request is refused with an exception; every other caller gets the certificate
  written as unavailable, without an exception that would stop it.
- ``org.openedx.learning.student.login.requested.v1`` (``StudentLoginRequested``): a terminated account cannot sign
  in.
- ``org.openedx.learning.instructor.dashboard.tabs.requested.v1`` (``InstructorDashboardTabsRequested``): the
  instructor dashboard MFE gets an "Honor code cases" tab.

The steps parse what the filter hands them, call ``api`` and render. openedx-filters hands each step the whole
output of the steps before it as keyword arguments, so every step takes ``**kwargs``: another plugin's step that
returns a key of its own must not break ours.
"""
import hashlib
import logging

from crum import get_current_request
from django.middleware.csrf import get_token
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from edx_django_utils.cache import RequestCache
from openedx_filters import PipelineStep
from openedx_filters.learning.filters import (
    CertificateCreationRequested,
    RenderXBlockStarted,
    StudentLoginRequested,
)
from web_fragments.fragment import Fragment

from honorcode_xblock import api, links
from honorcode_xblock.exceptions import NoPolicyPublished
from honorcode_xblock.rendering import format_date, pledge_html, render, static_text

log = logging.getLogger(__name__)
_REQUEST_CACHE = "honorcode.filters"


def _next_url():
    request = get_current_request()
    return request.get_full_path() if request is not None else "/"


def _csrf_token():
    request = get_current_request()
    return get_token(request) if request is not None else ""


def _notice_html(user, course_key, dom_id):
    """The pending change notice, or "": rendered for the learner's own visit, then marked shown (a step of its own)."""
    notice = api.change_notice(user, course_key)
    if notice is None:
        return ""
    html = render("html/notice.html", {"notice": notice, "notice_date": format_date(notice.date), "dom_id": dom_id})
    api.mark_change_notice_shown(user, course_key, notice)
    return html


def _visit(user, course_key):
    """
    The learner's own visit to a course: their gate state, after recording their agreement by continued use where
    the honor code or the course's terms changed since they last agreed (the change rule's explicit step).
    """
    state = api.gate_state(user, course_key)
    if state.continued_use_due:
        state = api.record_continued_use(user, course_key)
    return state


def placeholder_html(user, course_key, inline_assets=False):
    """
    The HTML that stands in for withheld graded content: the honor code and an accept form the first time in a
    request, one line after that.
    """
    request_cache = RequestCache(_REQUEST_CACHE)
    seen_key = f"placeholder:{course_key}"
    first = not request_cache.get_cached_response(seen_key).is_found
    request_cache.set(seen_key, True)
    dom_id = "hc-gate-" + hashlib.sha1(str(course_key).encode("utf-8")).hexdigest()[:8]
    context = {"first": first, "dom_id": dom_id, "notice_html": ""}
    if first:
        try:
            view = api.learner_view(course_key, user)
        except NoPolicyPublished:
            view = None
        context.update({
            "view": view,
            "pledge_html": pledge_html(view, dom_id, scroll=True) if view else "",
            "accept_url": links.accept_url(course_key, user),
            "csrf_token": _csrf_token(),
            "next_url": _next_url(),
            "notice_html": _notice_html(user, course_key, dom_id),
        })
    html = render("html/placeholder.html", context)
    if inline_assets:
        html = f"<style>{static_text('css/honorcode.css')}</style>{html}"
    return html


class _Standin:
    """
    What a unit renders in place of a child: the child's identity (``location``, ``scope_ids`` and the rest) with
    other HTML, and the child's own output after it when ``child_too``.
    """

    def __init__(self, child, html, child_too=False):
        self._child = child
        self._html = html
        self._child_too = child_too

    def __getattr__(self, name):
        return getattr(self._child, name)

    def render(self, view, context=None):
        """The stand-in HTML (and the child's fragment when kept), with the package's CSS once per request."""
        request_cache = RequestCache(_REQUEST_CACHE)
        styled = request_cache.get_cached_response("styled").is_found
        request_cache.set("styled", True)
        style = "" if styled else f"<style>{static_text('css/honorcode.css')}</style>"
        fragment = Fragment(f"{style}{self._html}")
        if self._child_too:
            child_fragment = self._child.render(view, context)
            fragment.add_content(child_fragment.content)
            fragment.add_fragment_resources(child_fragment)
        return fragment


class WithholdGradedUnit(PipelineStep):
    """
    ``RenderXBlockStarted``: render the placeholder instead of a graded block the learner may not see yet.

    ``lms/djangoapps/courseware/views/views.py`` ``render_xblock`` passes ``context`` (with ``block`` and
    ``course``) and ``student_view_context``, and shows ``RenderCustomResponse.response`` as the page's fragment.
    """

    def run_filter(self, context, student_view_context, **kwargs):  # pylint: disable=arguments-differ
        block = context.get("block")
        if block is None:
            return {"context": context, "student_view_context": student_view_context}
        user = api.current_user()
        course_key = api.course_key_for_block(block)
        if course_key is not None and _visit(user, course_key).withhold_graded and api.is_graded(
                block, student_view_context):
            raise RenderXBlockStarted.RenderCustomResponse(
                message=_("Graded content withheld until the honor code is accepted."),
                response=placeholder_html(user, course_key, inline_assets=True),
            )
        return {"context": context, "student_view_context": student_view_context}


class WithholdGradedChild(PipelineStep):
    """
    ``VerticalBlockChildRenderStarted``: put the placeholder in place of each graded child the learner may not see
    yet, and the pending change notice above the unit's first child.

    ``xmodule/vertical_block.py`` ``VerticalBlock._student_or_public_view`` renders the ``block`` this step returns
    (``child.render(view, context)``) and lists it by ``child.location``.
    """

    def run_filter(self, block, context, **kwargs):  # pylint: disable=arguments-differ
        user = api.current_user()
        course_key = api.course_key_for_block(block)
        if course_key is None:
            return {"block": block, "context": context}
        state = _visit(user, course_key)
        if state.withhold_graded and api.is_graded(block, context):
            return {"block": _Standin(block, placeholder_html(user, course_key)), "context": context}
        if state.notice_pending and user is not None:
            dom_id = "hc-notice-" + hashlib.sha1(str(course_key).encode()).hexdigest()[:8]
            notice = _notice_html(user, course_key, dom_id)
            if notice:
                return {"block": _Standin(block, notice, child_too=True), "context": context}
        return {"block": block, "context": context}


class WithholdCertificate(PipelineStep):
    """
    ``CertificateCreationRequested``: no certificate for a learner the honor code withholds it from (a determination
    withholds or revokes it, or the learner never accepted in a course that gates its graded content).

    ``lms/djangoapps/certificates/generation_handler.py`` ``_generate_certificate_task`` runs the filter with
    ``user``, ``course_key``, ``mode``, ``status``, ``grade`` and ``generation_mode``, synchronously, in whatever
    called it, and hands the ``status`` the filter returns to the ``generate_certificate`` task. A
    ``PreventCertificateCreation`` becomes ``CertificateGenerationNotAllowed``, which only some callers catch: the
    instructor's "Generate certificates" run (``instructor_task/tasks_helper/certs.py``) calls in a loop without a
    ``try``, so one refusal would end the run for every learner after. So:

    - the learner's own request (``generation_mode == "self"``, ``courseware/views/views.py`` ``generate_user_cert``,
      which answers the exception's message with a 400) is refused with a message saying why;
    - every other caller (the instructor's run, the grade-change receiver, management commands) gets the status
      ``unavailable`` instead: the certificate is written unavailable, no exception leaves the step, and the run goes
      on for the others (``_generate_certificate_task`` does the same with ``unverified`` for learners without an ID
      verification).

    ``api.answer_certificate_request`` records each refusal for course staff and the learner to see, and ends a hold
    left from before when the certificate is issued; the certificate is asked for again when nothing withholds it.
    An unexpected error there, in its own savepoint, withholds quietly in a course that uses the honor code (logged,
    recorded, asked for again by the sweep) and never in one that does not. A learner on the certificate
    allowlist gets no exception either: the platform swallows it on that path and would answer as if it were granted.
    """

    def run_filter(self, user, course_key, mode, status, grade, generation_mode, **kwargs):  # pylint: disable=arguments-differ
        reason = api.answer_certificate_request(user, course_key)
        if reason is None:
            return {}
        if generation_mode == "self" and api.certificate_refusal_reaches_learner(user, course_key):
            raise CertificateCreationRequested.PreventCertificateCreation(str(REFUSALS[reason]))
        return {"status": api.withheld_certificate_status()}


#: What the learner who asks for a withheld certificate is told, by the reason it is withheld.
REFUSALS = {
    api.HoldReason.DETERMINATION: gettext_lazy(
        "Your certificate in this course is withheld by an honor code determination. Your honor code record says "
        "more."),
    api.HoldReason.NOT_ACCEPTED: gettext_lazy(
        "Your certificate is withheld until you accept the honor code of this course. Accept it in the course, then "
        "ask for the certificate again."),
    api.HoldReason.CHECK_FAILED: gettext_lazy(
        "Your certificate could not be checked against the honor code just now. It is asked for again shortly; you "
        "can also try again later."),
}


class RefuseTerminatedLogin(PipelineStep):
    """
    ``StudentLoginRequested``: a learner whose use of the site was terminated cannot sign in.

    ``openedx/core/djangoapps/user_authn/views/login.py`` ``login_user`` runs the filter after looking the account up
    by the email typed and before checking the password, and shows ``PreventLogin``'s message to whoever typed the
    email. So the step tells why only to someone who proved they hold the account:

    - a password sign-in with the account's password (an unusable password, which the termination sets, never
      matches; the platform then answers "Email or password is incorrect." exactly as for any wrong password, and
      counts the failure);
    - a single sign-on (third-party authentication, no password field): the identity provider authenticated them.

    Anyone else (a wrong password, an email alone) gets the platform's own answer for a wrong password.
    """

    def run_filter(self, user, **kwargs):  # pylint: disable=arguments-differ
        if user is None or not api.account_terminated(user):
            return {}
        if api.sign_in_proves_account(get_current_request(), user):
            raise StudentLoginRequested.PreventLogin(
                _("Your use of this site was terminated following an honor code determination."),
                error_code="honorcode-account-terminated",
            )
        return {}


class AddCasesTab(PipelineStep):
    """
    ``InstructorDashboardTabsRequested``: the instructor dashboard MFE gets an "Honor code cases" tab for course
    staff, linking to the server-rendered case pages.

    ``lms/djangoapps/instructor/views/serializers_v2.py`` ``CourseInformationSerializerV2.get_tabs`` runs the filter
    with ``tabs`` (dicts with ``tab_id``, ``title``, ``url`` and ``sort_order``), ``user`` and ``course_key``.
    """

    def run_filter(self, tabs, user, course_key, **kwargs):  # pylint: disable=arguments-differ
        tabs = list(tabs or [])
        if api.is_course_staff(user, course_key) and not any(tab.get("tab_id") == "honorcode" for tab in tabs):
            tabs.append({
                "tab_id": "honorcode",
                "title": str(_("Honor code cases")),
                "url": links.staff_cases_url(course_key, absolute=True),
                "sort_order": 1000,
            })
        return {"tabs": tabs}
