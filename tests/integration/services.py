"""
The real services the integration suite and the load benchmark run on: the demo under gunicorn and Celery workers,
on MariaDB (the database) and Redis (Django's cache and Celery's broker), each service in its own process group.
"""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_url(number):
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{number}"


def service_env(database, redis_db=10, **extra):
    """
    The environment of every process of one run (the server, the workers, the test process itself): the demo's
    settings on ``database`` in MariaDB, the cache in Redis database ``redis_db``, the broker in ``redis_db + 1``,
    the worker's fault switches in ``redis_db + 2``, tasks sent to a real worker, and retries a second apart instead
    of half a minute.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "honorcode_demo.settings",
        "HONORCODE_DB": "mysql",
        "HONORCODE_DB_NAME": database,
        "HONORCODE_CACHE": "redis",
        "HONORCODE_REDIS_URL": redis_url(redis_db),
        "HONORCODE_CELERY_EAGER": "false",
        "HONORCODE_CELERY_BROKER": redis_url(redis_db + 1),
        "HONORCODE_FAULTS_URL": redis_url(redis_db + 2),
        "HONORCODE_TASK_RETRY_DELAY": "1",
        "HONORCODE_DEBUG": "false",  # a real server keeps no query log
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    env.update({key: str(value) for key, value in extra.items()})
    return env


class Service:
    """A process group started for the run, with its output in a log file."""

    def __init__(self, name, argv, env, log_dir):
        self.name = name
        self.log = Path(log_dir) / f"{name}.log"
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(  # pylint: disable=consider-using-with
                argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )

    def alive(self):
        return self.process.poll() is None

    def log_text(self):
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def wait_for(self, ready, what, timeout=60):
        """Wait until ``ready()`` holds; fail with the log's end if the process dies or time runs out."""
        deadline = time.monotonic() + timeout
        while not ready():
            if not self.alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not become {what}:\n{self.log_text()[-4000:]}")
            time.sleep(0.2)

    def kill(self):
        """SIGKILL to the whole group: the process and its children die at once, mid-work (a crashed host)."""
        self._signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self, timeout=30):
        """SIGTERM to the group (a graceful shutdown), then SIGKILL if it lingers."""
        self._signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def _signal(self, number):
        try:
            os.killpg(self.process.pid, number)
        except ProcessLookupError:
            pass


def start_server(env, log_dir, *, port=None, workers=4, threads=8):
    """The demo under gunicorn (threaded workers, as an LMS runs), answering on 127.0.0.1."""
    port = port or free_port()
    server = Service("gunicorn", [
        sys.executable, "-m", "gunicorn", "honorcode_demo.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread", "--timeout", "120",
        "--backlog", "512", "--log-level", "warning",
    ], env, log_dir)
    server.base = f"http://127.0.0.1:{port}"

    def answers():
        try:
            urllib.request.urlopen(server.base + "/api/honorcode/v1/policy-versions/", timeout=2)  # noqa: S310
        except urllib.error.HTTPError:
            return True  # any HTTP answer: the application is loaded
        except OSError:
            return False
        return True

    server.wait_for(answers, "ready")
    return server


def start_worker(env, log_dir, name="worker", concurrency=2):
    """A Celery worker (prefork pool) of the demo's app, with the integration suite's fault switches."""
    worker = Service(name, [
        sys.executable, "-m", "tests.integration.worker", "worker", "--hostname", f"{name}@%h", "--pool", "prefork",
        "--concurrency", str(concurrency), "--without-gossip", "--without-mingle", "--loglevel", "INFO",
    ], env, log_dir)
    worker.wait_for(lambda: " ready." in worker.log_text(), "ready")
    return worker
