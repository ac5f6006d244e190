"""Public pages of the honor code: the version in force and every earlier version, as posted."""
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from honorcode_xblock import api
from honorcode_xblock.sanitize import clean_html


@require_GET
def policy_page(request, number=None):
    """
    Show one published honor code version (the one in force when ``number`` is omitted) and the list of versions.

    Returns 404 for a version that does not exist or is not published.
    """
    versions = api.published_policies()
    if number is None:
        shown = versions[0] if versions else None
    else:
        shown = next((version for version in versions if version.number == number), None)
        if shown is None:
            raise Http404("No such honor code version.")
    return render(request, "honorcode_xblock/policy.html", {
        "shown": shown,
        "body_html": clean_html(shown.body) if shown else "",
        "summary_html": clean_html(shown.change_summary) if shown else "",
        "versions": versions,
        "current": versions[0] if versions else None,
    })
