"""Newsletter workflows: subscribing, confirming, unsubscribing, composing.

Delivery (queueing and sending issues) lives in delivery.py.
"""

from collections.abc import Iterable

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import (
    IssueArticle,
    Newsletter,
    NewsletterIssue,
    Subscription,
    Suppression,
)

UNSUBSCRIBE_SALT = "newsletters.unsubscribe"
FILL_LIMIT = {
    Newsletter.Cadence.DAILY: 8,
    Newsletter.Cadence.WEEKLY: 10,
    Newsletter.Cadence.BREAKING: 1,
}


# Subscriptions


def subscribe(
    *, user, newsletters: Iterable[Newsletter], source: str
) -> list[Subscription]:
    """Start a subscription to each list the reader is not already on.

    Confirmed at once if the reader's address is verified; otherwise it waits
    for `confirm_pending_subscriptions()` (double opt-in).
    """
    now = timezone.now()
    created = []
    for newsletter in newsletters:
        if not newsletter.is_active:
            continue
        try:
            # The savepoint keeps an outer transaction usable if a concurrent
            # request won the race for the same (user, newsletter).
            with transaction.atomic():
                subscription, was_created = Subscription.objects.live().get_or_create(
                    user=user,
                    newsletter=newsletter,
                    defaults={
                        "source": source,
                        "created_at": now,
                        "confirmed_at": now if user.is_verified else None,
                    },
                )
        except IntegrityError:
            continue
        if was_created:
            created.append(subscription)
    return created


def unsubscribe(*, subscription: Subscription, reason: str) -> bool:
    """End a live subscription; False if it had already ended."""
    return bool(
        Subscription.objects.filter(pk=subscription.pk, ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason=reason
        )
    )


def set_subscriptions(
    *, user, newsletters: Iterable[Newsletter], source: str, end_reason: str
) -> None:
    """Make the reader's live subscriptions exactly `newsletters` (account page)."""
    wanted = {n.pk: n for n in newsletters}
    with transaction.atomic():
        for subscription in Subscription.objects.live().filter(user=user):
            if subscription.newsletter_id not in wanted:
                unsubscribe(subscription=subscription, reason=end_reason)
        subscribe(user=user, newsletters=wanted.values(), source=source)


def confirm_pending_subscriptions(user) -> int:
    """Call when the reader verifies their address (the second opt-in).

    Confirms every waiting subscription and lifts a bounce suppression on the
    address, since the reader has just proven it receives mail again.
    """
    if not user.is_verified:
        return 0
    Suppression.objects.filter(email=user.email.lower()).delete()
    return (
        Subscription.objects.pending()
        .filter(user=user)
        .update(confirmed_at=timezone.now())
    )


# Unsubscribe tokens: signed subscription ids. They never expire, because an
# unsubscribe link in a years-old e-mail must still work.


def make_unsubscribe_token(subscription: Subscription) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(subscription.pk))


def subscription_from_token(token: str) -> Subscription | None:
    """The subscription a token names, or None if it is forged or unknown."""
    try:
        pk = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    if not pk.isdigit():
        return None
    return (
        Subscription.objects.select_related("newsletter", "user")
        .filter(pk=int(pk))
        .first()
    )


# Composing issues


def previous_sent_issue(newsletter: Newsletter) -> NewsletterIssue | None:
    return (
        newsletter.issues.filter(status=NewsletterIssue.Status.SENT)
        .order_by("-started_at")
        .first()
    )


def fill_automatically(issue: NewsletterIssue, *, limit: int | None = None) -> int:
    """Add the top stories published since the list's previous sent issue.

    Lead stories first, then newest; restricted to the list's sections when it
    has any. Articles already in the issue stay and are not added twice.
    Returns the number of articles added.
    """
    from articles.models import Article

    newsletter = issue.newsletter
    limit = limit or FILL_LIMIT.get(newsletter.cadence, 8)
    stories = Article.objects.published()
    previous = previous_sent_issue(newsletter)
    if previous and previous.started_at:
        stories = stories.filter(published_at__gt=previous.started_at)
    else:
        window = 1 if newsletter.cadence == Newsletter.Cadence.DAILY else 7
        stories = stories.filter(
            published_at__gt=timezone.now() - timezone.timedelta(days=window)
        )
    section_ids = list(newsletter.sections.values_list("pk", flat=True))
    if section_ids:
        stories = stories.filter(section__in=section_ids)
    present = list(issue.items.values_list("article_id", flat=True))
    picked = list(
        stories.exclude(pk__in=present)
        .order_by("-is_lead", "-is_breaking", "-published_at")
        .values_list("pk", flat=True)[: max(limit - len(present), 0)]
    )
    start = len(present)
    IssueArticle.objects.bulk_create(
        [
            IssueArticle(issue=issue, article_id=pk, position=start + i)
            for i, pk in enumerate(picked)
        ],
        ignore_conflicts=True,
    )
    return len(picked)


def breaking_newsletter() -> Newsletter | None:
    return (
        Newsletter.objects.active()
        .filter(cadence=Newsletter.Cadence.BREAKING)
        .order_by("position", "pk")
        .first()
    )


def create_breaking_alert(*, article, user) -> NewsletterIssue | None:
    """A draft alert issue for the breaking list carrying `article`.

    Returns the existing draft if one was already made for this article, and
    None when there is no active breaking list or the article is not public.
    """
    from articles.models import Article

    newsletter = breaking_newsletter()
    if (
        newsletter is None
        or not Article.objects.published().filter(pk=article.pk).exists()
    ):
        return None
    existing = newsletter.issues.filter(items__article=article).first()
    if existing:
        return existing
    with transaction.atomic():
        issue = NewsletterIssue.objects.create(
            newsletter=newsletter,
            subject=f"عاجل: {article.headline}"[:200],
            intro=article.standfirst,
            created_by=user,
        )
        IssueArticle.objects.create(issue=issue, article=article, position=0)
    return issue


def schedule_issue(issue: NewsletterIssue, *, send_at) -> bool:
    """Schedule a draft (or move a scheduled issue); False once sending began."""
    return bool(
        NewsletterIssue.objects.filter(
            pk=issue.pk, status__in=[issue.Status.DRAFT, issue.Status.SCHEDULED]
        ).update(status=issue.Status.SCHEDULED, send_at=send_at)
    )


def unschedule_issue(issue: NewsletterIssue) -> bool:
    return bool(
        NewsletterIssue.objects.filter(
            pk=issue.pk, status=issue.Status.SCHEDULED
        ).update(status=issue.Status.DRAFT)
    )
