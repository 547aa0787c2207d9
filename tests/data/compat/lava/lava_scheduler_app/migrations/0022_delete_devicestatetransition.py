# Device transitions are now kept in the event log; the table is dropped by
# hand because other tables' foreign keys were removed in an earlier release.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("lava_scheduler_app", "0021_testjob_priority_db_default"),
    ]

    operations = [
        migrations.RunSQL(
            sql="DROP TABLE IF EXISTS lava_scheduler_app_devicestatetransition CASCADE;",
            reverse_sql=migrations.RunSQL.noop,
            state_operations=[
                migrations.DeleteModel(name="DeviceStateTransition"),
            ],
        ),
    ]
