# One partial index per live job state, so the scheduler's "next jobs in state
# X" queries stay cheap. The statements are generated from the state list so
# they follow it when a state is added.

from django.db import migrations

LIVE_STATES = {
    "submitted": 0,
    "scheduling": 1,
    "scheduled": 2,
    "running": 3,
    "canceling": 4,
}


def index_statements(template):
    return [
        template.format(name=name, value=value) for name, value in LIVE_STATES.items()
    ]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("lava_scheduler_app", "0029_device_hostname_trigram_index"),
    ]

    operations = [
        migrations.RunSQL(
            sql=index_statements(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS testjob_{name}_idx "
                "ON lava_scheduler_app_testjob (submit_time) WHERE state = {value}"
            ),
            reverse_sql=index_statements("DROP INDEX CONCURRENTLY IF EXISTS testjob_{name}_idx"),
        ),
    ]
