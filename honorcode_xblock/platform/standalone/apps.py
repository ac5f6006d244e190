"""The standalone platform's Django app: not the product's, and never installed in the LMS or the CMS."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandalonePlatformConfig(AppConfig):
    """
    The tables of the standalone platform (``models.py``): what its sanctions change outside Open edX.

    It has no plugin entry point: only a site that runs the honor code app on the standalone platform (the demo,
    the tests) lists it in ``INSTALLED_APPS``.
    """

    name = "honorcode_xblock.platform.standalone"
    label = "honorcode_standalone"
    verbose_name = _("Honor code: standalone platform")
    default_auto_field = "django.db.models.BigAutoField"
