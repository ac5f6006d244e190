"""
Signal receivers: the app's own hand-offs to its tasks, and edx-platform's user retirement.

Connected in ``HonorCodeConfig.ready`` (the hand-offs, on every platform) and through the plugin's
``signals_config`` (the retirement signal, which only the LMS has).
"""
import logging

from honorcode_xblock import api, tasks

log = logging.getLogger(__name__)


def queue_sanction(sender, sanction_id, **kwargs):  # pylint: disable=unused-argument
    """A sanction waits: apply it in a Celery task (run at once where ``CELERY_TASK_ALWAYS_EAGER`` is on)."""
    tasks.apply_sanction.delay(sanction_id)


def queue_notices(sender, determination_id, **kwargs):  # pylint: disable=unused-argument
    """A determination's notifications wait: send them in a Celery task."""
    tasks.send_notifications.delay(determination_id)


def queue_certificate_request(sender, user_id, course_key, **kwargs):  # pylint: disable=unused-argument
    """A learner's certificate may now be issued: ask the platform for it in a Celery task (it reads the grade)."""
    tasks.request_certificate.delay(user_id, course_key)


def queue_detection(sender, run_id, **kwargs):  # pylint: disable=unused-argument
    """A detection run waits: run it in a Celery task (it reads the course's events, which takes a while)."""
    tasks.run_detection.delay(run_id)


def retire_user(sender, user, **kwargs):  # pylint: disable=unused-argument
    """
    Receiver of ``openedx.core.djangoapps.user_api.accounts.signals.USER_RETIRE_LMS_MISC``, sent by the retirement
    pipeline's ``retire_misc`` step (``openedx/core/djangoapps/user_api/accounts/views.py``
    ``LMSAccountRetirementView.post``) with the retiring ``user``: redact the learner's personal data here.
    """
    counts = api.retire_user(user)
    log.info("Honor code data of retired user %s redacted: %s", user.pk, counts)
