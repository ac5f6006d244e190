"""The demo's Celery app: configured from Django's settings (``CELERY_*``), as the LMS configures its own."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "honorcode_demo.settings")

app = Celery("honorcode_demo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["honorcode_xblock"])
