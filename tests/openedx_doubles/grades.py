"""
``lms.djangoapps.grades``: the subsection-grade override API and the freeze of a course's grades.

Read from openedx-platform @ e57a655d77b614f19223984e9805b1fb940ab192:

- ``lms/djangoapps/grades/api.py`` ``override_subsection_grade``: looks the subsection grade up (``get_subsection_grade``)
  and creates it when there is none (``_create_subsection_grade``: ``CourseRunNotFound`` for an unknown course, a bare
  ``Exception('Subsection with given usage_key does not exist.')``, ``User.DoesNotExist``); then
  ``update_or_create_override`` and ``SUBSECTION_OVERRIDE_CHANGED`` (a recalculation task). Returns None. It never checks
  whether grades are frozen: in a frozen course the override is stored and the recalculation task returns at once
  (``grades/tasks.py`` ``_recalculate_subsection_grade``), so the course grade never changes.
- ``undo_override_subsection_grade(user_id, course_key_or_id, usage_key_or_id, feature='')``: returns quietly when there
  is no grade (``ObjectDoesNotExist``) or no override; deletes the override when ``feature`` is empty, the override's
  ``system`` is empty, or they are equal; otherwise returns without a signal.
- ``grades/models_api.py`` ``get_subsection_grade_override``: raises ``PersistentSubsectionGrade.DoesNotExist`` (an
  ``ObjectDoesNotExist``) when the learner has no subsection grade, returns None when the grade has no override.
- ``grades/models.py`` ``PersistentSubsectionGradeOverride.update_or_create_override``: one override per grade; an
  update rewrites every field (``earned_all_override`` is the ``earned_all`` passed, even None; the ``possible_*`` the
  grade's; ``system`` the feature; ``override_reason`` the comment).
- ``grades/grade_utils.py`` ``are_grades_frozen(course_key)``: the course waffle flag
  ``grades.enforce_freeze_grade_after_course_end`` is on, the course has an end, and ``GRADEBOOK_FREEZE_DAYS`` (30)
  have passed since (the double: ``fake.frozen_courses``).
- ``grades/constants.py`` ``GradeOverrideFeatureEnum`` (read at the nearest stored version; same in every one).
"""
import types
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone


class PersistentSubsectionGradeDoesNotExist(ObjectDoesNotExist):
    """Mirrors ``PersistentSubsectionGrade.DoesNotExist``."""


class CourseRunNotFound(Exception):
    """Mirrors ``lms.djangoapps.courseware.exceptions.CourseRunNotFound``."""


def key_of(key_or_id, key_class):
    """As ``lms/djangoapps/utils.py`` ``_get_key``: a key object from a key or its string."""
    return key_class.from_string(key_or_id) if isinstance(key_or_id, str) else key_or_id


def grades_modules(fake):
    """``lms.djangoapps.grades.api``, ``.constants`` and ``.grade_utils`` over ``fake``'s grades."""
    from opaque_keys.edx.keys import CourseKey, UsageKey  # pylint: disable=import-outside-toplevel

    grades = types.ModuleType("lms.djangoapps.grades.api")

    def get_subsection_grade(user_id, course_key_or_id, usage_key_or_id):
        usage_key = key_of(usage_key_or_id, UsageKey)
        grade = fake.subsection_grades.get((user_id, str(usage_key)))
        if grade is None:
            raise PersistentSubsectionGradeDoesNotExist("PersistentSubsectionGrade matching query does not exist.")
        return grade

    def get_subsection_grade_override(user_id, course_key_or_id, usage_key_or_id):
        get_subsection_grade(user_id, course_key_or_id, usage_key_or_id)  # raises when there is no grade
        return fake.grade_overrides.get((user_id, str(key_of(usage_key_or_id, UsageKey))))

    def _create_subsection_grade(user_id, course_key, usage_key):
        if str(course_key) not in fake.courses:
            raise CourseRunNotFound(course_key)
        if usage_key not in fake.blocks:  # ``course.get_child(usage_key)``
            raise Exception("Subsection with given usage_key does not exist.")  # pylint: disable=broad-exception-raised
        get_user_model().objects.get(id=user_id)  # User.DoesNotExist, as the real one
        return fake.add_subsection_grade(user_id, usage_key)

    def _recalculate(user_id, course_key, usage_key, deleted):
        fake.grade_signals.append({"user_id": user_id, "course_id": str(course_key), "usage_id": str(usage_key),
                                   "only_if_higher": False, "score_deleted": deleted, "score_db_table": "overrides"})
        if str(course_key) not in fake.frozen_courses:  # ``_recalculate_subsection_grade`` returns when frozen
            fake.recalculations.append((user_id, str(usage_key)))

    def override_subsection_grade(user_id, course_key_or_id, usage_key_or_id, overrider=None, earned_all=None,
                                  earned_graded=None, feature="PROCTORING", comment=None):
        course_key = key_of(course_key_or_id, CourseKey)
        usage_key = key_of(usage_key_or_id, UsageKey)
        try:
            grade = get_subsection_grade(user_id, usage_key.course_key, usage_key)
        except ObjectDoesNotExist:
            grade = _create_subsection_grade(user_id, course_key, usage_key)
        existing = fake.grade_overrides.get((user_id, str(usage_key)))
        now = timezone.now()
        fake.grade_overrides[(user_id, str(usage_key))] = SimpleNamespace(  # update_or_create: every field rewritten
            grade=grade, requesting_user=overrider, system=feature, override_reason=comment,
            earned_all_override=earned_all, earned_graded_override=earned_graded,
            possible_all_override=grade.possible_all, possible_graded_override=grade.possible_graded,
            created=existing.created if existing is not None else now, modified=now,
        )
        _recalculate(user_id, course_key, usage_key, deleted=False)

    def undo_override_subsection_grade(user_id, course_key_or_id, usage_key_or_id, feature=""):
        course_key = key_of(course_key_or_id, CourseKey)
        usage_key = key_of(usage_key_or_id, UsageKey)
        try:
            override = get_subsection_grade_override(user_id, course_key, usage_key)
        except ObjectDoesNotExist:
            return
        if override is not None and (not feature or not override.system or feature == override.system):
            del fake.grade_overrides[(user_id, str(usage_key))]
        else:
            return
        _recalculate(user_id, course_key, usage_key, deleted=True)

    grades.get_subsection_grade = get_subsection_grade
    grades.get_subsection_grade_override = get_subsection_grade_override
    grades.override_subsection_grade = override_subsection_grade
    grades.undo_override_subsection_grade = undo_override_subsection_grade
    constants = types.ModuleType("lms.djangoapps.grades.constants")
    constants.GradeOverrideFeatureEnum = SimpleNamespace(
        proctoring="PROCTORING", gradebook="GRADEBOOK", grade_import="grade-import")
    grade_utils = types.ModuleType("lms.djangoapps.grades.grade_utils")
    grade_utils.are_grades_frozen = lambda course_key: str(course_key) in fake.frozen_courses
    return {"lms.djangoapps.grades.api": grades, "lms.djangoapps.grades.constants": constants,
            "lms.djangoapps.grades.grade_utils": grade_utils}
