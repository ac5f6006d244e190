"""Publish the honor code this package ships as version 1, on a site that has none."""
from django.db import migrations
from django.utils import timezone

from honorcode_xblock.sanitize import clean_html


def publish_default(apps, schema_editor):
    PolicyVersion = apps.get_model("honorcode", "PolicyVersion")
    if PolicyVersion.objects.exists():
        return
    from honorcode_xblock.api import default_policy_text  # pylint: disable=import-outside-toplevel

    body = default_policy_text()
    PolicyVersion.objects.create(
        number=1,
        title="Honor Code",
        body=clean_html(body),
        change_kind="material",
        change_summary="",
        published_at=timezone.now(),
    )


def unpublish_default(apps, schema_editor):
    PolicyVersion = apps.get_model("honorcode", "PolicyVersion")
    PolicyVersion.objects.filter(number=1, published_by__isnull=True, acceptances__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [("honorcode", "0001_initial")]

    operations = [migrations.RunPython(publish_default, unpublish_default)]
