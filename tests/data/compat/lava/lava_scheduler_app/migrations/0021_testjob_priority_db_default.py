# The scheduler's raw INSERTs for resubmitted jobs omit priority: give the
# column a database default so they keep working whatever the model says.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("lava_scheduler_app", "0020_testjob_actual_device_state_idx"),
    ]

    operations = [
        migrations.RunSQL(
            sql="ALTER TABLE lava_scheduler_app_testjob ALTER COLUMN priority SET DEFAULT 50;",
            reverse_sql="ALTER TABLE lava_scheduler_app_testjob ALTER COLUMN priority DROP DEFAULT;",
        ),
    ]
