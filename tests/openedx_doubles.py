"""
Test doubles of the edx-platform modules that ``platform/openedx.py`` imports, shaped like the real ones.

- ``common.djangoapps.student.auth``: ``has_studio_read_access(user, course_key)`` and
  ``has_studio_write_access(user, course_key)`` (openedx-platform ``common/djangoapps/student/auth.py``).
- ``common.djangoapps.student.roles.GlobalStaff().has_user(user)`` (openedx-platform
  ``common/djangoapps/student/roles.py``).
- ``openedx.core.lib.url_utils.unquote_slashes`` (openedx-platform ``openedx/core/lib/url_utils.py``).
- ``lms.djangoapps.courseware.masquerade``: ``MASQUERADE_SETTINGS_KEY`` (the session key of a dict from course
  keys to ``CourseMasquerade`` objects) and ``is_masquerading_as_student(user, course_key)``, which reads the
  ``masquerade_settings`` that ``setup_masquerade`` copies from the session onto the user.
- ``edx_rest_framework_extensions.auth.jwt.authentication.JwtAuthentication`` and
  ``openedx.core.lib.api.authentication.BearerAuthenticationAllowInactiveUser``: ``authenticate(request)`` returns
  ``(user, token)``, None when the request carries no such token, or raises ``rest_framework.exceptions.
  AuthenticationFailed`` (an ``APIException``) for a bad one.
- ``xmodule.modulestore.django.modulestore()`` with ``get_item(usage_key)``, raising
  ``xmodule.modulestore.exceptions.ItemNotFoundError`` for an unknown key (openedx-platform
  ``xmodule/modulestore/django.py`` and ``xmodule/modulestore/exceptions.py``).
"""
import re
import sys
import types
from contextlib import contextmanager
from types import SimpleNamespace


class ItemNotFoundError(Exception):
    """Mirrors ``xmodule.modulestore.exceptions.ItemNotFoundError``."""


class FakeOpenEdx:
    """Course teams and course content the doubles answer from."""

    def __init__(self):
        self.readers = set()   # (user id, course key) pairs with Studio read access (course staff)
        self.writers = set()   # (user id, course key) pairs with Studio write access (course authors)
        self.blocks = {}       # usage key -> display name
        self.graded = set()    # usage keys of blocks in graded subsections (``graded`` is inherited)
        self.tokens = {}  # "JWT <token>" / "Bearer <token>" Authorization headers -> user
        self.global_staff = set()  # user ids with the GlobalStaff role (``user.is_staff`` in the LMS)

    def make_staff(self, user, course_key, write=True):
        self.readers.add((user.pk, course_key))
        if write:
            self.writers.add((user.pk, course_key))

    def modules(self):
        auth = types.ModuleType("common.djangoapps.student.auth")
        auth.has_studio_read_access = lambda user, course_key: (user.pk, course_key) in self.readers
        auth.has_studio_write_access = lambda user, course_key: (user.pk, course_key) in self.writers
        roles = types.ModuleType("common.djangoapps.student.roles")
        fake = self

        class GlobalStaff:
            """Mirrors ``common.djangoapps.student.roles.GlobalStaff``: ``has_user(user)``."""

            def has_user(self, user):
                return bool(user and user.pk in fake.global_staff)

        roles.GlobalStaff = GlobalStaff

        def get_item(usage_key):
            if usage_key not in self.blocks:
                raise ItemNotFoundError(usage_key)
            return SimpleNamespace(location=usage_key, display_name=self.blocks[usage_key],
                                   graded=usage_key in self.graded, has_children=False)

        store = SimpleNamespace(get_item=get_item)
        url_utils = types.ModuleType("openedx.core.lib.url_utils")
        url_utils.unquote_slashes = lambda text: re.sub(r";(;|_)", lambda m: "/" if m.group(1) == "_" else ";", text)
        from rest_framework import exceptions as drf_exceptions  # the real one: DRF is a dependency

        def authentication_class(scheme):
            fake = self

            class Authentication:
                def authenticate(self, request):
                    header = request.META.get("HTTP_AUTHORIZATION", "")
                    if not header.startswith(scheme + " "):
                        return None
                    if header not in fake.tokens:
                        raise drf_exceptions.AuthenticationFailed("bad token")
                    return fake.tokens[header], header
            return Authentication

        jwt = types.ModuleType("edx_rest_framework_extensions.auth.jwt.authentication")
        jwt.JwtAuthentication = authentication_class("JWT")
        bearer = types.ModuleType("openedx.core.lib.api.authentication")
        bearer.BearerAuthenticationAllowInactiveUser = authentication_class("Bearer")
        masquerade = types.ModuleType("lms.djangoapps.courseware.masquerade")
        masquerade.MASQUERADE_SETTINGS_KEY = "masquerade_settings"

        def is_masquerading_as_student(user, course_key):
            """As edx-platform: the role of the user's masquerade settings for the course (set from the session)."""
            course_masquerade = getattr(user, "masquerade_settings", {}).get(course_key)
            return getattr(course_masquerade, "role", None) == "student"

        masquerade.is_masquerading_as_student = is_masquerading_as_student
        modulestore_django = types.ModuleType("xmodule.modulestore.django")
        modulestore_django.modulestore = lambda: store
        exceptions = types.ModuleType("xmodule.modulestore.exceptions")
        exceptions.ItemNotFoundError = ItemNotFoundError
        packages = {name: types.ModuleType(name) for name in (
            "common", "common.djangoapps", "common.djangoapps.student", "xmodule", "xmodule.modulestore",
            "openedx", "openedx.core", "openedx.core.lib", "openedx.core.lib.api", "lms", "lms.djangoapps",
            "lms.djangoapps.courseware")}
        return {
            **packages,
            "common.djangoapps.student.auth": auth,
            "common.djangoapps.student.roles": roles,
            "xmodule.modulestore.django": modulestore_django,
            "xmodule.modulestore.exceptions": exceptions,
            "openedx.core.lib.url_utils": url_utils,
            "lms.djangoapps.courseware.masquerade": masquerade,
            "edx_rest_framework_extensions.auth.jwt.authentication": jwt,
            "openedx.core.lib.api.authentication": bearer,
        }


@contextmanager
def installed(fake):
    """Make the doubles importable for the duration of the block."""
    modules = fake.modules()
    saved = {name: sys.modules.get(name) for name in modules}
    sys.modules.update(modules)
    try:
        yield fake
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
