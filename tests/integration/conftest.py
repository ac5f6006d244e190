"""
The integration suite's services: the test database that pytest-django creates on MariaDB, served by the demo under
gunicorn, with Django's cache in Redis and a real Celery worker taking tasks from a Redis broker.

Run it with ``make test-integration``, which sets the environment these fixtures check for.
"""
import itertools

import pytest
from django.conf import settings
from django.db import connection

from honorcode_xblock import api

from . import services
from .helpers import COURSE, cache_redis_db, staff_member


def pytest_collection_modifyitems(config, items):  # pylint: disable=unused-argument
    """The suite needs the real services: without them (``make test``) its tests are skipped, with the reason."""
    ready = (connection.vendor == "mysql" and "redis" in settings.CACHES["default"]["BACKEND"].lower()
             and not settings.CELERY_TASK_ALWAYS_EAGER)
    skip = pytest.mark.skip(reason="needs MariaDB, Redis and a Celery worker: run `make test-integration`")
    for item in items:
        if "integration" in item.keywords and not ready:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def faults():
    """The worker's fault switches (``worker.py``), emptied before each use."""
    import redis  # pylint: disable=import-outside-toplevel  (installed with requirements/ci.txt)

    client = redis.Redis.from_url(services.redis_url(cache_redis_db() + 2))
    client.flushdb()
    return client


class Stack:
    """The running services: the server, and the worker, which a test may kill and replace."""

    def __init__(self, env, log_dir):
        self.env, self.log_dir = env, log_dir
        self.server = services.start_server(env, log_dir)
        self.base = self.server.base
        self.generation = itertools.count(1)
        self.worker = services.start_worker(env, log_dir, name=f"worker{next(self.generation)}")

    def restart_worker(self, kill=False):
        """A new worker in place of the running one (killed outright, mid-work, when ``kill``)."""
        if kill:
            self.worker.kill()
        else:
            self.worker.stop()
        self.worker = services.start_worker(self.env, self.log_dir, name=f"worker{next(self.generation)}")

    def stop(self):
        self.worker.stop()
        self.server.stop()


@pytest.fixture(scope="session")
def stack(django_db_setup, tmp_path_factory, faults):  # pylint: disable=unused-argument
    """gunicorn and a worker on the test database; they share the test process's Redis cache and broker."""
    import redis  # pylint: disable=import-outside-toplevel

    redis_db = cache_redis_db()
    redis.Redis.from_url(services.redis_url(redis_db + 1)).flushdb()  # no message left over from another run
    log_dir = tmp_path_factory.mktemp("services")
    running = Stack(services.service_env(settings.DATABASES["default"]["NAME"], redis_db, HONORCODE_VAR_DIR=log_dir),
                    log_dir)
    yield running
    running.stop()


@pytest.fixture
def live(stack, transactional_db, faults):  # pylint: disable=unused-argument
    """
    A committed world the other processes see: the honor code published, the demo course using it, and no fault
    switched on. (The flush after each transactional test empties the tables, the published version included.)
    """
    faults.flushdb()
    if api.current_policy() is None:
        api.publish_new_policy(body=api.default_policy_text(), change_kind="material")
    api.save_course_settings(COURSE, terms_html="<p>Course terms.</p>", collaboration_text="", acceptance_mode="checkbox",
                             gate_graded_content=True, actor=staff_member())
    yield stack
    faults.flushdb()
