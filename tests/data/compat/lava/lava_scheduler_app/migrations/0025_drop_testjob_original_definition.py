# Second half: every server now runs code without original_definition, drop
# the column itself. The model state already lost it in 0023.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("lava_scheduler_app", "0024_obsolete_device_dictionary_fixup"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql="ALTER TABLE lava_scheduler_app_testjob DROP COLUMN original_definition;",
                    reverse_sql="ALTER TABLE lava_scheduler_app_testjob ADD COLUMN original_definition text NULL;",
                ),
            ],
            state_operations=[],
        ),
    ]
