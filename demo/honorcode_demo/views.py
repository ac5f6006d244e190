"""
The demo's stand-ins for LMS pages the honor code acts on: sign-in (with the ``StudentLoginRequested`` filter, as
the LMS runs it), a learner's standing in the demo course (enrollment, grade overrides, certificate), a certificate
request (``CertificateCreationRequested``, as the learner's own request) and its public page (``/certificates/<uuid>``,
which shows only valid certificates, as the LMS's), and the outbox of sent mail.
"""
import email
import functools
from email import policy as email_policy
from pathlib import Path

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from opaque_keys.edx.keys import CourseKey
from xblock.exceptions import NoSuchHandlerError
from openedx_filters.learning.filters import CertificateCreationRequested, StudentLoginRequested

from honorcode_xblock.platform.standalone.models import Certificate, Enrollment, GradeOverride


def unknown_handler_is_404(view):
    """
    The workbench's handler view, answering 404 for a handler the block does not have (the LMS's
    ``handle_xblock_callback`` turns ``NoSuchHandlerError`` into ``Http404``; the workbench lets it become a 500).
    """
    @functools.wraps(view)
    def handler(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NoSuchHandlerError as error:
            raise Http404(f"No such handler: {kwargs.get('handler_slug', '')}") from error

    return handler


def _course_key():
    return CourseKey.from_string(settings.HONORCODE_STANDALONE_COURSE_KEY)


@require_http_methods(["GET", "POST"])
def login(request):
    """Sign in as the LMS does: the login filter sees the account first, then the password is checked."""
    error, username = "", ""
    back = request.GET.get("next") or request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        account = get_user_model().objects.filter(username=username).first()
        try:
            if account is not None:
                StudentLoginRequested.run_filter(user=account)
            user = auth.authenticate(request, username=username, password=request.POST.get("password", ""))
            if user is None:
                error = "The username or password is wrong."
            else:
                auth.login(request, user)
                return HttpResponseRedirect(back, status=303)
        except StudentLoginRequested.PreventLogin as refused:
            error = str(refused)
    return render(request, "honorcode_demo/login.html", {"error": error, "username": username, "next": back},
                  status=400 if error else 200)


@require_http_methods(["POST"])
def logout(request):
    auth.logout(request)
    return HttpResponseRedirect("/demo/login/", status=303)


def _learner(username):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise Http404("No such learner.")
    return user


@require_http_methods(["GET"])
def learner_status(request, username):
    """What the platform holds of one learner in the demo course: account, enrollment, grades, certificate."""
    user, course_key = _learner(username), _course_key()
    return render(request, "honorcode_demo/learner.html", {
        "learner": user,
        "course_key": course_key,
        "enrollment": Enrollment.objects.filter(user=user, course_key=course_key).first(),
        "overrides": GradeOverride.objects.filter(user=user, course_key=course_key),
        "certificate": Certificate.objects.filter(user=user, course_key=course_key).first(),
    })


@require_http_methods(["GET", "POST"])
def request_certificate(request, username):
    """
    POST: ask for the certificate as the LMS's ``generate_user_cert`` does (``generation_mode="self"``): the creation
    filter may refuse with a message, or give the status the certificate is written with (a withheld one is
    "unavailable"). GET: the certificate's state, with its public link.
    """
    user, course_key = _learner(username), _course_key()
    certificate = Certificate.objects.filter(user=user, course_key=course_key).first()
    if request.method == "POST":
        try:
            _user, _key, _mode, status, _grade, _generation = CertificateCreationRequested.run_filter(
                user=user, course_key=course_key, mode="honor", status=None, grade=None, generation_mode="self")
        except CertificateCreationRequested.PreventCertificateCreation as refused:
            return render(request, "honorcode_demo/certificate.html", {
                "learner": user, "refused": str(refused), "course_key": course_key}, status=400)
        certificate, created = Certificate.objects.get_or_create(
            user=user, course_key=course_key, defaults={"created_at": timezone.now(),
                                                        "status": status or Certificate.DOWNLOADABLE})
        if not created and certificate.status != Certificate.DOWNLOADABLE:
            certificate.status = status or Certificate.DOWNLOADABLE
            certificate.save(update_fields=["status"])
        return HttpResponseRedirect(request.path, status=303)
    return render(request, "honorcode_demo/certificate.html", {
        "learner": user, "course_key": course_key, "certificate": certificate})


@require_http_methods(["GET"])
def certificate_page(request, certificate_uuid):
    """
    The certificate's public page, as the LMS's ``render_cert_by_uuid``: only a downloadable certificate is found
    (anything else is a 404, before any filter runs; the plugin's middleware answers for a revoked one).
    """
    certificate = Certificate.objects.filter(
        verify_uuid=certificate_uuid, status=Certificate.DOWNLOADABLE).select_related("user").first()
    if certificate is None:
        raise Http404("There is no such certificate.")
    return render(request, "honorcode_demo/certificate.html", {
        "learner": certificate.user, "course_key": certificate.course_key, "certificate": certificate, "valid": True})


@require_http_methods(["GET"])
def outbox(request):
    """Every message sent so far (Django's file-based email backend writes them to ``var/mail``), newest first."""
    messages = []
    folder = Path(settings.EMAIL_FILE_PATH)
    files = sorted(folder.glob("*.log"), key=lambda path: path.stat().st_mtime, reverse=True) if folder.exists() else []
    for path in files:
        for chunk in path.read_bytes().split(b"-" * 79):  # bytes: the parser decodes each part by its charset
            if not chunk.strip():
                continue
            message = email.message_from_bytes(chunk.strip(), policy=email_policy.default)
            body = message.get_body(preferencelist=("plain",))
            messages.append({"to": message["To"], "subject": message["Subject"], "date": message["Date"],
                             "body": body.get_content() if body is not None else ""})
    return render(request, "honorcode_demo/outbox.html", {"messages": messages})
