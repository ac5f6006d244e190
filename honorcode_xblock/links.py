"""
The addresses of the product's pages, for the web layer (the block, the filter steps, the views, the course tab,
the instructor dashboard's section, the middleware's pages and the determination message). The domain builds no
URLs.
"""
from django.urls import reverse

from honorcode_xblock.platform import get_platform


def accept_url(course_key, user):
    """Where the gate's placeholder sends the accept form for ``user`` in ``course_key``."""
    url = reverse("honorcode:accept", kwargs={"course_id": str(course_key)})
    query = get_platform().accept_query(user)
    return f"{url}?{query}" if query else url


def policy_url(number=None, absolute=False):
    """The address of the honor code page (a version's, or the one in force); absolute for a message."""
    return _address(reverse("honorcode:policy_version", args=[number]) if number else reverse("honorcode:policy"),
                    absolute)


def record_url(absolute=False):
    """The address of the learner's own honor code record."""
    return _address(reverse("honorcode:my_record"), absolute)


def staff_cases_url(course_key, absolute=False):
    """The address of a course's case list (absolute for links leaving the LMS, such as the dashboard MFE's)."""
    return _address(reverse("honorcode:cases", kwargs={"course_id": str(course_key)}), absolute)


def new_case_url(course_key):
    """The address of the form that opens a case in a course."""
    return reverse("honorcode:new_case", kwargs={"course_id": str(course_key)})


def suspected_pairs_url(course_key):
    """The address of a course's "Suspected multiple accounts" page."""
    return reverse("honorcode:suspected_pairs", kwargs={"course_id": str(course_key)})


def case_url(case_id):
    """The address of one case's page."""
    return reverse("honorcode:case", args=[case_id])


def _address(path, absolute):
    """``path``, or the site's absolute address of it (for links that leave the LMS: messages, the dashboard MFE)."""
    return get_platform().site_url(path) if absolute else path
