"""Shared fixtures."""
import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from .helpers import COURSE_KEY, OTHER_COURSE_KEY
from .openedx_doubles import FakeOpenEdx, installed


@pytest.fixture(autouse=True)
def standalone_courses(settings):
    """The courses the tests use exist on the standalone platform (besides the demo course)."""
    settings.HONORCODE_STANDALONE_COURSES = [str(COURSE_KEY), str(OTHER_COURSE_KEY)]


@pytest.fixture
def learner(db):
    return get_user_model().objects.create_user("learner", email="learner@example.com", password="pw")


@pytest.fixture
def other_learner(db):
    return get_user_model().objects.create_user("other", email="other@example.com", password="pw")


@pytest.fixture
def harvester(db):
    """A second account of the same person (one case covers both)."""
    return get_user_model().objects.create_user("harvester", email="harvester@example.com", password="pw")


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
    fake.courses.update({str(COURSE_KEY): "Test Course", str(OTHER_COURSE_KEY): "Other Course"})  # their overviews
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


@pytest.fixture
def run_commit_hooks(monkeypatch, django_capture_on_commit_callbacks):
    """
    Run what ``api`` defers to the commit (the tasks, eager here, and the events) when each call returns, as a real
    commit would; the test's own transaction never commits. Nested calls (a task calling ``api``) run theirs once,
    with the outermost call's.
    """
    from honorcode_xblock import api  # pylint: disable=import-outside-toplevel

    depth = [0]
    for name in ("accept", "determine", "apply_sanction", "retry_sanction", "revert_sanction", "send_notifications"):
        real = getattr(api, name)

        def committed(*args, _real=real, **kwargs):
            if depth[0]:
                return _real(*args, **kwargs)
            depth[0] += 1
            try:
                with django_capture_on_commit_callbacks(execute=True):
                    return _real(*args, **kwargs)
            finally:
                depth[0] -= 1

        monkeypatch.setattr(api, name, committed)
