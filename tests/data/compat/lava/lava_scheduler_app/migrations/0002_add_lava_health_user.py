# Health-check jobs are submitted on behalf of a dedicated system user; create
# it once so the scheduler never has to.

from django.conf import settings
from django.db import migrations


def create_lava_health_user(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    if User.objects.filter(username="lava-health").exists():
        return
    user = User(username="lava-health", first_name="LAVA", last_name="Health", is_active=True)
    user.set_unusable_password()
    user.save()


class Migration(migrations.Migration):

    dependencies = [
        ("lava_scheduler_app", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(create_lava_health_user, migrations.RunPython.noop),
    ]
