"""Put back the rows that data migrations create, when a test emptied them.

Django flushes the database after a transactional test (the browser tests, the
concurrent newsletter workers), and --reuse-db keeps it that way for the next
run: no permissions, role groups or demo newsletter lists.
"""

import importlib

from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS

from accounts.newsletters.demo import create_demo_newsletters
from accounts.newsletters.models import Newsletter
from articles.models import Section, SitePage


def restore_migration_data():
    if (
        Group.objects.filter(name="المحررون").exists()
        and Newsletter.objects.exists()
        and SitePage.objects.exists()
    ):
        return
    emit_post_migrate_signal(verbosity=0, interactive=False, db=DEFAULT_DB_ALIAS)
    roles = importlib.import_module("articles.migrations.0002_roles").ROLES
    for name, codenames in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="articles", codename__in=codenames
            )
        )
    front_page = importlib.import_module("articles.migrations.0010_front_page")
    Group.objects.get(name=front_page.EDITORS).permissions.add(
        *Permission.objects.filter(
            content_type__app_label="articles",
            codename__in=front_page.EDITOR_PERMISSIONS,
        )
    )
    library = importlib.import_module("articles.migrations.0011_media_library")
    for name, codenames in library.PERMISSIONS.items():
        Group.objects.get(name=name).permissions.add(
            *Permission.objects.filter(
                content_type__app_label="articles", codename__in=codenames
            )
        )
    newsletters = importlib.import_module(
        "accounts.newsletters.migrations.0003_editor_permissions"
    )
    Group.objects.get(name=newsletters.EDITORS).permissions.add(
        *Permission.objects.filter(
            content_type__app_label="newsletters",
            codename__in=newsletters.EDITOR_PERMISSIONS,
        )
    )
    create_demo_newsletters(Newsletter, Section)
    site_pages = importlib.import_module("articles.migrations.0015_site_pages")
    for slug, text in site_pages.PAGES.items():
        SitePage.objects.get_or_create(slug=slug, defaults=text)
    Group.objects.get(name=site_pages.EDITORS).permissions.add(
        *Permission.objects.filter(
            content_type__app_label="articles",
            codename__in=site_pages.EDITOR_PERMISSIONS,
        )
    )
