"""
The embedded default under concurrent writes: the demo, as ``make demo`` serves it (Django's threaded development
server on an SQLite file), takes eight clients adding evidence to one case at once without a single error.

It runs the demo's own commands in a throwaway folder, not the test database: what is checked is the demo's SQLite
configuration (WAL, a busy timeout, transactions that take the write lock when they begin).
"""
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import django
import pytest
import requests

from .integration.services import free_port

REPO = Path(__file__).resolve().parents[1]
COURSE = "course-v1:HonorCode+Demo+2026"
CLIENTS, EACH = 8, 10


@pytest.fixture
def demo_server(tmp_path):
    """``make demo``'s three commands, on an SQLite file in ``tmp_path``; yields the server's address."""
    port = free_port()
    env = {**os.environ, "HONORCODE_DB": "sqlite", "HONORCODE_VAR_DIR": str(tmp_path),
           "HONORCODE_SQLITE_PATH": str(tmp_path / "demo.db"), "HONORCODE_CACHE": "file",
           "HONORCODE_CELERY_EAGER": "true", "HONORCODE_DEBUG": "false", "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    django = [sys.executable, "-m", "django"]
    settings = "--settings=honorcode_demo.settings"
    subprocess.run([*django, "migrate", "--run-syncdb", "-v", "0", settings], cwd=REPO, env=env, check=True)
    subprocess.run([*django, "seed_demo", "--port", str(port), settings], cwd=REPO, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    with open(tmp_path / "server.log", "wb") as log:
        server = subprocess.Popen(  # pylint: disable=consider-using-with
            [*django, "runserver", "--noreload", f"127.0.0.1:{port}", settings], cwd=REPO, env=env, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(base + "/api/honorcode/v1/policy-versions/", timeout=2)
            break
        except requests.ConnectionError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp_path / "server.log").read_text()[-3000:]) from None
            time.sleep(0.2)
    yield base, tmp_path / "demo.db"
    server.terminate()
    server.wait(timeout=30)


def signed_in(base):
    """A session of the demo's staff login, with its CSRF token."""
    session = requests.Session()
    session.get(base + "/demo/login/", timeout=30)
    token = session.cookies["csrftoken"]
    answer = session.post(base + "/demo/login/", data={"username": "staff", "password": "staff-demo-password",
                                                       "csrfmiddlewaretoken": token, "next": "/"},
                          allow_redirects=False, timeout=30)
    assert answer.status_code in (302, 303), answer.text[:500]
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    session.headers["Referer"] = base + "/"
    return session


@pytest.mark.skipif(django.VERSION < (5, 1), reason="SQLite transactions take the write lock at BEGIN from Django 5.1, "
                                                  "which the demo's requirements pin")
def test_eight_clients_add_evidence_to_one_case_at_once_without_an_error(demo_server):
    base, database = demo_server
    opened = signed_in(base).post(base + f"/api/honorcode/v1/courses/{COURSE}/cases/", json={
        "respondents": ["alice"], "commitment": "own_work", "description": "Same answers as bob."}, timeout=30)
    assert opened.status_code == 201, opened.text[:500]
    url = base + f"/api/honorcode/v1/cases/{opened.json()['id']}/evidence/"
    sessions = [signed_in(base) for _ in range(CLIENTS)]
    statuses, start = Counter(), threading.Barrier(CLIENTS)

    def add(session, number):
        start.wait()
        for item in range(EACH):
            answer = session.post(url, json={"text": f"Screenshot {number}.{item}"}, timeout=120)
            statuses[answer.status_code] += 1

    threads = [threading.Thread(target=add, args=(session, number)) for number, session in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == {201: CLIENTS * EACH}
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM honorcode_evidence").fetchone()[0] == CLIENTS * EACH
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
