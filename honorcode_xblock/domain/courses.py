"""
Course terms and settings: what an author saves in Studio (terms, collaboration permissions, acceptance mode, gate
settings), adopted from the block's fields for a course imported or re-run, and the course terms a learner accepts.
"""
import logging
from dataclasses import dataclass, replace

from django.db import transaction
from django.utils.translation import gettext as _
from opaque_keys.edx.keys import UsageKey

from honorcode_xblock import policy
from honorcode_xblock.domain import access, common, gate
from honorcode_xblock.exceptions import InvalidInput, NotPermitted
from honorcode_xblock.models import AcceptanceMode, CourseSettings, CourseTerms
from honorcode_xblock.platform import get_platform
from honorcode_xblock.sanitize import clean_html

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Assignment:
    """An assignment on which collaboration is permitted, as learners see it."""

    usage_key: str
    label: str


def assignment_of(entry):
    label = entry.get("note") or entry.get("name") or entry["usage_key"]
    return Assignment(usage_key=entry["usage_key"], label=label)


def studio_values(course_key):
    """
    The course's honor code settings as the author edits them, or None when the app has no record of the course.

    Returns:
        dict with ``course_terms`` (HTML), ``collaboration`` (the editor's text form) and the settings named in
        ``SETTINGS_FIELDS``.
    """
    course_settings = CourseSettings.objects.for_course(course_key)
    if course_settings is None:
        return None
    terms = CourseTerms.objects.current(course_key)
    return {
        "course_terms": terms.body if terms else "",
        "collaboration": policy.format_collaboration(terms.collaboration if terms else []),
        **_settings_snapshot(course_settings),
    }


@dataclass(frozen=True)
class CourseSettingsValues:
    """A course author's settings, checked and cleaned (and, once saved, the course terms version they make)."""

    display_name: str
    #: The course terms, sanitized.
    terms_html: str
    #: The assignments permitting collaboration: dicts with ``usage_key``, ``note`` and the platform's ``name``.
    collaboration: list
    #: The same, in the editor's text form.
    collaboration_text: str
    acceptance_mode: str
    gate_graded_content: bool
    staff_exempt: bool
    reaccept_after_material_change: bool
    #: The course's current terms version once saved (None before, or for a course without terms).
    terms_version: int = None


def validate_course_settings(course_key, *, terms_html, collaboration_text, acceptance_mode, gate_graded_content,
                             display_name=None, staff_exempt=True, reaccept_after_material_change=True):
    """
    Check a course author's settings.

    Returns:
        CourseSettingsValues
    Raises:
        InvalidInput: with a message for each field in error.
    """
    errors = {}
    if display_name is not None:
        if not isinstance(display_name, str) or not display_name.strip():
            errors["display_name"] = [_("Give the component a display name.")]
        elif len(display_name.strip()) > policy.MAX_DISPLAY_NAME_LENGTH:
            errors["display_name"] = [_("The display name must be at most {limit} characters.").format(
                limit=policy.MAX_DISPLAY_NAME_LENGTH)]
        else:
            display_name = display_name.strip()
    if not isinstance(terms_html, str):
        errors["course_terms"] = [_("The course terms must be text.")]
    elif len(terms_html) > policy.MAX_TERMS_LENGTH:
        errors["course_terms"] = [_("The course terms are longer than {limit} characters.").format(
            limit=policy.MAX_TERMS_LENGTH)]
    entries = []
    if not isinstance(collaboration_text, str):
        errors["collaboration"] = [_("The collaboration list must be text, one assignment per line.")]
    else:
        entries, collab_errors = policy.parse_collaboration(collaboration_text, course_key)
        entries, name_errors = _named_assignments(entries)
        if collab_errors or name_errors:
            errors["collaboration"] = collab_errors + name_errors
    if acceptance_mode not in AcceptanceMode.values:
        errors["acceptance_mode"] = [_("Choose how learners accept: {choices}.").format(
            choices=", ".join(AcceptanceMode.values))]
    for name, value in (("gate_graded_content", gate_graded_content), ("staff_exempt", staff_exempt),
                        ("reaccept_after_material_change", reaccept_after_material_change)):
        if not isinstance(value, bool):
            errors[name] = [_("This setting must be on or off.")]
    if errors:
        raise InvalidInput(errors)
    return CourseSettingsValues(
        display_name=display_name,
        terms_html=clean_html(terms_html),
        collaboration=entries,
        collaboration_text=policy.format_collaboration(entries),
        acceptance_mode=acceptance_mode,
        gate_graded_content=gate_graded_content,
        staff_exempt=staff_exempt,
        reaccept_after_material_change=reaccept_after_material_change,
    )


def _named_assignments(entries):
    """Attach each assignment's display name from the platform; an unknown block is an error."""
    named, errors = [], []
    platform = get_platform()
    for entry in entries:
        name = platform.assignment_name(UsageKey.from_string(entry.usage_key))
        if name is None:
            errors.append(_("{key} is not an assignment of this course.").format(key=entry.usage_key))
            continue
        named.append({**entry.as_dict(), **({"name": name} if name else {})})
    return named, errors


def save_course_settings(course_key, *, terms_html, collaboration_text, acceptance_mode, gate_graded_content,
                         actor, display_name=None, staff_exempt=True, reaccept_after_material_change=True):
    """
    Store a course's terms and settings, as saved by its author in Studio.

    Terms that differ from the current ones become the course's next terms version; identical terms add nothing.

    Returns:
        CourseSettingsValues, with the ``terms_version`` they make current (int or None).
    Raises:
        NotPermitted: ``actor`` may not edit the course.
        InvalidInput: with a message for each field in error; nothing is stored then.
    """
    if not access.can_edit_course(actor, course_key):
        raise NotPermitted(_("Only the course team can change the honor code settings of this course."))
    cleaned = validate_course_settings(
        course_key, terms_html=terms_html, collaboration_text=collaboration_text, acceptance_mode=acceptance_mode,
        gate_graded_content=gate_graded_content, display_name=display_name, staff_exempt=staff_exempt,
        reaccept_after_material_change=reaccept_after_material_change,
    )
    return replace(cleaned, terms_version=_store_course_settings(course_key, cleaned, actor))


def adopt_block_settings(course_key, *, terms_html, collaboration_text, acceptance_mode, gate_graded_content,
                         staff_exempt=True, reaccept_after_material_change=True):
    """
    Take a course's settings from its block's own fields when the app has no record of the course yet.

    A course imported from OLX or re-run carries its Honor Code block's fields but no rows in the app's tables; the
    first render adopts them (recorded in the audit with no actor). Invalid imported values are skipped and logged.

    Returns:
        True when settings were adopted.
    """
    if CourseSettings.objects.for_course(course_key) is not None:
        return False
    try:
        cleaned = validate_course_settings(
            course_key, terms_html=terms_html, collaboration_text=collaboration_text, acceptance_mode=acceptance_mode,
            gate_graded_content=gate_graded_content, staff_exempt=staff_exempt,
            reaccept_after_material_change=reaccept_after_material_change,
        )
    except InvalidInput as error:
        log.warning("Honor code settings of %s not adopted from the course content: %s", course_key, error)
        return False
    _store_course_settings(course_key, cleaned, actor=None, only_if_new=True)
    return True


def _store_course_settings(course_key, cleaned, actor, only_if_new=False):
    """Write validated settings under the course's lock; returns the current terms version (or None)."""
    _row, created = CourseSettings.objects.ensure(course_key)
    if only_if_new and not created:
        return None
    with transaction.atomic():
        course_settings = CourseSettings.objects.locked(course_key)
        current_terms = CourseTerms.objects.current(course_key)
        if policy.terms_changed(current_terms, cleaned.terms_html, cleaned.collaboration):
            current_terms = CourseTerms.objects.add_version(
                course_key, body=cleaned.terms_html, collaboration=cleaned.collaboration, created_by=actor,
            )
            common.record(actor, "course_terms.created", current_terms, course_key=course_key, after={
                "version": current_terms.version, "collaboration": current_terms.collaboration,
                "body_length": len(current_terms.body),
            })
        before = None if created else _settings_snapshot(course_settings)
        for name in SETTINGS_FIELDS:
            setattr(course_settings, name, getattr(cleaned, name))
        after = _settings_snapshot(course_settings)
        if before != after:
            course_settings.save()
            common.record(actor, "course_settings.changed", course_settings, course_key=course_key,
                    before=before, after=after)
    gate.forget_all_states()
    return current_terms.version if current_terms else None


#: The course settings an author edits in Studio.
SETTINGS_FIELDS = ("acceptance_mode", "gate_graded_content", "staff_exempt", "reaccept_after_material_change")


def _settings_snapshot(course_settings):
    return {name: getattr(course_settings, name) for name in SETTINGS_FIELDS}


def terms_to_accept(course_key):
    """The course's current terms; a course with none gets an empty version 1 (every acceptance names one)."""
    terms, created = CourseTerms.objects.first_version(course_key)
    if created:
        common.record(None, "course_terms.created", terms, course_key=course_key,
                      after={"version": 1, "body_length": 0})
    return terms


def course_uses_honor_code(course_key):
    """Whether the course uses the honor code: its settings were saved in Studio or adopted from its content."""
    return CourseSettings.objects.for_course(course_key) is not None
