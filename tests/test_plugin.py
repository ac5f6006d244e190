"""Packaging metadata and plugin discovery, through edx-django-utils' plugin framework."""
import sys
import types
from importlib.metadata import entry_points

import pytest
from django.urls import resolve
from edx_django_utils.plugins import add_plugins, get_plugin_apps, get_plugin_url_patterns
from xblock.core import XBlock

from honorcode_xblock.block import HonorCodeXBlock
from honorcode_xblock.settings.common import FILTER_STEPS


def test_xblock_entry_point_loads_the_block():
    assert XBlock.load_class("honorcode") is HonorCodeXBlock
    (point,) = [ep for ep in entry_points(group="xblock.v1") if ep.name == "honorcode"]
    assert point.value == "honorcode_xblock:HonorCodeXBlock"


@pytest.mark.parametrize("project_type", ["lms.djangoapp", "cms.djangoapp"])
def test_django_app_is_discovered_in_lms_and_cms(project_type):
    assert "honorcode_xblock.apps.HonorCodeConfig" in get_plugin_apps(project_type)


@pytest.mark.parametrize("settings_type", ["common", "production"])
def test_cms_gets_the_platform_and_no_gate(settings_type):
    module = types.ModuleType(f"fake_cms_{settings_type}")
    sys.modules[module.__name__] = module
    try:
        add_plugins(module.__name__, "cms.djangoapp", settings_type)
        assert module.HONORCODE_PLATFORM == "honorcode_xblock.platform.openedx.OpenEdxPlatform"
        assert not hasattr(module, "OPEN_EDX_FILTERS_CONFIG") and not hasattr(module, "MIDDLEWARE")
    finally:
        del sys.modules[module.__name__]


@pytest.mark.parametrize("project_type", ["lms.djangoapp"])
@pytest.mark.parametrize("settings_type", ["common", "production"])
def test_plugin_settings_are_merged_without_overriding_the_operator(project_type, settings_type):
    module = types.ModuleType(f"fake_{project_type.replace('.', '_')}_{settings_type}")
    sys.modules[module.__name__] = module
    module.MIDDLEWARE = ["operator.Middleware"]
    module.OPEN_EDX_FILTERS_CONFIG = {
        "org.openedx.learning.xblock.render.started.v1": {"fail_silently": True, "pipeline": ["operator.Step"]},
    }
    try:
        add_plugins(module.__name__, project_type, settings_type)
        assert module.HONORCODE_PLATFORM == "honorcode_xblock.platform.openedx.OpenEdxPlatform"
        assert module.MIDDLEWARE == ["operator.Middleware", "honorcode_xblock.middleware.HandlerGateMiddleware"]
        unit = module.OPEN_EDX_FILTERS_CONFIG["org.openedx.learning.xblock.render.started.v1"]
        assert unit == {"fail_silently": True,
                        "pipeline": ["operator.Step", "honorcode_xblock.filters.WithholdGradedUnit"]}
        assert set(module.OPEN_EDX_FILTERS_CONFIG) == set(FILTER_STEPS)
        module.HONORCODE_PLATFORM = "operator.Choice"
        add_plugins(module.__name__, project_type, settings_type)
        assert module.HONORCODE_PLATFORM == "operator.Choice"
        assert module.MIDDLEWARE.count("honorcode_xblock.middleware.HandlerGateMiddleware") == 1
    finally:
        del sys.modules[module.__name__]


def test_production_settings_merge_again_after_the_operator_yaml_replaced_the_filters():
    """``lms/envs/production.py`` replaces OPEN_EDX_FILTERS_CONFIG from YAML after the common plugin settings ran."""
    module = types.ModuleType("fake_lms_production")
    sys.modules[module.__name__] = module
    try:
        add_plugins(module.__name__, "lms.djangoapp", "common")
        module.OPEN_EDX_FILTERS_CONFIG = {"org.openedx.learning.student.login.requested.v1": {"pipeline": ["op.Sso"]}}
        add_plugins(module.__name__, "lms.djangoapp", "production")
        config = module.OPEN_EDX_FILTERS_CONFIG
        assert config["org.openedx.learning.student.login.requested.v1"] == {
            "pipeline": ["op.Sso", "honorcode_xblock.filters.RefuseTerminatedLogin"]}
        assert all(step in config[filter_type]["pipeline"] for filter_type, step in FILTER_STEPS.items())
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
        accept = resolve("/honorcode/courses/course-v1:A+B+C/accept/", urlconf=urlconf.__name__)
        assert accept.url_name == "accept" and accept.kwargs == {"course_id": "course-v1:A+B+C"}
    finally:
        del sys.modules[urlconf.__name__]
