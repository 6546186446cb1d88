import smtplib
import threading
from collections import Counter
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.newsletters import delivery, emails
from accounts.newsletters.models import (
    Delivery,
    IssueArticle,
    NewsletterIssue,
    Subscription,
    Suppression,
)
from accounts.newsletters.services import subscribe, subscription_from_token
from accounts.newsletters.tasks import send_issue_task
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

BACKENDS = "tests.accounts.newsletters.test_delivery"


class WorkerKilled(BaseException):
    """Not an Exception: like SIGKILL, nothing in the engine may catch it."""


class CrashingBackend(LocmemBackend):
    """Delivers `crash_after` messages, then the worker 'dies'."""

    crash_after = None
    delivered = 0

    def send_messages(self, messages):
        if (
            CrashingBackend.crash_after is not None
            and CrashingBackend.delivered >= CrashingBackend.crash_after
        ):
            raise WorkerKilled
        CrashingBackend.delivered += len(messages)
        return super().send_messages(messages)


class RefusingBackend(LocmemBackend):
    """Refuses some addresses permanently (5xx) and others temporarily (4xx)."""

    permanent = set()
    temporary = set()

    def send_messages(self, messages):
        for message in messages:
            address = message.to[0]
            if address in RefusingBackend.permanent:
                raise smtplib.SMTPRecipientsRefused(
                    {address: (550, b"5.1.1 User unknown")}
                )
            if address in RefusingBackend.temporary:
                raise smtplib.SMTPRecipientsRefused(
                    {address: (451, b"4.7.1 Try again later")}
                )
        return super().send_messages(messages)


def use_backend(settings, name):
    settings.MAILERS = {
        **settings.MAILERS,
        "newsletters": {"BACKEND": f"{BACKENDS}.{name}"},
    }


def recipients():
    return [message.to[0] for message in mail.outbox]


def test_queue_is_idempotent(issue, make_subscribers):
    make_subscribers(5)
    assert delivery.queue_issue(issue) == 5
    assert delivery.queue_issue(issue) == 5
    assert Delivery.objects.filter(issue=issue).count() == 5


def test_every_message_carries_unsubscribe_headers_and_parts(issue, make_subscribers):
    users = make_subscribers(3)
    delivery.deliver_issue(issue)
    assert sorted(recipients()) == sorted(u.email for u in users)
    tokens = set()
    for message in mail.outbox:
        header = message.extra_headers["List-Unsubscribe"]
        https, mailto = (part.strip(" <>") for part in header.split(","))
        assert https.startswith("http") and "/newsletters/unsubscribe/" in https
        assert mailto.startswith("mailto:unsubscribe@")
        token = https.rstrip("/").rsplit("/", 1)[1]
        assert unquote(mailto.split("?subject=", 1)[1]) == token
        assert subscription_from_token(token).user.email == message.to[0]
        assert message.extra_headers["List-Unsubscribe-Post"] == (
            "List-Unsubscribe=One-Click"
        )
        assert message.extra_headers["List-Id"].startswith("<newsletter-")
        html = message.alternatives[0].content
        assert message.alternatives[0].mimetype == "text/html"
        assert 'dir="rtl"' in html and 'lang="ar"' in html
        assert "<script" not in html
        assert https in html and https in message.body
        assert "/account/newsletters/" in html
        # The whole message serialises (header validation passes).
        assert b"List-Unsubscribe-Post" in message.message().as_bytes()
        tokens.add(token)
    assert len(tokens) == 3


def test_message_is_personalised_and_escaped(issue, newsletter):
    user = UserFactory(verified=True, name="سارة <b>&</b>")
    subscribe(user=user, newsletters=[newsletter], source="signup")
    delivery.deliver_issue(issue)
    [message] = mail.outbox
    assert "سارة &lt;b&gt;&amp;&lt;/b&gt;" in message.alternatives[0].content
    assert "مرحبًا سارة <b>&</b>" in message.body


def test_story_links_and_images_are_absolute(issue, settings):
    settings.SITE_URL = "https://news.example"
    rendered = emails.render_issue(issue)
    assert 'href="/' not in rendered.html and 'src="/' not in rendered.html
    for item in issue.items.all():
        assert f"https://news.example{item.article.get_absolute_url()}" in rendered.html


def test_withdrawn_article_is_left_out(issue):
    item = issue.items.first()
    item.article.withdraw()
    assert item.article.headline not in emails.render_issue(issue).html


def test_shared_part_is_rendered_once_per_issue(issue, make_subscribers, monkeypatch):
    make_subscribers(20)
    calls = []
    real = emails.render_to_string
    monkeypatch.setattr(
        emails, "render_to_string", lambda *a, **k: calls.append(a[0]) or real(*a, **k)
    )
    delivery.deliver_issue(issue, batch_size=7)
    assert len(mail.outbox) == 20
    assert len(calls) == 2  # the HTML and the text template, once each


def test_inactive_list_sends_nothing(issue, newsletter, make_subscribers):
    make_subscribers(3)
    newsletter.is_active = False
    newsletter.save()
    delivery.deliver_issue(issue)
    assert mail.outbox == []
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT
    assert issue.recipient_count == 0


def test_only_confirmed_live_unsuppressed_readers_receive(issue, newsletter):
    wanted = UserFactory(verified=True)
    unverified = UserFactory()
    left = UserFactory(verified=True)
    bounced = UserFactory(verified=True, email="Bounced@Example.com")
    deactivated = UserFactory(verified=True, is_active=False)
    for user in (wanted, unverified, left, bounced, deactivated):
        subscribe(user=user, newsletters=[newsletter], source="signup")
    Subscription.objects.filter(user=left).update(ended_at=timezone.now())
    Suppression.objects.create(email="bounced@example.com", reason="hard_bounce")
    delivery.deliver_issue(issue)
    assert recipients() == [wanted.email]


def test_reader_who_leaves_after_queueing_is_skipped(issue, make_subscribers):
    first, second = make_subscribers(2)
    delivery.start_issue(issue)
    delivery.queue_issue(issue)
    Subscription.objects.filter(user=second).update(ended_at=timezone.now())
    delivery.send_pending(issue)
    assert recipients() == [first.email]
    assert issue.delivery_counts()["skipped"] == 1


def test_crash_half_way_then_restart_sends_each_reader_exactly_once(
    issue, make_subscribers, settings
):
    users = make_subscribers(1000)
    use_backend(settings, "CrashingBackend")
    CrashingBackend.crash_after, CrashingBackend.delivered = 500, 0

    with pytest.raises(WorkerKilled):
        delivery.deliver_issue(issue, batch_size=64)
    assert len(mail.outbox) == 500
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENDING
    leased = Delivery.objects.filter(issue=issue, status="sending").count()
    assert 0 < leased < 64  # the rest of the batch the worker died in

    # Restarted at once: everything else goes, the dead worker's lease holds.
    CrashingBackend.crash_after = None
    call_command("send_newsletters", stdout=open("/dev/null", "w"))
    assert len(mail.outbox) == 1000 - leased
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENDING

    # Once the lease expires, the next run sends the rest.
    settings.NEWSLETTER_LEASE_SECONDS = 0
    call_command("send_newsletters", stdout=open("/dev/null", "w"))

    assert len(mail.outbox) == 1000
    counts = Counter(recipients())
    assert set(counts) == {u.email for u in users}
    assert max(counts.values()) == 1
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT
    assert issue.delivery_counts()["sent"] == 1000


def test_fresh_lease_is_not_taken_by_another_worker(issue, make_subscribers):
    make_subscribers(3)
    delivery.start_issue(issue)
    delivery.queue_issue(issue)
    assert len(delivery.claim_batch(issue.pk, 10)) == 3
    assert delivery.claim_batch(issue.pk, 10) == []


def test_permanent_rejection_fails_and_suppresses_everywhere(
    issue, newsletter, make_subscribers, settings
):
    good, bad = make_subscribers(2)
    use_backend(settings, "RefusingBackend")
    RefusingBackend.permanent, RefusingBackend.temporary = {bad.email}, set()
    delivery.deliver_issue(issue)
    assert recipients() == [good.email]
    failed = Delivery.objects.get(user=bad)
    assert failed.status == Delivery.Status.FAILED
    assert "550" in failed.last_error
    assert Suppression.objects.filter(email=bad.email.lower()).exists()

    # No other list sends to that address either.
    other = NewsletterIssue.objects.create(
        newsletter=newsletter, subject="عدد آخر", status="draft"
    )
    IssueArticle.objects.create(issue=other, article=ArticleFactory())
    mail.outbox.clear()
    delivery.deliver_issue(other)
    assert recipients() == [good.email]


def test_temporary_failure_is_retried_with_backoff_then_given_up(
    issue, make_subscribers, settings, monkeypatch
):
    [user] = make_subscribers(1)
    use_backend(settings, "RefusingBackend")
    RefusingBackend.permanent, RefusingBackend.temporary = set(), {user.email}
    delivery.deliver_issue(issue)
    row = Delivery.objects.get(user=user)
    assert row.status == Delivery.Status.QUEUED
    assert row.attempts == 1
    assert row.next_attempt_at > timezone.now() + timedelta(minutes=4)
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENDING  # still owed a retry

    # Not due yet: a second run does nothing.
    delivery.send_pending(issue)
    assert Delivery.objects.get(user=user).attempts == 1

    for _ in range(delivery.MAX_ATTEMPTS):
        Delivery.objects.filter(user=user).update(next_attempt_at=timezone.now())
        delivery.send_pending(issue)
    row.refresh_from_db()
    assert row.status == Delivery.Status.FAILED
    assert row.attempts == delivery.MAX_ATTEMPTS
    assert not Suppression.objects.exists()
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT


def test_backoff_grows():
    assert delivery.backoff(1) < delivery.backoff(2) < delivery.backoff(3)


def test_command_sends_due_scheduled_issues_only(issue, newsletter, make_subscribers):
    make_subscribers(2)
    issue.status, issue.send_at = "scheduled", timezone.now() - timedelta(minutes=1)
    issue.save()
    later = NewsletterIssue.objects.create(
        newsletter=newsletter,
        subject="لاحقًا",
        status="scheduled",
        send_at=timezone.now() + timedelta(hours=1),
    )
    out = open("/tmp/newsletters-cmd.txt", "w+")
    call_command("send_newsletters", stdout=out)
    out.seek(0)
    output = out.read()
    assert "2 sent" in output and "remaining" in output and "msg/s" in output
    assert len(mail.outbox) == 2
    later.refresh_from_db()
    assert later.status == "scheduled"

    call_command("send_newsletters", stdout=out)  # twice is harmless
    assert len(mail.outbox) == 2


def test_command_dry_run_sends_nothing(issue, make_subscribers):
    make_subscribers(1)
    issue.status, issue.send_at = "scheduled", timezone.now()
    issue.save()
    call_command("send_newsletters", "--dry-run", stdout=open("/dev/null", "w"))
    assert mail.outbox == []


def test_task_sends_the_issue_and_is_safe_twice(issue, make_subscribers):
    make_subscribers(3)
    delivery.start_issue(issue)  # as "send now" does before queueing it
    send_issue_task.enqueue(issue.pk)
    send_issue_task.enqueue(issue.pk)
    send_issue_task.enqueue(999999)
    assert len(mail.outbox) == 3


def test_the_task_leaves_a_draft_alone(issue, make_subscribers):
    # Unscheduled after its task was queued: the task finds a draft.
    make_subscribers(2)
    send_issue_task.enqueue(issue.pk)
    assert mail.outbox == []
    issue.refresh_from_db()
    assert issue.status == "draft"


def test_send_now_goes_through_the_task(
    issue, make_subscribers, django_capture_on_commit_callbacks
):
    make_subscribers(2)
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.send_issue_now(issue)
    assert len(mail.outbox) == 2
    assert not delivery.send_issue_now(issue)


# Transactional (the workers' threads commit); tests/conftest.py puts back
# the migrations' data (roles, demo lists) the flush afterwards removes.
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="skip_locked needs PostgreSQL"
)
def test_two_concurrent_workers_send_each_message_once(newsletter):
    users = UserFactory.create_batch(300, verified=True)
    now = timezone.now()
    Subscription.objects.bulk_create(
        Subscription(user=u, newsletter=newsletter, source="signup", confirmed_at=now)
        for u in users
    )
    issue = NewsletterIssue.objects.create(newsletter=newsletter, subject="متزامن")
    IssueArticle.objects.create(issue=issue, article=ArticleFactory())
    delivery.start_issue(issue)
    delivery.queue_issue(issue)

    barrier = threading.Barrier(2)
    sent = []
    errors = []

    def worker():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            stats = delivery.send_pending(
                NewsletterIssue.objects.get(pk=issue.pk), batch_size=20
            )
            sent.append(stats.sent)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(sent) == 300
    assert all(n > 0 for n in sent), "both workers should have taken batches"
    counts = Counter(recipients())
    assert len(counts) == 300 and max(counts.values()) == 1
    assert Delivery.objects.filter(issue=issue, status="sent").count() == 300


def test_a_message_that_keeps_killing_workers_is_eventually_failed(
    issue, make_subscribers, monkeypatch
):
    [user] = make_subscribers(1)
    delivery.start_issue(issue)
    delivery.queue_issue(issue)
    Delivery.objects.filter(user=user).update(
        status="sending",
        claimed_at=timezone.now() - timedelta(hours=1),
        attempts=delivery.MAX_ATTEMPTS,
    )
    delivery.send_pending(issue)
    assert mail.outbox == []
    assert Delivery.objects.get(user=user).status == Delivery.Status.FAILED
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT
