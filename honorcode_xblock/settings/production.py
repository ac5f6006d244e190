"""Production plugin settings of the honor code app: the operator's YAML may override what common set."""
from honorcode_xblock.settings import common


def plugin_settings(settings):
    """
    Apply the common plugin settings again after the production settings have been read.

    Arguments:
        settings: the production settings module of the LMS or CMS.
    """
    common.plugin_settings(settings)
