"""
``openedx.core.djangoapps.agreements``: the platform's own integrity signature (the learning MFE's honor code dialog).

Read from openedx-platform @ e57a655d77b614f19223984e9805b1fb940ab192:

- ``openedx/core/djangoapps/agreements/api.py`` ``create_integrity_signature(username, course_id)``: ``User.objects.get
  (username=...)`` (``User.DoesNotExist`` for an unknown one), ``CourseKey.from_string(course_id)`` (a string: a key
  object raises ``AttributeError``), then ``IntegritySignature.objects.get_or_create``: an existing signature is
  returned and a warning logged. ``get_integrity_signature(username, course_id)``: the row or None.
- The switch is ``settings.FEATURES['ENABLE_INTEGRITY_SIGNATURE']`` (default False; ``courseware_api/views.py``
  ``CoursewareMeta.user_needs_integrity_signature`` asks learners in credit or paid modes once, when they have no
  signature).
"""
import types

from django.contrib.auth import get_user_model


def agreements_modules(fake):
    """``openedx.core.djangoapps.agreements.api``."""
    from opaque_keys.edx.keys import CourseKey  # pylint: disable=import-outside-toplevel

    api = types.ModuleType("openedx.core.djangoapps.agreements.api")

    def create_integrity_signature(username, course_id):
        user = get_user_model().objects.get(username=username)
        course_key = CourseKey.from_string(course_id)
        fake.integrity_signatures.setdefault((user.pk, str(course_key)), {"user": user, "course_key": course_key})
        return fake.integrity_signatures[(user.pk, str(course_key))]

    def get_integrity_signature(username, course_id):
        user = get_user_model().objects.get(username=username)
        return fake.integrity_signatures.get((user.pk, str(CourseKey.from_string(course_id))))

    api.create_integrity_signature = create_integrity_signature
    api.get_integrity_signature = get_integrity_signature
    return {"openedx.core.djangoapps.agreements": types.ModuleType("openedx.core.djangoapps.agreements"),
            "openedx.core.djangoapps.agreements.api": api}
