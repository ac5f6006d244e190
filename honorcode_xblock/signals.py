"""
In-process signals through which ``api`` hands slow work to the task queue without importing it.

``receivers.py`` connects them to the Celery tasks in ``tasks.py``; ``api`` sends them after its transaction commits.
"""
from django.dispatch import Signal

#: A sanction waits to be applied. Sent with ``sanction_id``.
sanction_pending = Signal()
#: A determination's notifications wait to be sent. Sent with ``determination_id``.
notifications_pending = Signal()
#: A learner's certificate may now be issued (nothing withholds it any more): ask the platform for it. Sent with
#: ``user_id`` and ``course_key`` (a string).
certificate_wanted = Signal()
#: A detection run waits to run. Sent with ``run_id``.
detection_queued = Signal()
