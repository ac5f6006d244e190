"""
The legacy instructor dashboard's plugin context (``view_context_config``, view name ``instructor_dashboard``).

``lms/djangoapps/instructor/views/instructor_dashboard.py`` ``instructor_dashboard_2`` passes its context to
``edx_django_utils.plugins.get_plugins_view_context``; a section is added by appending to the context's
``sections`` list in place (what the function returns lands under ``context["plugins"]``). The section's Mako
template is ``templates/mako/honorcode_xblock/honorcode.html`` (``plugin_settings`` adds the folder to
``MAKO_TEMPLATE_DIRS_BASE``).
"""
from django.utils.translation import gettext as _

from honorcode_xblock import api, links


def instructor_dashboard_context(context):
    """Add an "Honor code cases" section, linking to the course's case pages, for course staff."""
    course = context.get("course")
    course_key = getattr(course, "id", None)
    user = api.current_user()
    sections = context.get("sections")
    if course_key is None or sections is None or not api.is_course_staff(user, course_key):
        return {}
    if not any(section.get("section_key") == "honorcode" for section in sections):
        sections.append({
            "section_key": "honorcode",
            "section_display_name": _("Honor code cases"),
            "template_path_prefix": "/honorcode_xblock/",
            "cases_url": links.staff_cases_url(course_key),
            "new_case_url": links.new_case_url(course_key),
        })
    return {"cases_url": links.staff_cases_url(course_key)}
