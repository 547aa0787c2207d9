# Device-type templates cached in the database are regenerated from the
# jinja2 files shipped with this release. The work is done by a small
# operation class so that it also runs on `migrate --fake-initial` setups.

from django.db import migrations
from django.db.migrations.operations.base import Operation


class RebuildDeviceTypeTemplates(Operation):
    reversible = True

    def __init__(self, table):
        self.table = table

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        from lava_scheduler_app.utils import load_devicetype_template

        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"SELECT name FROM {self.table}")
            for (name,) in cursor.fetchall():
                template = load_devicetype_template(name, raw=True)
                if template is None:
                    continue
                schema_editor.execute(
                    f"UPDATE {self.table} SET health_check_job = %s WHERE name = %s",
                    params=[template, name],
                )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def describe(self):
        return f"Rebuild device-type templates in {self.table}"


class Migration(migrations.Migration):

    dependencies = [
        ("lava_scheduler_app", "0030_testjob_state_partial_indexes"),
    ]

    operations = [
        RebuildDeviceTypeTemplates("lava_scheduler_app_devicetype"),
    ]
