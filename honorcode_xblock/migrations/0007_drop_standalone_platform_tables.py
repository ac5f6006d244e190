"""
The standalone platform's tables leave the product.

Up to now 0004 and 0006 made ``honorcode_standaloneenrollment``, ``honorcode_standalonecertificate`` and
``honorcode_standalonegradeoverride`` on every site, the LMS included. They belong to the standalone platform (the
demo and the tests), which keeps them in an app of its own (``honorcode_xblock.platform.standalone``, label
``honorcode_standalone``); an LMS that installs the package gets only the product's tables. Where the earlier
migrations made them, they are dropped here (nothing in the LMS ever wrote to them); anywhere else nothing happens.
Going back leaves them gone: the earlier migrations no longer know them.
"""
from django.db import migrations

OLD_TABLES = (
    "honorcode_standaloneenrollment",
    "honorcode_standalonecertificate",
    "honorcode_standalonegradeoverride",
)


class Migration(migrations.Migration):

    dependencies = [
        ('honorcode', '0006_certificate_holds'),
    ]

    operations = [
        # SQLite, MySQL/MariaDB and PostgreSQL all say it so (``sqlmigrate honorcode 0007`` shows it)
        migrations.RunSQL([f"DROP TABLE IF EXISTS {table}" for table in OLD_TABLES], migrations.RunSQL.noop,
                          elidable=True),
    ]
