"""Publish the honor code this package ships as version 1, on a site that has none."""
from importlib import resources

from django.db import migrations
from django.utils import timezone

from honorcode_xblock.sanitize import clean_html

#: The text as shipped with version 1 (the file is never edited; a new default would be a new file and migration).
DEFAULT_FILE = "data/honor_code_v1.html"


def publish_default(apps, schema_editor):
    PolicyVersion = apps.get_model("honorcode", "PolicyVersion")
    if PolicyVersion.objects.exists():
        return
    body = resources.files("honorcode_xblock").joinpath(DEFAULT_FILE).read_text(encoding="utf-8")
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
