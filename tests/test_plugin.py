"""Packaging metadata and plugin discovery, through edx-django-utils' plugin framework."""
import sys
import types
from importlib.metadata import entry_points

import pytest
from django.urls import resolve
from edx_django_utils.plugins import add_plugins, get_plugin_apps, get_plugin_url_patterns
from xblock.core import XBlock

from honorcode_xblock.block import HonorCodeXBlock


def test_xblock_entry_point_loads_the_block():
    assert XBlock.load_class("honorcode") is HonorCodeXBlock
    (point,) = [ep for ep in entry_points(group="xblock.v1") if ep.name == "honorcode"]
    assert point.value == "honorcode_xblock:HonorCodeXBlock"


@pytest.mark.parametrize("project_type", ["lms.djangoapp", "cms.djangoapp"])
def test_django_app_is_discovered_in_lms_and_cms(project_type):
    assert "honorcode_xblock.apps.HonorCodeConfig" in get_plugin_apps(project_type)


@pytest.mark.parametrize("project_type", ["lms.djangoapp", "cms.djangoapp"])
@pytest.mark.parametrize("settings_type", ["common", "production"])
def test_plugin_settings_are_merged_without_overriding_the_operator(project_type, settings_type):
    module = types.ModuleType(f"fake_{project_type.replace('.', '_')}_{settings_type}")
    sys.modules[module.__name__] = module
    try:
        add_plugins(module.__name__, project_type, settings_type)
        assert module.HONORCODE_PLATFORM == "honorcode_xblock.platform.openedx.OpenEdxPlatform"
        module.HONORCODE_PLATFORM = "operator.Choice"
        add_plugins(module.__name__, project_type, settings_type)
        assert module.HONORCODE_PLATFORM == "operator.Choice"
    finally:
        del sys.modules[module.__name__]


@pytest.mark.parametrize("project_type", ["lms.djangoapp", "cms.djangoapp"])
def test_plugin_urls_mount_under_honorcode(project_type, settings):
    urlconf = types.ModuleType(f"fake_urls_{project_type.replace('.', '_')}")
    urlconf.urlpatterns = get_plugin_url_patterns(project_type)
    sys.modules[urlconf.__name__] = urlconf
    try:
        match = resolve("/honorcode/", urlconf=urlconf.__name__)
        assert match.namespace == "honorcode" and match.url_name == "policy"
        assert resolve("/honorcode/v3/", urlconf=urlconf.__name__).kwargs == {"number": 3}
    finally:
        del sys.modules[urlconf.__name__]
