"""
Common plugin settings of the honor code app, merged into the LMS and CMS settings.

Each value is added to what the operator configured, never put in its place.
"""

import os

#: The folder of the Mako template the legacy instructor dashboard includes for the plugin's section.
MAKO_TEMPLATES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "templates", "mako")
OPENEDX_PLATFORM = "honorcode_xblock.platform.openedx.OpenEdxPlatform"
#: The middleware the plugin adds to the LMS, where no openedx-filter runs (see ``honorcode_xblock.middleware``).
MIDDLEWARES = (
    "honorcode_xblock.middleware.HandlerGateMiddleware",
    "honorcode_xblock.middleware.TerminatedAccountMiddleware",
    "honorcode_xblock.middleware.RevokedCertificateMiddleware",
)

#: ``fail_silently`` of each filter type the plugin adds, and what it means in the platform's caller. openedx-filters
#: (``tooling.py`` ``run_pipeline``) always raises a filter's own exception (``PreventCertificateCreation``,
#: ``PreventLogin``, ``RenderCustomResponse``); ``fail_silently`` decides only what an unexpected error in a step
#: does: True logs it and goes on with the other steps' output, False raises it in the caller.
FAIL_SILENTLY = {
    # ``courseware/views/views.py`` ``render_xblock`` (the unit iframe): raised, it is a 500 for the unit.
    # Silently, the unit renders without the gate's placeholder; handler calls are still refused by the middleware.
    "org.openedx.learning.xblock.render.started.v1": True,
    # ``xmodule/vertical_block.py`` ``_student_or_public_view``: raised, the whole unit fails to render.
    "org.openedx.learning.vertical_block_child.render.started.v1": True,
    # ``certificates/generation_handler.py`` ``_generate_certificate_task`` runs the filter synchronously inside its
    # caller, not in a retried task: the grade-change receiver (``COURSE_GRADE_NOW_PASSED`` is sent with ``send()``
    # from the grade update), the enrollment-mode receiver, the instructor's "Generate certificates" loop (no
    # ``try``) and the learner's request. Raised, an error would break each of them. The step itself never lets an
    # error out: it withholds the certificate (status "unavailable") and logs, so silence never issues one.
    "org.openedx.learning.certificate.creation.requested.v1": True,
    # ``user_authn/views/login.py`` ``login_user``: raised, sign-in is a 500 for everyone. Silently, the sign-in goes
    # on to the password check, which a terminated account's unusable password fails anyway.
    "org.openedx.learning.student.login.requested.v1": True,
    # The instructor dashboard MFE's tab list (``instructor/views/serializers_v2.py``): raised, the dashboard fails.
    "org.openedx.learning.instructor.dashboard.tabs.requested.v1": True,
}
FILTER_STEPS = {
    "org.openedx.learning.xblock.render.started.v1": "honorcode_xblock.filters.WithholdGradedUnit",
    "org.openedx.learning.vertical_block_child.render.started.v1": "honorcode_xblock.filters.WithholdGradedChild",
    "org.openedx.learning.certificate.creation.requested.v1": "honorcode_xblock.filters.WithholdCertificate",
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
    Add the honor code app's settings to the LMS's settings: the platform, the filter steps and the middleware.

    Arguments:
        settings: the settings module (``lms.envs.common`` or the production one).
    """
    # .. setting_name: HONORCODE_PLATFORM
    # .. setting_default: 'honorcode_xblock.platform.openedx.OpenEdxPlatform' inside Open edX;
    #   'honorcode_xblock.platform.standalone.platform.StandalonePlatform' elsewhere
    # .. setting_description: Dotted path of the class through which the honor code app reaches the platform it
    #   runs in (users, courses, staff roles). Inside the LMS and CMS it is the Open edX platform; the standalone
    #   platform does the same work on tables of its own (the demo and the tests), in the app
    #   'honorcode_xblock.platform.standalone' that such a site adds to INSTALLED_APPS.
    cms_plugin_settings(settings)
    settings.OPEN_EDX_FILTERS_CONFIG = merge_filter_steps(getattr(settings, "OPEN_EDX_FILTERS_CONFIG", None) or {})
    mako_dirs = getattr(settings, "MAKO_TEMPLATE_DIRS_BASE", None)
    if isinstance(mako_dirs, list) and MAKO_TEMPLATES not in mako_dirs:
        mako_dirs.append(MAKO_TEMPLATES)  # the legacy instructor dashboard's section (context_api.py)
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    settings.MIDDLEWARE = [*middleware, *(name for name in MIDDLEWARES if name not in middleware)]


def cms_plugin_settings(settings):
    """
    The CMS needs the platform setting only: Studio has no learners to gate.

    Arguments:
        settings: ``cms.envs.common`` or the production one.
    """
    if not hasattr(settings, "HONORCODE_PLATFORM"):
        settings.HONORCODE_PLATFORM = OPENEDX_PLATFORM
