"""The honor code Django app, discovered in the LMS and CMS by edx-django-utils' plugin framework."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HonorCodeConfig(AppConfig):
    """
    Configuration of the honor code app.

    ``plugin_app`` is read by ``edx_django_utils.plugins``: it mounts the app's URLs and merges its settings
    into the LMS and CMS (see ``honorcode_xblock/settings/``).
    """

    name = "honorcode_xblock"
    label = "honorcode"
    verbose_name = _("Honor code")
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app = {
        "url_config": {
            # urls.py mounts the pages under honorcode/ and the REST API under api/honorcode/v1/
            "lms.djangoapp": {
                "namespace": "honorcode",
                "regex": r"^",
                "relative_path": "urls",
            },
            "cms.djangoapp": {
                "namespace": "honorcode",
                "regex": r"^",
                "relative_path": "urls",
            },
        },
        "settings_config": {
            "lms.djangoapp": {
                "common": {"relative_path": "settings.common"},
                "production": {"relative_path": "settings.production"},
            },
            "cms.djangoapp": {
                "common": {"relative_path": "settings.cms"},
                "production": {"relative_path": "settings.cms"},
            },
        },
        "signals_config": {
            "lms.djangoapp": {
                "relative_path": "receivers",
                "receivers": [{
                    "receiver_func_name": "retire_user",
                    "signal_path": "openedx.core.djangoapps.user_api.accounts.signals.USER_RETIRE_LMS_MISC",
                    "dispatch_uid": "honorcode_xblock.receivers.retire_user",
                }],
            },
        },
        "view_context_config": {
            "lms.djangoapp": {
                "instructor_dashboard": "honorcode_xblock.context_api.instructor_dashboard_context",
            },
        },
    }

    def ready(self):
        """
        Hand sanctions, notifications, certificate requests and detection runs to the task queue once committed
        (``receivers.py``).
        """
        from honorcode_xblock import receivers, signals  # pylint: disable=import-outside-toplevel

        signals.sanction_pending.connect(receivers.queue_sanction, dispatch_uid="honorcode.queue_sanction")
        signals.notifications_pending.connect(receivers.queue_notices, dispatch_uid="honorcode.queue_notices")
        signals.certificate_wanted.connect(receivers.queue_certificate_request,
                                           dispatch_uid="honorcode.queue_certificate_request")
        signals.detection_queued.connect(receivers.queue_detection, dispatch_uid="honorcode.queue_detection")
