import pytest
from django.utils import timezone

from accounts.newsletters.models import (
    IssueArticle,
    Newsletter,
    NewsletterIssue,
    Subscription,
)
from tests.factories import ArticleFactory, UserFactory


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
