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
  or revoked.
- ``org.openedx.learning.certificate.render.started.v1`` (``CertificateRenderStarted``): a revoked certificate is
  shown as revoked.
- ``org.openedx.learning.student.login.requested.v1`` (``StudentLoginRequested``): a terminated account cannot sign
  in.
- ``org.openedx.learning.instructor.dashboard.tabs.requested.v1`` (``InstructorDashboardTabsRequested``): the
  instructor dashboard MFE gets an "Honor code cases" tab.

The steps parse what the filter hands them, call ``api`` and render.
"""
import hashlib
import logging

from crum import get_current_request
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from edx_django_utils.cache import RequestCache
from openedx_filters import PipelineStep
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from openedx_filters.learning.filters import (
    CertificateCreationRequested,
    CertificateRenderStarted,
    RenderXBlockStarted,
    StudentLoginRequested,
)
from web_fragments.fragment import Fragment

from honorcode_xblock import api
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
    """The pending change notice (marked shown as it is rendered), or ""."""
    notice = api.change_notice(user, course_key)
    if notice is None:
        return ""
    return render("html/notice.html", {"notice": notice, "notice_date": format_date(notice["date"]), "dom_id": dom_id})


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
            "accept_url": api.accept_url(course_key, user),
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

    def run_filter(self, context, student_view_context):  # pylint: disable=arguments-differ
        block = context.get("block")
        if block is None:
            return {"context": context, "student_view_context": student_view_context}
        user = api.current_user()
        course_key = api.withholds(block, user, student_view_context)
        if course_key is not None:
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

    def run_filter(self, block, context):  # pylint: disable=arguments-differ
        user = api.current_user()
        course_key = api.withholds(block, user, context)
        if course_key is not None:
            return {"block": _Standin(block, placeholder_html(user, course_key)), "context": context}
        notice = self._notice_for(block, user)
        if notice:
            return {"block": _Standin(block, notice, child_too=True), "context": context}
        return {"block": block, "context": context}

    @staticmethod
    def _notice_for(block, user):
        if user is None:
            return ""
        course_key = api.course_key_for_block(block)
        if course_key is None or not api.gate_state(user, course_key).notice_pending:
            return ""
        return _notice_html(user, course_key, "hc-notice-" + hashlib.sha1(str(course_key).encode()).hexdigest()[:8])


class WithholdCertificate(PipelineStep):
    """
    ``CertificateCreationRequested``: no certificate for a learner who never accepted the honor code of a gated
    course.

    ``lms/djangoapps/certificates/generation_handler.py`` runs the filter with ``user``, ``course_key``, ``mode``,
    ``status``, ``grade`` and ``generation_mode`` before it creates a certificate, and creates none when
    ``PreventCertificateCreation`` is raised.
    """

    def run_filter(self, user, course_key, mode, status, grade, generation_mode):  # pylint: disable=arguments-differ
        if api.certificate_blocked_by_sanction(user, course_key):
            raise CertificateCreationRequested.PreventCertificateCreation(
                _("The certificate is withheld by an honor code determination."),
            )
        if api.certificate_withheld(user, course_key):
            raise CertificateCreationRequested.PreventCertificateCreation(
                _("The learner has not accepted the honor code of this course."),
            )
        return {"user": user, "course_key": course_key, "mode": mode, "status": status, "grade": grade,
                "generation_mode": generation_mode}


class RefuseTerminatedLogin(PipelineStep):
    """
    ``StudentLoginRequested``: a learner whose use of the site was terminated cannot sign in.

    ``openedx/core/djangoapps/user_authn/views/login.py`` ``login_user`` runs the filter with ``user`` once the
    credentials are checked, and answers ``PreventLogin``'s message instead of signing in.
    """

    def run_filter(self, user):  # pylint: disable=arguments-differ
        if api.account_terminated(user):
            raise StudentLoginRequested.PreventLogin(
                _("Your use of this site was terminated following an honor code determination."),
                error_code="honorcode-account-terminated",
            )
        return {"user": user}


class ShowRevokedCertificate(PipelineStep):
    """
    ``CertificateRenderStarted``: a certificate revoked by a determination is shown as revoked.

    ``lms/djangoapps/certificates/views/webview.py`` ``render_html_view`` runs the filter with the page's ``context``
    (whose ``accomplishment_user_id`` is the certificate holder's id and ``course_id`` the course) and
    ``custom_template``, and returns ``RenderCustomResponse``'s response instead of the certificate.
    """

    def run_filter(self, context, custom_template):  # pylint: disable=arguments-differ
        user_id = context.get("accomplishment_user_id")
        try:
            course_key = CourseKey.from_string(str(context.get("course_id", "")))
        except InvalidKeyError:
            return {"context": context, "custom_template": custom_template}
        if user_id and api.certificate_revoked(user_id, course_key):
            page = render_to_string("honorcode_xblock/certificate_revoked.html", {
                "course_name": context.get("accomplishment_copy_course_name") or str(course_key),
                "policy_url": api.policy_url(),
            })
            raise CertificateRenderStarted.RenderCustomResponse(
                _("This certificate was revoked."), response=HttpResponse(page, status=410),
            )
        return {"context": context, "custom_template": custom_template}


class AddCasesTab(PipelineStep):
    """
    ``InstructorDashboardTabsRequested``: the instructor dashboard MFE gets an "Honor code cases" tab for course
    staff, linking to the server-rendered case pages.

    ``lms/djangoapps/instructor/views/serializers_v2.py`` ``CourseInformationSerializerV2.get_tabs`` runs the filter
    with ``tabs`` (dicts with ``tab_id``, ``title``, ``url`` and ``sort_order``), ``user`` and ``course_key``.
    """

    def run_filter(self, tabs, user, course_key):  # pylint: disable=arguments-differ
        tabs = list(tabs or [])
        if api.is_course_staff(user, course_key) and not any(tab.get("tab_id") == "honorcode" for tab in tabs):
            tabs.append({
                "tab_id": "honorcode",
                "title": str(_("Honor code cases")),
                "url": api.staff_cases_url(course_key, absolute=True),
                "sort_order": 1000,
            })
        return {"tabs": tabs, "user": user, "course_key": course_key}
