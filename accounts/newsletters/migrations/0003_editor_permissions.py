"""Editors compose and send newsletters. Exporting subscribers (personal
data) is deliberately NOT part of the role: grant export_subscribers to
named people."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "المحررون"
EDITOR_PERMISSIONS = [
    "view_newsletter",
    "change_newsletter",
    "view_subscription",
    "add_newsletterissue",
    "change_newsletterissue",
    "delete_newsletterissue",
    "view_newsletterissue",
    "add_issuearticle",
    "change_issuearticle",
    "delete_issuearticle",
    "view_issuearticle",
    "view_delivery",
    "view_suppression",
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("newsletters")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="newsletters", codename__in=EDITOR_PERMISSIONS
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=EDITORS).first()
    if group:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="newsletters", codename__in=EDITOR_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("newsletters", "0002_demo_newsletters"),
        ("articles", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
