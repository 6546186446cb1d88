import importlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from accounts.newsletters.demo import create_demo_newsletters
from accounts.newsletters.models import (
    IssueArticle,
    Newsletter,
    NewsletterIssue,
    Subscription,
)
from articles.models import Section
from tests.factories import ArticleFactory, UserFactory


@pytest.fixture(autouse=True)
def _migration_data(db):
    """Put back what migrations create, if a transactional test emptied it.

    Django flushes the database after a transactional test (our concurrent
    PostgreSQL test, the e2e tests), and --reuse-db then keeps it empty for
    the next run: no permissions, role groups or demo lists.
    """
    if Group.objects.filter(name="المحررون").exists() and Newsletter.objects.exists():
        return
    emit_post_migrate_signal(verbosity=0, interactive=False, db=DEFAULT_DB_ALIAS)
    roles = importlib.import_module("articles.migrations.0002_roles").ROLES
    ours = importlib.import_module(
        "accounts.newsletters.migrations.0003_editor_permissions"
    )
    for name, codenames in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="articles", codename__in=codenames
            )
        )
    Group.objects.get(name=ours.EDITORS).permissions.add(
        *Permission.objects.filter(
            content_type__app_label="newsletters",
            codename__in=ours.EDITOR_PERMISSIONS,
        )
    )
    create_demo_newsletters(Newsletter, Section)


@pytest.fixture
def newsletter(db):
    return Newsletter.objects.create(
        name="نشرة الاختبار",
        slug="نشرة-الاختبار",
        description="أخبار مختارة للاختبار.",
        cadence=Newsletter.Cadence.DAILY,
    )


@pytest.fixture
def make_subscribers(newsletter):
    """`n` verified readers confirmed on `newsletter` (bulk, for speed)."""

    def make(n, target=None):
        target = target or newsletter
        users = UserFactory.create_batch(n, verified=True)
        now = timezone.now()
        Subscription.objects.bulk_create(
            Subscription(
                user=user,
                newsletter=target,
                source=Subscription.Source.SIGNUP,
                confirmed_at=now,
            )
            for user in users
        )
        return users

    return make


@pytest.fixture
def issue(newsletter):
    """A draft issue with two published stories."""
    issue = NewsletterIssue.objects.create(
        newsletter=newsletter, subject="موجز اليوم", intro="صباح الخير."
    )
    for position, article in enumerate(ArticleFactory.create_batch(2)):
        IssueArticle.objects.create(issue=issue, article=article, position=position)
    return issue
