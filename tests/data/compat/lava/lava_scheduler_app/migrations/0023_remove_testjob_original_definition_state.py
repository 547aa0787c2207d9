# First half of removing TestJob.original_definition: the model forgets the
# field now, the column stays one more release for the servers still running
# the old code. New code no longer writes it, so it must accept NULL.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("lava_scheduler_app", "0022_delete_devicestatetransition"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="testjob",
                    name="original_definition",
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql="ALTER TABLE lava_scheduler_app_testjob ALTER COLUMN original_definition DROP NOT NULL;",
                    reverse_sql="ALTER TABLE lava_scheduler_app_testjob ALTER COLUMN original_definition SET NOT NULL;",
                ),
            ],
        ),
    ]
