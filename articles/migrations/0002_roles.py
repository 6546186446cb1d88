"""The newsroom's two roles. Object rules (a writer edits only their own
drafts) live in the article admin; these are the model permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WRITER_PERMISSIONS = [
    "add_article",
    "change_article",
    "view_article",
    "view_historicalarticle",
    "view_section",
    "view_author",
    "add_tag",
    "view_tag",
]
EDITOR_PERMISSIONS = WRITER_PERMISSIONS + [
    "delete_article",
    "publish_article",
    "add_section",
    "change_section",
    "add_author",
    "change_author",
    "change_tag",
    "delete_tag",
]
ROLES = {"الكتّاب": WRITER_PERMISSIONS, "المحررون": EDITOR_PERMISSIONS}


def create_roles(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="articles", codename__in=codenames
            )
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
