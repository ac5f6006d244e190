"""
Common plugin settings of the honor code app, merged into the LMS and CMS settings.

Each value is added to what the operator configured, never put in its place.
"""

import os

#: The folder of the Mako template the legacy instructor dashboard includes for the plugin's section.
MAKO_TEMPLATES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "templates", "mako")
OPENEDX_PLATFORM = "honorcode_xblock.platform.openedx.OpenEdxPlatform"
MIDDLEWARE = "honorcode_xblock.middleware.HandlerGateMiddleware"

#: The openedx-filters pipeline steps of the gate, by filter type.
#: A filter type the plugin adds is ``fail_silently`` for rendering (an unexpected error must not break every unit
#: of every course) and not for certificates (an error fails the certificate task, which is retried, rather than
#: issuing a certificate the gate would have withheld).
#: Sign-in, the certificate page and the dashboard tabs fail silently too: an error there must not stop every
#: learner from signing in.
FAIL_SILENTLY = {
    "org.openedx.learning.xblock.render.started.v1": True,
    "org.openedx.learning.vertical_block_child.render.started.v1": True,
    "org.openedx.learning.certificate.creation.requested.v1": False,
    "org.openedx.learning.certificate.render.started.v1": True,
    "org.openedx.learning.student.login.requested.v1": True,
    "org.openedx.learning.instructor.dashboard.tabs.requested.v1": True,
}
FILTER_STEPS = {
    "org.openedx.learning.xblock.render.started.v1": "honorcode_xblock.filters.WithholdGradedUnit",
    "org.openedx.learning.vertical_block_child.render.started.v1": "honorcode_xblock.filters.WithholdGradedChild",
    "org.openedx.learning.certificate.creation.requested.v1": "honorcode_xblock.filters.WithholdCertificate",
    "org.openedx.learning.certificate.render.started.v1": "honorcode_xblock.filters.ShowRevokedCertificate",
    "org.openedx.learning.student.login.requested.v1": "honorcode_xblock.filters.RefuseTerminatedLogin",
    "org.openedx.learning.instructor.dashboard.tabs.requested.v1": "honorcode_xblock.filters.AddCasesTab",
}


def merge_filter_steps(config):
    """
    Add the gate's steps to an ``OPEN_EDX_FILTERS_CONFIG`` dict, keeping every step and option already there.

    A filter type the operator configured keeps its ``fail_silently``; one added here takes ``FAIL_SILENTLY``'s. The
    gate itself falls back from the cache to the database, so a cache outage does not open it.

    Returns:
        the same dict, changed in place.
    """
    for filter_type, step in FILTER_STEPS.items():
        entry = config.setdefault(filter_type, {"fail_silently": FAIL_SILENTLY[filter_type], "pipeline": []})
        pipeline = entry.get("pipeline") or []
        pipeline = entry["pipeline"] = [pipeline] if isinstance(pipeline, str) else list(pipeline)
        if step not in pipeline:
            pipeline.append(step)
    return config


def plugin_settings(settings):
    """
    Add the honor code app's settings to the LMS's settings: the platform, the gate's filter steps and middleware.

    Arguments:
        settings: the settings module (``lms.envs.common`` or the production one).
    """
    # .. setting_name: HONORCODE_PLATFORM
    # .. setting_default: 'honorcode_xblock.platform.openedx.OpenEdxPlatform' inside Open edX;
    #   'honorcode_xblock.platform.standalone.StandalonePlatform' elsewhere
    # .. setting_description: Dotted path of the class through which the honor code app reaches the platform it
    #   runs in (users, courses, staff roles). Inside the LMS and CMS it is the Open edX platform; the standalone
    #   platform does the same work on the app's own tables (the demo and the tests).
    cms_plugin_settings(settings)
    settings.OPEN_EDX_FILTERS_CONFIG = merge_filter_steps(getattr(settings, "OPEN_EDX_FILTERS_CONFIG", None) or {})
    mako_dirs = getattr(settings, "MAKO_TEMPLATE_DIRS_BASE", None)
    if isinstance(mako_dirs, list) and MAKO_TEMPLATES not in mako_dirs:
        mako_dirs.append(MAKO_TEMPLATES)  # the legacy instructor dashboard's section (context_api.py)
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    if MIDDLEWARE not in middleware:
        settings.MIDDLEWARE = [*middleware, MIDDLEWARE]


def cms_plugin_settings(settings):
    """
    The CMS needs the platform setting only: Studio has no learners to gate.

    Arguments:
        settings: ``cms.envs.common`` or the production one.
    """
    if not hasattr(settings, "HONORCODE_PLATFORM"):
        settings.HONORCODE_PLATFORM = OPENEDX_PLATFORM
