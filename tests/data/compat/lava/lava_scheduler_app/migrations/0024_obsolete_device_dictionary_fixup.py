# This migration used to rewrite device dictionaries stored in the database.
# They moved to the filesystem long ago; the code is gone but the node stays so
# that the migration graph of existing instances is unchanged.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("lava_scheduler_app", "0023_remove_testjob_original_definition_state"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),
    ]
