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
