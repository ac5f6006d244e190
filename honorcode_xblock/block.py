"""
The Honor Code XBlock: learners read the honor code in the courseware and accept it; authors set the course's terms.

The block is an entry point: it calls ``api`` (which resolves users and courses through the platform layer) and
renders what it returns. Nothing here touches a model or the platform.
"""
import functools
import hashlib
import json
import logging

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from web_fragments.fragment import Fragment
from webob import Response
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Boolean, Scope, String

from honorcode_xblock import api, links
from honorcode_xblock.exceptions import HonorCodeError, InvalidInput, NoPolicyPublished
from honorcode_xblock.rendering import format_date as _format_date
from honorcode_xblock.rendering import pledge_html, render

log = logging.getLogger(__name__)


def _json_handler(func):
    """
    ``XBlock.json_handler``, answering a body nested deeper than Python's JSON parser can follow with the same 400 as
    any other invalid JSON: ``json`` raises ``RecursionError`` for it, which XBlock's decorator does not catch (a 500).
    """
    handler = XBlock.json_handler(func)

    @functools.wraps(handler)
    def wrapper(self, request, suffix=""):
        try:
            return handler(self, request, suffix)
        except RecursionError:  # raised by the decorator's ``json.loads``; the handlers themselves never recurse
            return JsonHandlerError(400, "Invalid JSON").get_response()
    return wrapper


#: The withheld certificates the block's staff view lists (the newest first).
STAFF_HOLDS_SHOWN = 50


@XBlock.wants("user")
@XBlock.supports("multi_device")
class HonorCodeXBlock(XBlock):
    """
    The honor code in a course: its text, the course's own terms, and the learner's acceptance.

    Acceptances are stored by the honor code app (``honorcode_xblock.api``) against the exact policy and course-terms
    versions, not in XBlock user state. The course's terms and settings are the app's (one set per course, written
    when an author saves this block in Studio); the block's own fields keep a copy in the course's OLX, which the
    app adopts for a course it has no record of (an import or a re-run).
    """

    public_dir = "static"
    has_author_view = True
    completion_mode = XBlockCompletionMode.COMPLETABLE
    has_custom_completion = True
    editable_fields = (
        "display_name", "course_terms", "collaboration", "acceptance_mode", "gate_graded_content", "staff_exempt",
        "reaccept_after_material_change",
    )

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
        default=api.AcceptanceMode.CHECKBOX,
        values=[
            {"value": api.AcceptanceMode.CHECKBOX, "display_name": gettext_noop("Checkbox and button")},
            {"value": api.AcceptanceMode.SIGNATURE, "display_name": gettext_noop("Typed full name (signature)")},
        ],
    )
    gate_graded_content = Boolean(
        display_name=gettext_noop("Gate graded content until accepted"),
        help=gettext_noop("Learners cannot see or submit graded content in this course until they accept."),
        scope=Scope.settings,
        default=False,
    )
    staff_exempt = Boolean(
        display_name=gettext_noop("Course staff are exempt from the gate"),
        help=gettext_noop("Course staff see graded content without accepting the honor code."),
        scope=Scope.settings,
        default=True,
    )
    reaccept_after_material_change = Boolean(
        display_name=gettext_noop("Ask for a new acceptance after a material change"),
        help=gettext_noop(
            "After a material change of the honor code, graded content stays gated until learners accept the new "
            "version. Minor changes never ask for a new acceptance."
        ),
        scope=Scope.settings,
        default=True,
    )
    completion_reported = Boolean(
        help="Whether completion was published for this learner (so it is published once).",
        scope=Scope.user_state,
        default=False,
    )

    # --- context -------------------------------------------------------------------------------------------------

    def _current_user(self):
        service = self.runtime.service(self, "user")
        return api.user_for_xblock_user(service.get_current_user() if service else None)

    @property
    def _in_studio_preview(self):
        """True when Studio renders the block for its authors: nobody can accept there."""
        return bool(getattr(self.runtime, "is_author_mode", False))

    def _dom_id(self):
        return "hc-" + hashlib.sha1(str(self.scope_ids.usage_id).encode("utf-8")).hexdigest()[:10]

    def _learner_view(self, course_key, user):
        """The app's view of the course, adopting this block's settings if the app has none for the course yet."""
        view = api.learner_view(course_key, user)
        if not view.configured and self._has_own_settings() and api.adopt_block_settings(
            course_key, terms_html=self.course_terms, collaboration_text=self.collaboration,
            acceptance_mode=self.acceptance_mode, gate_graded_content=self.gate_graded_content,
            staff_exempt=self.staff_exempt, reaccept_after_material_change=self.reaccept_after_material_change,
        ):
            view = api.learner_view(course_key, user)
        return view

    def _has_own_settings(self):
        return any(self.fields[name].is_set_on(self) for name in self.editable_fields if name != "display_name")

    def _report_completion(self, user):
        """Publish completion once for a learner who has accepted (here or in another block, app or device)."""
        if not self.completion_reported and not api.is_masquerading(user):
            self.runtime.publish(self, "completion", {"completion": 1.0})
            self.completion_reported = True
            self.save()

    # --- views ---------------------------------------------------------------------------------------------------

    def student_view(self, context=None):
        """The honor code, the course's terms and the accept control (or the confirmation)."""
        return self._render_learner_view(preview=self._in_studio_preview)

    def author_view(self, context=None):
        """Studio's preview of the block, with how many learners accepted which versions."""
        return self._render_learner_view(preview=True, show_counts=True)

    def _render_learner_view(self, preview, show_counts=False):
        course_key = api.course_key_for_block(self)
        user = None if preview else self._current_user()
        context = {
            "dom_id": self._dom_id(),
            "display_name": self.display_name,
            "preview": preview,
            "error": "",
            "view": None,
            "counts": None,
            "cannot_accept_reason": "",
        }
        if course_key is None:
            context["error"] = _("The honor code can only be accepted inside a course.")
        else:
            try:
                view = self._learner_view(course_key, user)
            except NoPolicyPublished as error:
                context["error"] = str(error)
            else:
                context.update(
                    view=view,
                    pledge_html=pledge_html(view, context["dom_id"], show_title=view.policy.title != self.display_name),
                    confirmation=self._confirmation_text(view.acceptance) if view.acceptance else "",
                )
                if view.acceptance is not None and not preview:
                    self._report_completion(user)
                context["my_hold"] = api.my_certificate_hold(user, course_key) if not preview else None
            if show_counts or api.is_course_staff(user, course_key):
                context["counts"] = api.acceptance_counts(course_key)
                if not preview:  # the case pages live in the LMS, not in Studio's preview
                    context["cases_url"] = links.staff_cases_url(course_key)
                    context["new_case_url"] = links.new_case_url(course_key)
                    try:
                        context["holds"] = api.certificate_holds(user, course_key, limit=STAFF_HOLDS_SHOWN)
                    except HonorCodeError:  # e.g. a course the platform does not list: no holds to show
                        context["holds"] = []
        if preview:
            context["cannot_accept_reason"] = _("This is a preview. Learners accept the honor code in the course.")
        elif user is None:
            context["cannot_accept_reason"] = _("Sign in to accept the honor code.")
        return self._fragment("html/student_view.html", context, "js/honorcode.js", "HonorCodeXBlock", {
            "messages": {
                "saving": _("Recording your acceptance…"),
                "network_error": _("Your acceptance could not be sent. Check your connection and try again."),
            },
        })

    @staticmethod
    def _confirmation_text(acceptance):
        if acceptance.method == api.AcceptanceMethod.CONTINUED_ACCESS:
            template = _(
                "By continuing to use the course you agreed to version {version} of the honor code (last updated "
                "{updated}) and version {terms} of this course's terms on {accepted}."
            )
        else:
            template = _(
                "You accepted version {version} of the honor code (last updated {updated}) and version {terms} of "
                "this course's terms on {accepted}."
            )
        return template.format(
            version=acceptance.policy_version.number,
            updated=_format_date(acceptance.policy_version.published_at),
            terms=acceptance.course_terms.version,
            accepted=_format_date(acceptance.accepted_at),
        )

    def studio_view(self, context=None):
        """The author's editor: display name, course terms, collaboration permissions, acceptance mode, gate."""
        values = {name: getattr(self, name) for name in self.editable_fields}
        course_key = api.course_key_for_block(self)
        if course_key is not None:
            values.update(api.studio_values(course_key) or {})
        switches = [
            ("gate_graded_content", _("Gate graded content until learners accept"), _(
                "When on, learners cannot see or submit graded content in this course until they have accepted the "
                "honor code.")),
            ("staff_exempt", _("Course staff are exempt from the gate"), ""),
            ("reaccept_after_material_change", _("Ask for a new acceptance after a material change"), _(
                "When the site publishes a material change, graded content stays gated until learners accept the "
                "new version. After a minor change learners are only told of it.")),
        ]
        context = {
            "dom_id": self._dom_id(),
            "fields": values,
            "modes": self.fields["acceptance_mode"].values,
            "switches": [{"name": name, "label": label, "help": help_text, "checked": values[name]}
                         for name, label, help_text in switches],
        }
        return self._fragment("html/studio_view.html", context, "js/studio.js", "HonorCodeStudio", {
            "messages": {
                "saving": _("Saving…"),
                "saved": _("Settings saved."),
                "invalid": _("The settings were not saved. Correct the fields marked below."),
                "network_error": _("The settings could not be sent. Check your connection and try again."),
            },
        })

    def _fragment(self, template, context, script, init_fn, init_args):
        fragment = Fragment(render(template, context))
        fragment.add_css_url(self.runtime.local_resource_url(self, "static/css/honorcode.css"))
        fragment.add_javascript_url(self.runtime.local_resource_url(self, "static/js/common.js"))
        fragment.add_javascript_url(self.runtime.local_resource_url(self, f"static/{script}"))
        fragment.initialize_js(init_fn, init_args)
        return fragment

    # --- mobile --------------------------------------------------------------------------------------------------

    def student_view_data(self, context=None):
        """
        The block's data for the mobile apps (see ``docs/native_api.md``): the same for every learner.

        The Course Blocks API collects it when the course is published, with no user; a learner's own state comes
        from the ``status`` handler.
        """
        data = {
            "display_name": self.display_name,
            "handlers": {"accept": "accept", "status": "status"},
            "policy": None,
        }
        course_key = api.course_key_for_block(self)
        if course_key is None:
            return data
        try:
            view = self._learner_view(course_key, None)
        except NoPolicyPublished:
            return data
        data.update({
            "policy": {
                "version": view.policy.number,
                "title": view.policy.title,
                "body_html": view.policy_html,
                "last_updated": view.policy.published_at.isoformat(),
            },
            "course_terms": {"version": view.terms_version, "body_html": view.terms_html},
            "collaboration": [{"usage_key": item.usage_key, "label": item.label} for item in view.collaboration],
            "acceptance_mode": view.acceptance_mode,
        })
        return data

    # --- handlers ------------------------------------------------------------------------------------------------

    @_json_handler
    def status(self, data, suffix=""):
        """
        The requesting learner's state: ``{"accepted", "policy_version", "terms_version", "accepted_at", "message"}``.

        ``policy_version`` and ``terms_version`` are the versions in force now (what an acceptance would record).
        """
        course_key = api.course_key_for_block(self)
        if course_key is None:
            raise JsonHandlerError(400, _("The honor code can only be accepted inside a course."))
        try:
            view = self._learner_view(course_key, self._current_user())
        except HonorCodeError as error:
            raise _json_error(error) from error
        acceptance = view.acceptance
        return {
            "accepted": acceptance is not None,
            "policy_version": view.policy.number,
            "terms_version": view.terms_version,
            "accepted_at": acceptance.accepted_at.isoformat() if acceptance else None,
            "message": self._confirmation_text(acceptance) if acceptance else "",
        }

    @_json_handler
    def accept(self, data, suffix=""):
        """
        Record the learner's acceptance: ``{"confirmed": true}`` or, in signature mode, ``{"signature": "Full Name"}``,
        with the ``policy_version`` and ``terms_version`` the learner was shown.

        Returns ``{"accepted": true, "created": bool, "policy_version", "terms_version", "accepted_at",
        "message"}``; errors are JSON ``{"error": message, "errors": {field: [messages]}}`` with 400, 403 or 409.
        """
        if not isinstance(data, dict):
            raise JsonHandlerError(400, _("Send a JSON object."))
        if self._in_studio_preview:
            raise JsonHandlerError(403, _("This is a preview. Learners accept the honor code in the course."))
        course_key = api.course_key_for_block(self)
        if course_key is None:
            raise JsonHandlerError(400, _("The honor code can only be accepted inside a course."))
        user = self._current_user()
        try:
            acceptance, created = api.accept(
                user, course_key,
                confirmed=data.get("confirmed") is True,
                signature=data.get("signature"),
                block_id=str(self.scope_ids.usage_id),
                policy_version=_optional_int(data.get("policy_version")),
                terms_version=_optional_int(data.get("terms_version")),
            )
        except HonorCodeError as error:
            raise _json_error(error) from error
        self._report_completion(user)
        return {
            "accepted": True,
            "created": created,
            "policy_version": acceptance.policy_version.number,
            "terms_version": acceptance.course_terms.version,
            "accepted_at": acceptance.accepted_at.isoformat(),
            "message": self._confirmation_text(acceptance),
        }

    @_json_handler
    def studio_submit(self, data, suffix=""):
        """
        Save the author's settings: validated, stored by the app for the course, then on the block's fields.

        A save changes only the fields it names (``editable_fields``); the others keep their stored values. An empty
        body or an unknown field is a 400 and changes nothing. Only the course team may save (403 otherwise).
        Returns ``{"result": "success", "terms_version"}``, or 400 ``{"error": summary, "errors": {field:
        [messages]}}``.
        """
        if not isinstance(data, dict):
            raise JsonHandlerError(400, _("Send a JSON object."))
        unknown = sorted(str(name) for name in data if name not in self.editable_fields)
        if unknown:
            raise _JsonError(400, {
                "error": _("Unknown settings: {names}. The settings are: {known}.").format(
                    names=", ".join(unknown[:10]), known=", ".join(self.editable_fields)),
                "errors": {name: [_("Unknown setting.")] for name in unknown[:10]},
            })
        if not data:
            raise JsonHandlerError(400, _("Send at least one setting to save."))
        course_key = api.course_key_for_block(self)
        if course_key is None:
            raise JsonHandlerError(400, _("The honor code can only be used inside a course."))
        values = {**self._stored_settings(course_key), **data}
        if values["display_name"] is None:  # Studio's editor sends null for a name left as it was
            values["display_name"] = self.display_name
        try:
            cleaned = api.save_course_settings(
                course_key,
                display_name=values["display_name"],
                terms_html=values["course_terms"],
                collaboration_text=values["collaboration"],
                acceptance_mode=values["acceptance_mode"],
                gate_graded_content=values["gate_graded_content"],
                staff_exempt=values["staff_exempt"],
                reaccept_after_material_change=values["reaccept_after_material_change"],
                actor=self._current_user(),
            )
        except HonorCodeError as error:
            raise _json_error(error) from error
        self.display_name = cleaned.display_name
        self.course_terms = cleaned.terms_html
        self.collaboration = cleaned.collaboration_text
        for name in api.SETTINGS_FIELDS:
            setattr(self, name, getattr(cleaned, name))
        return {"result": "success", "terms_version": cleaned.terms_version}

    def _stored_settings(self, course_key):
        """What a save keeps of the fields it does not name: the app's record of the course, else the block's fields."""
        stored = api.studio_values(course_key)
        if stored is None:
            stored = {name: getattr(self, name) for name in self.editable_fields if name != "display_name"}
        return {**stored, "display_name": self.display_name}

    # --- workbench -----------------------------------------------------------------------------------------------

    @staticmethod
    def workbench_scenarios():
        """The block on its own (its student, author and Studio views); the demo package adds a whole course."""
        return [("Honor code: the block on its own (Studio editor)", '<honorcode display_name="Honor Code"/>')]


def _optional_int(value):
    """``value`` if it is an int (not a bool), else None: version numbers the page sent back."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _json_error(error):
    """A JsonHandlerError carrying the domain error's message (and per-field messages, when there are some)."""
    body = {"error": str(error)}
    if isinstance(error, InvalidInput):
        body["errors"] = {name: [str(msg) for msg in msgs] for name, msgs in error.errors.items()}
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
