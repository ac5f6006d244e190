"""
A Celery worker of the demo's app, with faults that the integration suite switches on through Redis.

The standalone platform's sanction calls look at a Redis list per call before doing their work
(``honorcode-fault:<call>``); each fault pushed there is used by one call, in order:

``fail``     do the work, then raise: a platform call that fails half-way (its writes must be rolled back);
``hang``     announce the process id on ``honorcode-fault:entered`` and block: the test kills the worker mid-task;
``drop-db``  kill this process's own database connection on the server, then do the work: the connection drops.

Run it as ``python -m tests.integration.worker worker ...`` with the integration environment (``services.py``).
"""
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "honorcode_demo.settings")
django.setup()

import MySQLdb  # noqa: E402  pylint: disable=wrong-import-position
import redis  # noqa: E402  pylint: disable=wrong-import-position
from django.conf import settings  # noqa: E402  pylint: disable=wrong-import-position
from django.db import connection  # noqa: E402  pylint: disable=wrong-import-position

from honorcode_demo.celery import app  # noqa: E402  pylint: disable=wrong-import-position
from honorcode_xblock.platform.standalone.platform import StandalonePlatform  # noqa: E402  pylint: disable=wrong-import-position

FAULT_CALLS = ("override_grade_to_zero", "revoke_certificate", "unenroll_without_refund", "terminate_account")


class InjectedFault(RuntimeError):
    """The failure a ``fail`` fault raises."""


def drop_own_connection():
    """Have the server kill this process's database connection, as a failover or a network cut would."""
    thread_id = connection.connection.thread_id()
    database = settings.DATABASES["default"]
    killer = MySQLdb.connect(host=database["HOST"], port=int(database["PORT"]), user=database["USER"],
                             passwd=database["PASSWORD"])
    try:
        killer.cursor().execute(f"KILL CONNECTION {int(thread_id)}")
    finally:
        killer.close()


def with_faults(name, real, faults):
    def call(self, *args, **kwargs):
        fault = faults.lpop(f"honorcode-fault:{name}")
        if fault == b"hang":
            faults.rpush("honorcode-fault:entered", os.getpid())
            time.sleep(3600)
        if fault == b"drop-db":
            drop_own_connection()
        result = real(self, *args, **kwargs)
        if fault == b"fail":
            raise InjectedFault(f"{name} failed after doing part of its work")
        return result

    call.__name__ = name
    return call


def install_faults():
    faults = redis.Redis.from_url(os.environ["HONORCODE_FAULTS_URL"])
    for name in FAULT_CALLS:
        setattr(StandalonePlatform, name, with_faults(name, getattr(StandalonePlatform, name), faults))


if __name__ == "__main__":
    install_faults()
    app.worker_main(sys.argv[1:])
