"""Public pages of the honor code: the version in force and every earlier version, as posted."""
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from honorcode_xblock import api
from honorcode_xblock.exceptions import NotFound


@require_GET
def policy_page(request, number=None):
    """
    Show one published honor code version (the one in force when ``number`` is omitted) and the list of versions.

    Returns 404 for a version that does not exist or is not published.
    """
    try:
        context = api.policy_page(number)
    except NotFound as error:
        raise Http404(str(error)) from error
    return render(request, "honorcode_xblock/policy.html", context)
