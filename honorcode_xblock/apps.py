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
            "lms.djangoapp": {
                "namespace": "honorcode",
                "regex": r"^honorcode/",
                "relative_path": "urls",
            },
            "cms.djangoapp": {
                "namespace": "honorcode",
                "regex": r"^honorcode/",
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
    }
