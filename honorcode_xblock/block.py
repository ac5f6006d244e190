"""
The Honor Code XBlock: learners read the honor code in the courseware and accept it; authors set the course's terms.

The block is an entry point: it resolves the user and course through the platform layer, calls ``api`` and renders.
Nothing here touches a model.
"""
import hashlib
import json
import logging

from django.template import Context, Engine
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from web_fragments.fragment import Fragment
from webob import Response
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Boolean, Scope, String
from xblock.utils.resources import ResourceLoader

from honorcode_xblock import api
from honorcode_xblock.exceptions import HonorCodeError, InvalidInput, NoPolicyPublished
from honorcode_xblock.models import AcceptanceMode
from honorcode_xblock.platform import get_platform
from honorcode_xblock.policy import format_collaboration
from honorcode_xblock.sanitize import clean_html

log = logging.getLogger(__name__)
loader = ResourceLoader(__name__)
TEMPLATE_ENGINE = Engine(libraries={"i18n": "django.templatetags.i18n"}, autoescape=True)


def _format_date(value):
    """A localized date ("Nov. 25, 2026") for a datetime, in the site's time zone."""
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT") if value else ""


@XBlock.needs("i18n")
@XBlock.wants("user")
@XBlock.supports("multi_device")
class HonorCodeXBlock(XBlock):
    """
    The honor code in a course: its text, the course's own terms, and the learner's acceptance.

    Acceptances are stored by the honor code app (``honorcode_xblock.api``) against the exact policy and course-terms
    versions, not in XBlock user state.
    """

    public_dir = "static"
    has_author_view = True
    completion_mode = XBlockCompletionMode.COMPLETABLE
    has_custom_completion = True
    editable_fields = ("display_name", "course_terms", "collaboration", "acceptance_mode", "gate_graded_content")

    display_name = String(
        display_name=gettext_noop("Display name"),
        help=gettext_noop("The name learners see for this component in the course navigation."),
        scope=Scope.settings,
        default=gettext_noop("Honor Code"),
    )
    course_terms = String(
        display_name=gettext_noop("Additional terms for this course"),
        help=gettext_noop("Terms that apply in this course on top of the site's honor code (HTML allowed)."),
        scope=Scope.settings,
        default="",
        multiline_editor="html",
    )
    collaboration = String(
        display_name=gettext_noop("Assignments where collaboration is permitted"),
        help=gettext_noop(
            "One assignment per line: its usage key, optionally followed by | and a note for learners."
        ),
        scope=Scope.settings,
        default="",
        multiline_editor=True,
    )
    acceptance_mode = String(
        display_name=gettext_noop("How learners accept"),
        help=gettext_noop("A checkbox and button, or typing their full name as a signature."),
        scope=Scope.settings,
        default=AcceptanceMode.CHECKBOX,
        values=[
            {"value": AcceptanceMode.CHECKBOX, "display_name": gettext_noop("Checkbox and button")},
            {"value": AcceptanceMode.SIGNATURE, "display_name": gettext_noop("Typed full name (signature)")},
        ],
    )
    gate_graded_content = Boolean(
        display_name=gettext_noop("Gate graded content until accepted"),
        help=gettext_noop("Learners cannot see or submit graded content in this course until they accept."),
        scope=Scope.settings,
        default=False,
    )

    # --- context -------------------------------------------------------------------------------------------------

    @property
    def _xblock_user(self):
        service = self.runtime.service(self, "user")
        return service.get_current_user() if service else None

    def _current_user(self):
        xblock_user = self._xblock_user
        return get_platform().user_from_xblock_user(xblock_user) if xblock_user else None

    def _course_key(self):
        return get_platform().course_key_for_block(self)

    @property
    def _in_studio_preview(self):
        """True when Studio renders the block for its authors: nobody can accept there."""
        return bool(getattr(self.runtime, "is_author_mode", False))

    def _dom_id(self):
        return "hc-" + hashlib.sha1(str(self.scope_ids.usage_id).encode("utf-8")).hexdigest()[:10]

    # --- views ---------------------------------------------------------------------------------------------------

    def student_view(self, context=None):
        """The honor code, the course's terms and the accept control (or the confirmation)."""
        return self._render_learner_view(preview=self._in_studio_preview)

    def author_view(self, context=None):
        """Studio's preview of the block, with how many learners accepted which versions."""
        return self._render_learner_view(preview=True, show_counts=True)

    def _render_learner_view(self, preview, show_counts=False):
        course_key = self._course_key()
        user = None if preview else self._current_user()
        if not show_counts and user is not None and course_key is not None:
            show_counts = get_platform().is_course_staff(self._xblock_user, user, course_key)
        context = {
            "dom_id": self._dom_id(),
            "display_name": self.display_name,
            "preview": preview,
            "anonymous": user is None and not preview,
            "error": "",
            "counts": None,
            "cannot_accept_reason": "",
        }
        if course_key is None:
            context["error"] = _("The honor code can only be accepted inside a course.")
        else:
            try:
                context.update(self._honor_code_context(course_key, user))
            except NoPolicyPublished as error:
                context["error"] = str(error)
            if show_counts:
                context["counts"] = api.acceptance_counts(course_key)
        if preview:
            context["cannot_accept_reason"] = _("This is a preview. Learners accept the honor code in the course.")
        elif context["anonymous"]:
            context["cannot_accept_reason"] = _("Sign in to accept the honor code.")
        return self._fragment("html/student_view.html", context, "js/honorcode.js", "HonorCodeXBlock", {
            "accepted": bool(context.get("acceptance")),
            "messages": {
                "saving": _("Recording your acceptance…"),
                "network_error": _("Your acceptance could not be sent. Check your connection and try again."),
            },
        })

    def _honor_code_context(self, course_key, user):
        honor_code = api.course_honor_code(course_key)
        acceptance = api.current_acceptance(user, course_key) if user is not None else None
        terms = honor_code.terms
        return {
            "policy": honor_code.policy,
            "policy_html": clean_html(honor_code.policy.body),
            "last_updated": _format_date(honor_code.policy.published_at),
            "terms_html": clean_html(terms.body) if terms else "",
            "terms_version": terms.version if terms else None,
            "collaboration": list(terms.collaboration) if terms else [],
            "signature_mode": honor_code.settings.acceptance_mode == AcceptanceMode.SIGNATURE,
            "acceptance": acceptance,
            "confirmation": self._confirmation_text(acceptance) if acceptance else "",
        }

    @staticmethod
    def _confirmation_text(acceptance):
        return _(
            "You accepted version {version} of the honor code (last updated {updated}) and version {terms} of "
            "this course's terms on {accepted}."
        ).format(
            version=acceptance.policy_version.number,
            updated=_format_date(acceptance.policy_version.published_at),
            terms=acceptance.course_terms.version,
            accepted=_format_date(acceptance.accepted_at),
        )

    def studio_view(self, context=None):
        """The author's editor: display name, course terms, collaboration permissions, acceptance mode, gate."""
        context = {
            "dom_id": self._dom_id(),
            "fields": self._studio_values(),
            "modes": self.fields["acceptance_mode"].values,
        }
        return self._fragment("html/studio_view.html", context, "js/studio.js", "HonorCodeStudio", {
            "messages": {
                "saving": _("Saving…"),
                "saved": _("Settings saved."),
                "invalid": _("The settings were not saved. Correct the fields marked below."),
                "network_error": _("The settings could not be sent. Check your connection and try again."),
                "title": _("Unable to update settings"),
            },
        })

    def _studio_values(self):
        """
        The values the editor starts from: the course's terms and settings as the app holds them (what learners see),
        or the block's own fields for a course the app has no record of yet (e.g. just imported).
        """
        values = {name: getattr(self, name) for name in self.editable_fields}
        course_key = self._course_key()
        if course_key is None:
            return values
        try:
            honor_code = api.course_honor_code(course_key)
        except NoPolicyPublished:
            return values
        if honor_code.terms is not None:
            values["course_terms"] = honor_code.terms.body
            values["collaboration"] = format_collaboration(honor_code.terms.collaboration)
        if honor_code.settings.pk is not None:
            values["acceptance_mode"] = honor_code.settings.acceptance_mode
            values["gate_graded_content"] = honor_code.settings.gate_graded_content
        return values

    def _fragment(self, template, context, script, init_fn, init_args):
        fragment = Fragment(self._render(template, context))
        fragment.add_css_url(self.runtime.local_resource_url(self, "static/css/honorcode.css"))
        fragment.add_javascript_url(self.runtime.local_resource_url(self, f"static/{script}"))
        fragment.initialize_js(init_fn, init_args)
        return fragment

    @staticmethod
    def _render(template, context):
        return TEMPLATE_ENGINE.from_string(loader.load_unicode(f"static/{template}")).render(Context(context))

    # --- mobile --------------------------------------------------------------------------------------------------

    def student_view_data(self, context=None):
        """
        The block's data for the mobile apps (see ``docs/native_api.md``).

        Returns the policy in force, the course's terms and collaboration permissions, the acceptance mode, whether
        the requesting learner has accepted, and the handler that records an acceptance.
        """
        course_key = self._course_key()
        data = {"display_name": self.display_name, "accept_handler": "accept", "policy": None}
        if course_key is None:
            return data
        try:
            context = self._honor_code_context(course_key, self._current_user())
        except NoPolicyPublished:
            return data
        acceptance = context["acceptance"]
        data.update({
            "policy": {
                "version": context["policy"].number,
                "title": context["policy"].title,
                "body_html": context["policy_html"],
                "last_updated": context["policy"].published_at.isoformat(),
            },
            "course_terms": {"version": context["terms_version"], "body_html": context["terms_html"]},
            "collaboration": context["collaboration"],
            "acceptance_mode": AcceptanceMode.SIGNATURE if context["signature_mode"] else AcceptanceMode.CHECKBOX,
            "accepted": acceptance is not None,
            "accepted_at": acceptance.accepted_at.isoformat() if acceptance else None,
        })
        return data

    # --- handlers ------------------------------------------------------------------------------------------------

    @XBlock.json_handler
    def accept(self, data, suffix=""):
        """
        Record the learner's acceptance: ``{"confirmed": true}`` or, in signature mode, ``{"signature": "Full Name"}``.

        Returns ``{"accepted": true, "created": bool, "policy_version", "terms_version", "accepted_at",
        "message"}``; errors are JSON ``{"error": message, "errors": {field: [messages]}}`` with 400 or 403.
        """
        if not isinstance(data, dict):
            raise JsonHandlerError(400, _("Send a JSON object."))
        if self._in_studio_preview:
            raise JsonHandlerError(403, _("This is a preview. Learners accept the honor code in the course."))
        course_key = self._course_key()
        if course_key is None:
            raise JsonHandlerError(400, _("The honor code can only be accepted inside a course."))
        try:
            acceptance, created = api.accept(
                self._current_user(), course_key,
                confirmed=data.get("confirmed") is True,
                signature=data.get("signature") if isinstance(data.get("signature"), str) else "",
                block_id=str(self.scope_ids.usage_id),
            )
        except HonorCodeError as error:
            raise _json_error(error) from error
        self.runtime.publish(self, "completion", {"completion": 1.0})
        return {
            "accepted": True,
            "created": created,
            "policy_version": acceptance.policy_version.number,
            "terms_version": acceptance.course_terms.version,
            "accepted_at": acceptance.accepted_at.isoformat(),
            "message": self._confirmation_text(acceptance),
        }

    @XBlock.json_handler
    def studio_submit(self, data, suffix=""):
        """
        Save the author's settings: validated, stored by the app for the course, then on the block's fields.

        Returns ``{"result": "success"}``, or 400 ``{"error": summary, "errors": {field: [messages]}}``.
        """
        if not isinstance(data, dict):
            raise JsonHandlerError(400, _("Send a JSON object."))
        course_key = self._course_key()
        if course_key is None:
            raise JsonHandlerError(400, _("The honor code can only be used inside a course."))
        xblock_user = self._xblock_user
        actor = get_platform().user_from_xblock_user(xblock_user) if xblock_user else None
        try:
            cleaned = api.save_course_settings(
                course_key,
                display_name=data.get("display_name", self.display_name),
                terms_html=data.get("course_terms", ""),
                collaboration_text=data.get("collaboration", ""),
                acceptance_mode=data.get("acceptance_mode", AcceptanceMode.CHECKBOX),
                gate_graded_content=data.get("gate_graded_content", False),
                actor=actor,
            )
        except HonorCodeError as error:
            raise _json_error(error) from error
        self.display_name = cleaned["display_name"]
        self.course_terms = cleaned["terms_html"]
        self.collaboration = format_collaboration(cleaned["collaboration"])
        self.acceptance_mode = cleaned["acceptance_mode"]
        self.gate_graded_content = cleaned["gate_graded_content"]
        return {"result": "success", "terms_version": cleaned["terms_version"]}

    # --- workbench -----------------------------------------------------------------------------------------------

    @staticmethod
    def workbench_scenarios():
        """The demo course unit: the pledge, an ungraded reading and a graded quiz."""
        return [
            ("Honor code: demo course unit", loader.load_unicode("static/html/demo_scenario.xml")),
            ("Honor code: the block on its own (Studio editor)", '<honorcode display_name="Honor Code"/>'),
        ]


def _json_error(error):
    """A JsonHandlerError carrying the domain error's message (and per-field messages, when there are some)."""
    body = {"error": str(error)}
    if isinstance(error, InvalidInput):
        body["errors"] = {field: [str(msg) for msg in msgs] for field, msgs in error.errors.items()}
    return _JsonError(error.status_code, body)


class _JsonError(JsonHandlerError):
    """JsonHandlerError whose body is a whole JSON object, not only ``{"error": message}``."""

    def __init__(self, status_code, body):
        super().__init__(status_code, body["error"])
        self.body = body

    def get_response(self, **kwargs):
        return Response(
            json.dumps(self.body), status_code=self.status_code, content_type="application/json", charset="utf-8",
            **kwargs,
        )
