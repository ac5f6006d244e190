"""
Production plugin settings of the honor code app.

``lms/envs/production.py`` replaces ``OPEN_EDX_FILTERS_CONFIG`` with the operator's YAML after the common settings
ran, so the gate's steps are merged in again here.
"""
from honorcode_xblock.settings import common


def plugin_settings(settings):
    """
    Apply the common plugin settings again after the production settings have been read.

    Arguments:
        settings: the production settings module of the LMS or CMS.
    """
    common.plugin_settings(settings)
