"""
The message telling a respondent of a determination is a "notification": "notice" now names only the notice of a
change to the honor code. A rename: every row is kept.
"""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('honorcode', '0007_drop_standalone_platform_tables'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name='notice', name='honorcode_one_notice_each'),
        migrations.RenameModel(old_name='Notice', new_name='Notification'),
        migrations.AlterModelOptions(name='notification', options={'verbose_name': 'determination notification'}),
        migrations.AlterField(
            model_name='notification',
            name='determination',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications',
                                    to='honorcode.determination'),
        ),
        migrations.AddConstraint(
            model_name='notification',
            constraint=models.UniqueConstraint(fields=('determination', 'user'), name='honorcode_one_notification_each'),
        ),
    ]
