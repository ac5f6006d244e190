"""
The "Honor code cases" course tab: the way course staff reach the course's cases from the courseware, whatever
instructor dashboard the site runs (the legacy one gets a section through ``context_api``, the instructor dashboard
MFE a tab through ``filters.AddCasesTab`` where the platform runs that filter).

Registered under the LMS's ``openedx.course_tab`` entry point as ``honorcode_xblock.course_tab:HonorCodeCasesTab``.
The class is made on first use, because its base is the platform's ``CourseTab``.
"""
from functools import lru_cache

from django.urls import reverse
from django.utils.translation import gettext_noop

from honorcode_xblock import api


@lru_cache(maxsize=None)
def cases_tab_class():
    """The tab class, on the platform's course tab base."""

    class HonorCodeCasesTab(api.course_tab_base()):
        """"Honor code cases": the course's case pages, for its course team."""

        type = "honorcode_cases"
        title = gettext_noop("Honor code cases")
        priority = 310  # after the instructor dashboard's tab (300)
        is_dynamic = True
        is_default = False
        course_staff_only = True

        def __init__(self, tab_dict):
            # ``CourseTab.__init__`` takes ``course_staff_only`` from the tab's dict (False when absent)
            super().__init__({"course_staff_only": True, **tab_dict})

        @property
        def link_func(self):
            """The course's cases page (``reverse_func`` is the LMS's ``reverse``)."""
            def link(course, reverse_func=reverse):
                return reverse_func("honorcode:cases", args=[str(course.id)])
            return link

        @classmethod
        def is_enabled(cls, course, user=None):
            """Shown to the course team only (the same check as the case pages', cached for a few minutes)."""
            return bool(user is not None and user.is_authenticated and api.is_course_staff(user, course.id))

    return HonorCodeCasesTab


def __getattr__(name):
    """``HonorCodeCasesTab``, made when the LMS's course-tab plugin manager loads the entry point."""
    if name == "HonorCodeCasesTab":
        return cases_tab_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
