"""
Middleware the plugin settings add to the LMS, where no openedx-filter runs:

- ``HandlerGateMiddleware``: XBlock handler calls to graded blocks (``handle_xblock_callback`` runs no filter).
- ``TerminatedAccountMiddleware``: tokens of a terminated account. The platform cannot revoke a JWT it issued (it is
  checked by its signature until it expires, an hour by default), ``UserStandingMiddleware`` sees only session users,
  and an OAuth2 bearer token works again if support gives the account a usable password; the termination itself ended
  the account's sessions and deleted its OAuth2 tokens.
- ``RevokedCertificateMiddleware``: the public link of a revoked certificate. The platform's certificate page loads
  only valid certificates and answers 404 for a revoked one before any filter runs.
"""
from django.http import JsonResponse
from django.shortcuts import render

from honorcode_xblock import api, links


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


class TerminatedAccountMiddleware:
    """
    Refuse, with a 403 JSON message, a request carrying a valid token (a JWT, in the header or the MFEs' cookies, or
    an OAuth2 bearer token) of an account whose use of the site was terminated: the API and the mobile apps
    authenticate tokens inside their views, and edx-drf-extensions' ``JwtAuthentication`` checks no account state.
    A request without a token costs nothing; one with a token, on a site where no account is terminated, one cache
    read (``api.TERMINATION_STATE_KEY``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = api.terminated_token_refusal(request)
        if refusal is not None:
            return JsonResponse({"detail": refusal, "error_code": "honorcode-account-terminated"}, status=403)
        return self.get_response(request)


class RevokedCertificateMiddleware:
    """
    Answer the public link of a certificate revoked by a determination (``/certificates/<uuid>``) with a page that says
    it is not valid (410 Gone), where the platform would answer 404; only the certificate's holder, signed in, is told
    why. Any other certificate link goes on to the platform.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):  # pylint: disable=unused-argument
        """Runs once the URL is resolved: only the certificate page's route is looked at."""
        revocation = api.certificate_revoked_at_link(api.certificate_link_uuid(request))
        if revocation is None:
            return None
        owner = getattr(getattr(request, "user", None), "pk", None) == revocation.user_id
        return render(request, "honorcode_xblock/certificate_revoked.html", {
            "course_name": api.course_name(revocation.course_key),
            "owner": owner,
            "record_url": links.record_url(),
            "policy_url": links.policy_url(),
        }, status=410)
