# Health-check jobs used to be found by scanning the definition for
# "health-check"; store the device they ran for instead and fill it in for the
# jobs already in the database.

import django.db.models.deletion
from django.db import migrations, models


def fill_health_check_device(apps, schema_editor):
    TestJob = apps.get_model("lava_scheduler_app", "TestJob")
    jobs = TestJob.objects.filter(health_check=True, actual_device__isnull=False)
    for job in jobs.only("id", "actual_device_id").iterator(chunk_size=2000):
        job.health_check_device_id = job.actual_device_id
        job.save(update_fields=["health_check_device"])


def clear_health_check_device(apps, schema_editor):
    TestJob = apps.get_model("lava_scheduler_app", "TestJob")
    TestJob.objects.update(health_check_device=None)


class Migration(migrations.Migration):

    dependencies = [
        ("lava_scheduler_app", "0016_merge_20240312_0921"),
    ]

    operations = [
        migrations.AddField(
            model_name="testjob",
            name="health_check_device",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="health_check_jobs",
                to="lava_scheduler_app.device",
            ),
        ),
        migrations.RunPython(fill_health_check_device, clear_health_check_device),
    ]
