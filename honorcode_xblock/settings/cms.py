"""Plugin settings of the honor code app in the CMS (common and production): the platform only."""
from honorcode_xblock.settings.common import cms_plugin_settings


def plugin_settings(settings):
    """
    Add the honor code app's settings to a CMS settings module.

    Arguments:
        settings: ``cms.envs.common`` or the CMS's production settings module.
    """
    cms_plugin_settings(settings)
