from django.db import migrations

from accounts.newsletters.demo import create_demo_newsletters


def forwards(apps, schema_editor):
    create_demo_newsletters(
        apps.get_model("newsletters", "Newsletter"),
        apps.get_model("articles", "Section"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("newsletters", "0001_initial"),
    ]

    # Reversing keeps the lists: they may already carry subscriptions.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
