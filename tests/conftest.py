"""Shared fixtures."""
import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from .openedx_doubles import FakeOpenEdx, installed


@pytest.fixture
def learner(db):
    return get_user_model().objects.create_user("learner", email="learner@example.com", password="pw")


@pytest.fixture
def other_learner(db):
    return get_user_model().objects.create_user("other", email="other@example.com", password="pw")


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_superuser("operator", email="op@example.com", password="pw")


@pytest.fixture
def author(db):
    """A course author: on the standalone platform, a staff account."""
    return get_user_model().objects.create_user("author", email="author@example.com", password="pw", is_staff=True)


@pytest.fixture
def openedx(db):
    """The Open edX platform layer, over doubles of the edx-platform modules it calls."""
    fake = FakeOpenEdx()
    with override_settings(HONORCODE_PLATFORM="honorcode_xblock.platform.openedx.OpenEdxPlatform"), installed(fake):
        yield fake


@pytest.fixture(autouse=True)
def fresh_caches():
    """Each test starts with empty caches: cached gate states must not outlive the rows they describe."""
    from django.core.cache import cache  # pylint: disable=import-outside-toplevel
    from edx_django_utils.cache import RequestCache  # pylint: disable=import-outside-toplevel

    cache.clear()
    RequestCache.clear_all_namespaces()
    yield
    RequestCache.clear_all_namespaces()
