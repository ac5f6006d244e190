"""
The platform boundary: the only door from the honor code app to the platform it runs in.

``get_platform()`` returns the configured :class:`~honorcode_xblock.platform.base.Platform`: the Open edX one inside
the LMS and CMS (set by the plugin settings), the standalone one elsewhere (the demo and the tests).
"""
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

STANDALONE_PLATFORM = "honorcode_xblock.platform.standalone.platform.StandalonePlatform"


@lru_cache(maxsize=8)
def _platform_for(path):
    return import_string(path)()


def get_platform():
    """The platform named by the ``HONORCODE_PLATFORM`` setting (standalone when unset)."""
    return _platform_for(getattr(settings, "HONORCODE_PLATFORM", STANDALONE_PLATFORM))
