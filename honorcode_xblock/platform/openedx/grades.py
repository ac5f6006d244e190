"""
Zero credit through the grades API's subsection overrides, and the assignments it applies to.

Part of :class:`honorcode_xblock.platform.openedx.OpenEdxPlatform`: edx-platform is imported lazily inside each
method, and each method names the edx-platform call it wraps.
"""


from honorcode_xblock.platform.base import course_key_of


class Grades:
    """Zero credit through the grades API's subsection overrides, and the assignments it applies to."""

    #: The ``feature`` (stored as ``system``) of the grade overrides this app makes, so undoing one never removes
    #: an override proctoring or the gradebook made.
    GRADE_OVERRIDE_FEATURE = "honorcode"

    def _usage_in_course(self, course_key, usage_key):
        from opaque_keys import InvalidKeyError  # pylint: disable=import-outside-toplevel
        from opaque_keys.edx.keys import UsageKey  # pylint: disable=import-outside-toplevel

        try:
            key = UsageKey.from_string(str(usage_key))
        except InvalidKeyError:
            return None
        return key if course_key_of(key) == course_key else None

    def assignment_name_in_course(self, course_key, usage_key):
        """The usage key parsed (``opaque_keys``) and in ``course_key``, then :meth:`assignment_name`."""
        key = self._usage_in_course(course_key, usage_key)
        return self.assignment_name(key) if key is not None else None

    def graded_assignment(self, course_key, usage_key):
        """
        ``xmodule.modulestore.django.modulestore().get_item(usage_key)`` and its ``get_parent()`` up to the
        subsection (``sequential``), which must be ``graded``: the grades API overrides subsection grades.
        """
        from xmodule.modulestore.django import modulestore  # pylint: disable=import-error,import-outside-toplevel
        from xmodule.modulestore.exceptions import (
            ItemNotFoundError,  # pylint: disable=import-error,import-outside-toplevel
        )

        key = self._usage_in_course(course_key, usage_key)
        if key is None:
            return None
        try:
            block = modulestore().get_item(key)
        except ItemNotFoundError:
            return None
        while block is not None and block.location.block_type != "sequential":
            block = block.get_parent()
        if block is None or not getattr(block, "graded", False):
            return None
        return str(block.location)

    def override_grade_to_zero(self, user, course_key, usage_key, actor, comment):
        """
        ``lms.djangoapps.grades.api.override_subsection_grade(user_id, course_key, usage_key, overrider=actor,
        earned_all=0, earned_graded=0, feature="honorcode", comment=...)``: creates the subsection grade if the
        learner has none, and queues the recalculation (``SUBSECTION_OVERRIDE_CHANGED``). Repeating it updates the
        same override.

        A subsection grade holds one override (``PersistentSubsectionGradeOverride.update_or_create_override``): an
        override another feature made first (proctoring, the gradebook) is read with
        ``grades.api.get_subsection_grade_override`` and kept in the returned reference, so the undo restores it.
        """
        from django.core.exceptions import ObjectDoesNotExist  # pylint: disable=import-outside-toplevel
        from lms.djangoapps.grades import api as grades_api  # pylint: disable=import-error,import-outside-toplevel

        try:
            existing = grades_api.get_subsection_grade_override(user.pk, course_key, usage_key)
        except ObjectDoesNotExist:  # no subsection grade yet: nothing to keep
            existing = None
        ref = {"usage_key": str(usage_key)}
        if existing is not None and getattr(existing, "system", None) != self.GRADE_OVERRIDE_FEATURE:
            ref["previous"] = {  # any other override, one with no ``system`` (an older tool's) included
                "system": existing.system or "",
                "earned_all": getattr(existing, "earned_all_override", None),
                "earned_graded": getattr(existing, "earned_graded_override", None),
                "comment": getattr(existing, "override_reason", None),
            }
        grades_api.override_subsection_grade(
            user.pk, course_key, usage_key, overrider=actor, earned_all=0, earned_graded=0,
            feature=self.GRADE_OVERRIDE_FEATURE, comment=comment,
        )
        return ref

    def undo_grade_override(self, user, course_key, usage_key, ref):
        """
        ``lms.djangoapps.grades.api.get_subsection_grade_override(user_id, course_key, usage_key)`` first: the undo
        removes this app's override only while it is still the subsection's. An override someone made after the
        sanction (the gradebook, proctoring, a grade import: its ``system`` is theirs, or empty) is left in place and
        named in the result; ``undo_override_subsection_grade`` would delete one whose ``system`` is empty, and
        putting back the override that was there before would overwrite it.

        Then ``undo_override_subsection_grade(user_id, course_key, usage_key, feature="honorcode")``, and an override
        another feature had made before the sanction is put back with ``override_subsection_grade(...,
        feature=<its system>)``. ``get_subsection_grade_override`` raises ``ObjectDoesNotExist`` when the learner has
        no subsection grade (nothing of the sanction is left then).
        """
        from django.core.exceptions import ObjectDoesNotExist  # pylint: disable=import-outside-toplevel
        from lms.djangoapps.grades import api as grades_api  # pylint: disable=import-error,import-outside-toplevel

        try:
            current = grades_api.get_subsection_grade_override(user.pk, course_key, usage_key)
        except ObjectDoesNotExist:
            current = None
        if current is None:
            return {"removed": False}
        if getattr(current, "system", None) != self.GRADE_OVERRIDE_FEATURE:
            modified = getattr(current, "modified", None)
            return {"removed": False, "left_in_place": {
                "system": current.system or "", "earned_all": getattr(current, "earned_all_override", None),
                "earned_graded": getattr(current, "earned_graded_override", None),
                "modified": modified.isoformat() if modified else None,
            }}
        grades_api.undo_override_subsection_grade(user.pk, course_key, usage_key, feature=self.GRADE_OVERRIDE_FEATURE)
        previous = (ref or {}).get("previous")
        if previous:
            grades_api.override_subsection_grade(
                user.pk, course_key, usage_key, earned_all=previous["earned_all"],
                earned_graded=previous["earned_graded"], feature=previous["system"], comment=previous["comment"],
            )
            return {"removed": True, "restored_override": previous["system"]}
        return {"removed": True}

    def grades_frozen(self, course_key):
        """
        ``lms.djangoapps.grades.grade_utils.are_grades_frozen(course_key)``: the course waffle flag
        ``grades.enforce_freeze_grade_after_course_end`` is on and ``GRADEBOOK_FREEZE_DAYS`` have passed since the
        course's end. ``override_subsection_grade`` does not check it: the override would be stored and the
        recalculation task would return without changing the grade.
        """
        from lms.djangoapps.grades.grade_utils import (
            are_grades_frozen,  # pylint: disable=import-error,import-outside-toplevel
        )

        return bool(are_grades_frozen(course_key))
