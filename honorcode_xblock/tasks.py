"""
Celery tasks: applying sanctions and sending notifications, retried with exponential backoff; running detection.

Each task is a thin entry point: the work, its idempotency and whether a retry can help live in the domain (``api``):
applying an applied sanction, or sending a sent notification, changes nothing, so a retry or a redelivered message is
harmless.
"""
import logging
import random

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from honorcode_xblock import api

log = logging.getLogger(__name__)


def max_retries():
    """How often a failed sanction or notification is retried before staff must retry it by hand."""
    # .. setting_name: HONORCODE_TASK_MAX_RETRIES
    # .. setting_default: 5
    # .. setting_description: How many times the tasks that apply sanctions and send determination notifications retry a
    #   failure (with exponential backoff from ``HONORCODE_TASK_RETRY_DELAY``, capped at an hour) before the sanction stays "failed"
    #   for course staff to retry.
    return int(getattr(settings, "HONORCODE_TASK_MAX_RETRIES", 5))


def first_retry_delay():
    """Seconds before the first retry; each later retry waits twice as long as the one before."""
    # .. setting_name: HONORCODE_TASK_RETRY_DELAY
    # .. setting_default: 30
    # .. setting_description: The base of the tasks' exponential backoff, in seconds: the first retry of a failed
    #   sanction or notification comes after about this long (with jitter), each later one after twice as long, capped at
    #   an hour.
    return max(1, int(getattr(settings, "HONORCODE_TASK_RETRY_DELAY", 30)))


def backoff(retries):
    """Seconds before the next attempt: the first delay doubling per retry, capped at an hour, with jitter."""
    delay = min(3600, first_retry_delay() * (2 ** retries))
    return int(delay / 2 + random.uniform(0, delay / 2))  # noqa: S311 (jitter, not security)


#: Errors of the task's own work (not of the platform call, which ``api`` records as a failed attempt): a lock wait
#: timeout, a dropped connection. They are retried like a failed attempt; the sanction stays pending meanwhile.
TRANSIENT = (DatabaseError,)


def _retry(task, unfinished, error=None):
    """Retry ``task`` with backoff while its work is ``unfinished`` and retries remain; one policy for every cause."""
    if unfinished and task.request.retries < max_retries():
        raise task.retry(exc=error, countdown=backoff(task.request.retries), max_retries=max_retries())
    if error is not None:
        raise error


@shared_task(bind=True, name="honorcode_xblock.tasks.apply_sanction", acks_late=True)
def apply_sanction(self, sanction_id):
    """Apply one sanction; retry while it fails."""
    try:
        sanction = api.apply_sanction(sanction_id)
    except TRANSIENT as error:
        _retry(self, True, error)
    _retry(self, api.retry_would_help(sanction))
    return sanction.state if sanction is not None else None


@shared_task(bind=True, name="honorcode_xblock.tasks.send_notifications", acks_late=True)
def send_notifications(self, determination_id):
    """Send a determination's notifications; retry while one is unsent."""
    try:
        unsent = api.send_notifications(determination_id)
    except TRANSIENT as error:
        _retry(self, True, error)
    _retry(self, unsent)
    return unsent


@shared_task(bind=True, name="honorcode_xblock.tasks.request_certificate", acks_late=True)
def request_certificate(self, user_id, course_key):
    """Ask the platform for a learner's certificate that nothing withholds any more; retry on a database error."""
    try:
        return api.request_certificate(user_id, course_key)
    except TRANSIENT as error:
        _retry(self, True, error)
    return None


@shared_task(bind=True, name="honorcode_xblock.tasks.run_detection", acks_late=True)
def run_detection(self, run_id):
    """
    Run a queued detection run (suspected multiple accounts in a course's events). A failure of the detection itself
    is recorded on the run (failed, with its error) for staff to see and run again; a database error is retried.
    """
    try:
        run = api.run_detection(run_id)
    except TRANSIENT as error:
        _retry(self, True, error)
    return run.status if run is not None else None


@shared_task(name="honorcode_xblock.tasks.resume_pending_work")
def resume_pending_work():
    """
    Queue again sanctions still pending and notifications still unsent after ``api.STALE_WORK_SECONDS`` (a broker outage,
    a worker killed mid-task), and ask again for certificates whose hold no longer applies. Schedule it with Celery
    beat (e.g. every 10 minutes) or run the management command ``resume_honor_code_work`` from cron.
    """
    return api.resume_pending_work()
