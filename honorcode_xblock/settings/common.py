"""
Common plugin settings of the honor code app, merged into the LMS and CMS settings.

Each value is added to what the operator configured, never put in its place.
"""

OPENEDX_PLATFORM = "honorcode_xblock.platform.openedx.OpenEdxPlatform"
MIDDLEWARE = "honorcode_xblock.middleware.HandlerGateMiddleware"

#: The openedx-filters pipeline steps of the gate, by filter type.
FILTER_STEPS = {
    "org.openedx.learning.xblock.render.started.v1": "honorcode_xblock.filters.WithholdGradedUnit",
    "org.openedx.learning.vertical_block_child.render.started.v1": "honorcode_xblock.filters.WithholdGradedChild",
    "org.openedx.learning.certificate.creation.requested.v1": "honorcode_xblock.filters.WithholdCertificate",
}


def merge_filter_steps(config):
    """
    Add the gate's steps to an ``OPEN_EDX_FILTERS_CONFIG`` dict, keeping every step and option already there.

    A filter type the operator configured keeps its ``fail_silently``; one added here fails loudly, so that a broken
    gate never shows graded content by accident.

    Returns:
        the same dict, changed in place.
    """
    for filter_type, step in FILTER_STEPS.items():
        entry = config.setdefault(filter_type, {"fail_silently": False, "pipeline": []})
        pipeline = entry.setdefault("pipeline", [])
        if isinstance(pipeline, str):
            pipeline = entry["pipeline"] = [pipeline]
        if step not in pipeline:
            pipeline.append(step)
    return config


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
    settings.OPEN_EDX_FILTERS_CONFIG = merge_filter_steps(getattr(settings, "OPEN_EDX_FILTERS_CONFIG", None) or {})
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    if MIDDLEWARE not in middleware:
        settings.MIDDLEWARE = [*middleware, MIDDLEWARE]
