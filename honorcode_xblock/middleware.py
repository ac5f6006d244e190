"""
Middleware the plugin settings add to the LMS, where no openedx-filter runs:

- ``HandlerGateMiddleware``: XBlock handler calls to graded blocks (``handle_xblock_callback`` runs no filter).
- ``TerminatedAccountMiddleware``: JWTs of a terminated account. The platform cannot revoke a JWT it issued (it is
  checked by its signature until it expires, an hour by default), and ``UserStandingMiddleware`` sees only session
  users; the termination ended the account's sessions and deleted its OAuth2 tokens.
- ``RevokedCertificateMiddleware``: the public link of a revoked certificate. The platform's certificate page loads
  only valid certificates and answers 404 for a revoked one before any filter runs.
"""
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from edx_rest_framework_extensions.auth.jwt.cookies import (
    jwt_cookie_header_payload_name,
    jwt_cookie_name,
    jwt_cookie_signature_name,
)
from edx_rest_framework_extensions.auth.jwt.decoder import configured_jwt_decode_handler, unsafe_jwt_decode_handler

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


def _request_jwt(request):
    """The JWT a request carries: ``Authorization: JWT <token>``, or the JWT cookies the MFEs send."""
    scheme, _sep, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() == "jwt" and token:
        return token.strip()
    cookies = request.COOKIES
    if cookies.get(jwt_cookie_name()):
        return cookies[jwt_cookie_name()]
    header_payload, signature = cookies.get(jwt_cookie_header_payload_name()), cookies.get(jwt_cookie_signature_name())
    return f"{header_payload}.{signature}" if header_payload and signature else None


def _claimed_username(token, verified):
    """The username a JWT names (edx-drf-extensions' ``preferred_username``, else ``username``), or None."""
    try:
        payload = configured_jwt_decode_handler(token) if verified else unsafe_jwt_decode_handler(token)
    except Exception:  # pylint: disable=broad-except  (any malformed or invalid token: the view answers it)
        return None
    return payload.get("preferred_username") or payload.get("username") if isinstance(payload, dict) else None


class TerminatedAccountMiddleware:
    """
    Refuse, with a 403 JSON message, a request carrying a valid JWT of an account whose use of the site was
    terminated: the API and the mobile apps authenticate JWTs inside their views (edx-drf-extensions'
    ``JwtAuthentication``, which checks no account state).

    The token's claim is read unverified first (a cached answer by username); only a terminated account's token is
    then verified, so that nobody learns of a termination with a forged token and other requests pay nothing more.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_jwt(request)
        if token:
            username = _claimed_username(token, verified=False)
            if username and api.account_terminated_username(username) and _claimed_username(token, verified=True):
                return JsonResponse({
                    "detail": _("Your use of this site was terminated following an honor code determination."),
                    "error_code": "honorcode-account-terminated",
                }, status=403)
        return self.get_response(request)


class RevokedCertificateMiddleware:
    """
    Answer the public link of a certificate revoked by a determination (``/certificates/<uuid>``) with a page that says
    so (410 Gone), where the platform would answer 404. Any other certificate link goes on to the platform.
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
        return render(request, "honorcode_xblock/certificate_revoked.html", {
            "course_name": api.course_name(revocation.course_key),
            "revoked_at": revocation.applied_at,
            "policy_url": reverse("honorcode:policy"),
        }, status=410)
