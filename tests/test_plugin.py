"""Packaging metadata and plugin discovery, through edx-django-utils' plugin framework."""
import sys
import types
from importlib.metadata import entry_points

import pytest
from django.urls import resolve
from edx_django_utils.plugins import add_plugins, get_plugin_apps, get_plugin_url_patterns
from xblock.core import XBlock

from honorcode_xblock.block import HonorCodeXBlock
from honorcode_xblock.settings.common import MIDDLEWARES, FILTER_STEPS


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
        assert module.MIDDLEWARE == ["operator.Middleware", *MIDDLEWARES]
        unit = module.OPEN_EDX_FILTERS_CONFIG["org.openedx.learning.xblock.render.started.v1"]
        assert unit == {"fail_silently": True,
                        "pipeline": ["operator.Step", "honorcode_xblock.filters.WithholdGradedUnit"]}
        assert set(module.OPEN_EDX_FILTERS_CONFIG) == set(FILTER_STEPS)
        module.HONORCODE_PLATFORM = "operator.Choice"
        add_plugins(module.__name__, project_type, settings_type)
        assert module.HONORCODE_PLATFORM == "operator.Choice"
        assert all(module.MIDDLEWARE.count(name) == 1 for name in MIDDLEWARES)
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
        cases = resolve("/honorcode/courses/course-v1:A+B+C/cases/", urlconf=urlconf.__name__)
        assert cases.url_name == "cases" and cases.kwargs == {"course_id": "course-v1:A+B+C"}
        assert resolve("/honorcode/courses/course-v1:A+B+C/cases.csv", urlconf=urlconf.__name__).url_name == "cases_csv"
        assert resolve("/honorcode/me/", urlconf=urlconf.__name__).url_name == "my_record"
        api_cases = resolve("/api/honorcode/v1/courses/course-v1:A+B+C/cases/", urlconf=urlconf.__name__)
        assert api_cases.namespace == "honorcode" and api_cases.url_name == "api-cases"
        assert resolve("/api/honorcode/v1/schema/", urlconf=urlconf.__name__).url_name == "api-schema"
    finally:
        del sys.modules[urlconf.__name__]


@pytest.mark.django_db
def test_the_lms_retirement_signal_reaches_the_receiver(learner, author):
    """``signals_config``: ``connect_plugin_receivers`` connects the receiver to edx-platform's retirement signal."""
    from django.dispatch import Signal  # pylint: disable=import-outside-toplevel
    from edx_django_utils.plugins import connect_plugin_receivers  # pylint: disable=import-outside-toplevel

    from honorcode_xblock import api  # pylint: disable=import-outside-toplevel
    from honorcode_xblock.models import Case  # pylint: disable=import-outside-toplevel

    from .helpers import COURSE_KEY  # pylint: disable=import-outside-toplevel

    names = ["openedx", "openedx.core", "openedx.core.djangoapps", "openedx.core.djangoapps.user_api",
             "openedx.core.djangoapps.user_api.accounts", "openedx.core.djangoapps.user_api.accounts.signals"]
    saved = {name: sys.modules.get(name) for name in names}
    modules = {name: types.ModuleType(name) for name in names}
    signals = modules["openedx.core.djangoapps.user_api.accounts.signals"]
    signals.USER_RETIRE_LMS_MISC = Signal()  # as openedx/core/djangoapps/user_api/accounts/signals.py defines it
    sys.modules.update(modules)
    try:
        connect_plugin_receivers("lms.djangoapp")
        case = api.open_case(author, COURSE_KEY, respondents=[learner.username], commitment="own_work",
                             description="Jane Roe copied the essay.")
        signals.USER_RETIRE_LMS_MISC.send(sender=None, user=learner)
        assert "Jane" not in Case.objects.get(pk=case.pk).description
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def test_the_legacy_instructor_dashboard_context_is_registered():
    from edx_django_utils.plugins.plugin_contexts import get_plugins_view_context  # pylint: disable=import-outside-toplevel

    context = {"sections": []}
    found = get_plugins_view_context("lms.djangoapp", "instructor_dashboard", context)
    assert "honorcode_xblock" in found["plugins"]  # the function ran (no course in the context: no section)
    assert context["sections"] == []
