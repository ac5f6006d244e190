"""The demo app: seeds the embedded default's users and course settings."""
from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "honorcode_demo"
    default_auto_field = "django.db.models.BigAutoField"
