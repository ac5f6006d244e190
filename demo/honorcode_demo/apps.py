"""The demo app: seeds the embedded default's users and course settings."""
import django
from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sqlite_wal(sender, connection, **kwargs):  # pylint: disable=unused-argument
    """Django 4.2 (no ``init_command`` for SQLite): readers of the demo's database never wait for its writer."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")


class DemoConfig(AppConfig):
    name = "honorcode_demo"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        if django.VERSION < (5, 1):
            connection_created.connect(_sqlite_wal, dispatch_uid="honorcode_demo.sqlite_wal")
