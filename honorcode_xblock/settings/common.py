"""
Common plugin settings of the honor code app, merged into the LMS and CMS settings.

Each setting is given only where the operator has not set it already.
"""

OPENEDX_PLATFORM = "honorcode_xblock.platform.openedx.OpenEdxPlatform"


def plugin_settings(settings):
    """
    Add the honor code app's settings to an Open edX settings module.

    Arguments:
        settings: the settings module (``lms.envs.common``, ``cms.envs.common`` or a production module).
    """
    # .. setting_name: HONORCODE_PLATFORM
    # .. setting_default: 'honorcode_xblock.platform.openedx.OpenEdxPlatform' inside Open edX;
    #   'honorcode_xblock.platform.standalone.StandalonePlatform' elsewhere
    # .. setting_description: Dotted path of the class through which the honor code app reaches the platform it
    #   runs in (users, courses, staff roles). Inside the LMS and CMS it is the Open edX platform; the standalone
    #   platform does the same work on the app's own tables (the demo and the tests).
    if not hasattr(settings, "HONORCODE_PLATFORM"):
        settings.HONORCODE_PLATFORM = OPENEDX_PLATFORM
