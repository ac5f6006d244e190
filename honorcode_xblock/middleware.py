"""
The gate on XBlock handler calls: no openedx-filter runs there (``handle_xblock_callback``), so the plugin settings
add this middleware to the LMS.
"""
from django.http import JsonResponse

from honorcode_xblock import api


class HandlerGateMiddleware:
    """Refuse, with a 403 JSON message, a handler call to a graded block by a learner the gate withholds it from."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):  # pylint: disable=unused-argument
        """Runs once the URL is resolved; ``None`` lets the call through."""
        refusal = api.handler_refusal(request)
        if refusal is None:
            return None
        return JsonResponse({"error": refusal, "honorcode_required": True}, status=403)
