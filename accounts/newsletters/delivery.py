"""The delivery engine: queue an issue, then claim and send it in batches.

Protocol (why a crashed or doubled worker sends nobody the issue twice):

1. `queue_issue()` writes one Delivery row per (issue, reader). The unique
   constraint plus `bulk_create(ignore_conflicts=True)` make it idempotent:
   re-running it, or two workers running it at once, adds only missing rows.
2. `send_pending()` claims a batch in a short transaction: it locks queued
   rows (`select_for_update(skip_locked=True)` on PostgreSQL, so concurrent
   workers take disjoint batches; SQLite serialises writers anyway) and marks
   them `sending` with `claimed_at` and this run's `claim_token`, then
   commits. Nobody else touches a claimed row while its lease
   (NEWSLETTER_LEASE_SECONDS, 45 s) is fresh, and the worker renews the lease
   as it goes (a heartbeat every quarter of it), so a slow relay never lets
   another worker take rows it is still sending.
3. Each message is sent over the batch's single connection and its row is
   marked `sent` (or re-queued / failed) right after, one UPDATE per message.
   Every write names the claim token (fenced): a worker that lost its claim
   writes nothing, and stops before sending another message.
4. A worker that dies leaves its unsent rows `sending`; when the lease
   lapses (under a minute) another run reclaims and sends them. A worker that
   is told to stop (SIGTERM) finishes the message in flight and gives the
   rest back at once; one whose database goes away gives them back as soon
   as it can reach it again, and stops without a traceback.

The trade-off, stated honestly: SMTP has no transaction shared with the
database, so exactly-once is impossible in the strict sense. The window is
the one message in flight when a worker dies after the server accepted it
but before its UPDATE committed; that reader may get the issue twice. Every
other reader gets it exactly once: rows already marked sent are never sent
again and unsent rows are sent by exactly one worker. We chose this
(at-least-once for at most one message per crash) over at-most-once because
silently dropping a reader is worse than a rare duplicate.
"""

import logging
import signal
import smtplib
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import mailers
from django.db import DatabaseError, connection, transaction
from django.db.models import DateTimeField, F, Q, Value
from django.utils import timezone

from .emails import RenderedIssue, render_issue
from .models import Delivery, NewsletterIssue, Subscription, Suppression
from .services import make_unsubscribe_token

logger = logging.getLogger(__name__)

MAILER = "newsletters"
BATCH_SIZE = 500
MAX_ATTEMPTS = 5
# Giving rows back after the database went away: tries, and the pause between.
RELEASE_TRIES = 10
RELEASE_PAUSE = 1.0
# Back-off after a temporary failure: 5 min, 20 min, 80 min, 5 h 20 min.
BACKOFF_BASE = timedelta(minutes=5)


def backoff(attempts: int) -> timedelta:
    return BACKOFF_BASE * (4 ** max(attempts - 1, 0))


def lease() -> timedelta:
    return timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS)


class ClaimLost(Exception):
    """Another worker holds these rows now: send nothing more."""


class Stopped(Exception):
    """The worker was told to stop (SIGTERM)."""


@dataclass
class SendStats:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0
    # Why the run ended early, if it did: "stopped", "claim lost", "database".
    interrupted: str = ""
    started: float = field(default_factory=time.monotonic)

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.retried + self.skipped

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.sent / elapsed if elapsed > 0 else 0.0


# Starting and queueing


def start_issue(issue: NewsletterIssue) -> bool:
    """Move a draft or scheduled issue to `sending`; False if not startable."""
    started = NewsletterIssue.objects.filter(
        pk=issue.pk,
        status__in=[NewsletterIssue.Status.DRAFT, NewsletterIssue.Status.SCHEDULED],
    ).update(status=NewsletterIssue.Status.SENDING, started_at=timezone.now())
    issue.refresh_from_db()
    return bool(started)


def queue_issue(issue: NewsletterIssue) -> int:
    """Create a queued Delivery for every deliverable subscriber. Idempotent.

    One INSERT … SELECT … ON CONFLICT DO NOTHING, in the database: a million
    readers are queued without a row crossing to Python, and running it
    again, or in two workers at once, adds only missing rows (the unique
    constraint). Returns the issue's total number of deliveries.
    """
    now = timezone.now()
    # The SELECT lists model fields first, then annotations, in the given
    # order: the INSERT's columns follow it.
    rows = (
        Subscription.objects.deliverable()
        .filter(newsletter_id=issue.newsletter_id)
        .annotate(
            q_issue=Value(issue.pk),
            q_status=Value(Delivery.Status.QUEUED.value),
            q_attempts=Value(0),
            q_next=Value(now, output_field=DateTimeField()),
            q_token=Value(""),
            q_error=Value(""),
        )
        .values_list(
            "pk",
            "user_id",
            "user__email",
            "q_issue",
            "q_status",
            "q_attempts",
            "q_next",
            "q_token",
            "q_error",
        )
        .order_by()
    )
    select, params = rows.query.sql_with_params()
    columns = [
        "subscription_id",
        "user_id",
        "email",
        "issue_id",
        "status",
        "attempts",
        "next_attempt_at",
        "claim_token",
        "last_error",
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Delivery._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 - names from the model
            f"{select} ON CONFLICT DO NOTHING",
            params,
        )
    total = issue.deliveries.count()
    NewsletterIssue.objects.filter(pk=issue.pk).update(
        recipient_count=total, queued_at=timezone.now()
    )
    issue.refresh_from_db()
    return total


# Claiming and sending


def _claimable(issue_id: int, now):
    return Delivery.objects.filter(issue_id=issue_id).filter(
        Q(status=Delivery.Status.QUEUED, next_attempt_at__lte=now)
        | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - lease())
    )


def claim_batch(issue_id: int, batch_size: int, token: str = "") -> list[Delivery]:
    """Atomically take up to `batch_size` deliveries for the worker run
    `token` (a fresh one when not given)."""
    token = token or uuid.uuid4().hex
    now = timezone.now()
    with transaction.atomic():
        rows = _claimable(issue_id, now).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return []
        Delivery.objects.filter(pk__in=ids).update(
            status=Delivery.Status.SENDING,
            claimed_at=now,
            claim_token=token,
            attempts=F("attempts") + 1,
        )
    return list(
        Delivery.objects.filter(pk__in=ids)
        .select_related("user", "subscription")
        .order_by("pk")
    )


def _still_wanted(delivery: Delivery, suppressed: set[str]) -> bool:
    """Readers who left or bounced after queueing get nothing."""
    return (
        delivery.subscription.ended_at is None
        and delivery.user.is_active
        and delivery.email.lower() not in suppressed
    )


def _classify(error: Exception) -> str:
    """'permanent' (suppress address), 'rejected' (fail, keep address) or 'temporary'."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in error.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            return "permanent"
        return "temporary"
    if isinstance(error, smtplib.SMTPSenderRefused):
        # Our sending address was refused: the reader's address is not at fault.
        return "temporary"
    code = getattr(error, "smtp_code", None)
    if isinstance(code, int) and 500 <= code < 600:
        return "rejected"
    return "temporary"


def _finish(delivery: Delivery, **fields) -> None:
    """Record a message's outcome, only while this worker holds its row."""
    held = Delivery.objects.filter(
        pk=delivery.pk, status=Delivery.Status.SENDING, claim_token=delivery.claim_token
    ).update(claim_token="", **fields)
    if not held:
        raise ClaimLost


class _Heartbeat:
    """Renews the lease on the rows a worker run still holds, every quarter
    lease, between messages; raises ClaimLost if they were taken."""

    def __init__(self, token: str):
        self.token = token
        self.renewed = time.monotonic()

    def beat(self, remaining: int) -> None:
        if time.monotonic() - self.renewed < settings.NEWSLETTER_LEASE_SECONDS / 4:
            return
        held = Delivery.objects.filter(
            claim_token=self.token, status=Delivery.Status.SENDING
        ).update(claimed_at=timezone.now())
        self.renewed = time.monotonic()
        if held < remaining:
            raise ClaimLost


def release(token: str) -> int:
    """Give back what a worker run holds and has not sent: queued again, due
    now, the claim not counted as an attempt."""
    return Delivery.objects.filter(
        claim_token=token, status=Delivery.Status.SENDING
    ).update(
        status=Delivery.Status.QUEUED,
        claim_token="",
        claimed_at=None,
        next_attempt_at=timezone.now(),
        attempts=F("attempts") - 1,
    )


def _release_when_reachable(token: str) -> None:
    """After a database error: reconnect and give the rows back, trying for
    a while; if the database stays away, their lease lapses instead."""
    for _ in range(RELEASE_TRIES):
        connection.close()
        try:
            release(token)
            return
        except DatabaseError:
            time.sleep(RELEASE_PAUSE)
    logger.warning("Newsletter rows of run %s left to their lease.", token)


@contextmanager
def _stop_on_sigterm():
    """While sending: SIGTERM sets `stop` instead of ending the process at
    once; afterwards the previous handler gets the signal. Only the main
    thread can take signals (a thread just sends on)."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, previous)
        if stop.is_set():
            signal.raise_signal(signal.SIGTERM)


def _handle_failure(delivery: Delivery, error: Exception, stats: SendStats) -> None:
    kind = _classify(error)
    message = f"{type(error).__name__}: {error}"[:2000]
    if kind == "permanent":
        Suppression.objects.get_or_create(
            email=delivery.email.lower(),
            defaults={"reason": Suppression.Reason.HARD_BOUNCE, "detail": message},
        )
    if kind in ("permanent", "rejected") or delivery.attempts >= MAX_ATTEMPTS:
        _finish(delivery, status=Delivery.Status.FAILED, last_error=message)
        stats.failed += 1
    else:
        _finish(
            delivery,
            status=Delivery.Status.QUEUED,
            last_error=message,
            next_attempt_at=timezone.now() + backoff(delivery.attempts),
        )
        stats.retried += 1
    logger.warning("Newsletter delivery %s: %s (%s)", delivery.pk, message, kind)


def _connection_lost(error: Exception) -> bool:
    # smtplib's errors are OSErrors too; only these mean the socket is gone.
    return isinstance(error, smtplib.SMTPServerDisconnected) or not isinstance(
        error, smtplib.SMTPException
    )


def _reconnect(backend, rest: list[Delivery], stats: SendStats) -> bool:
    """Open a fresh connection for the rest of the batch, or re-queue the rest."""
    backend.close()
    try:
        backend.open()
    except Exception as error:  # noqa: BLE001 - any connect failure is temporary
        for delivery in rest:
            _handle_failure(delivery, error, stats)
        return False
    return True


def _relax_commit_durability() -> bool:
    """On PostgreSQL, don't wait for the WAL flush on each per-message UPDATE.

    One fsync per message would cap a worker at the disk's flush rate. With
    synchronous_commit off a *worker* crash loses nothing (the server has the
    commit); only a crash of the database server itself may forget the last
    fraction of a second of marks: readers marked sent would get the issue
    again, a lost failure mark means one more attempt. Claims are made
    before this and stay fully durable.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    return True


def _restore_commit_durability(relaxed: bool) -> None:
    if relaxed:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _send_batch(
    rendered: RenderedIssue,
    batch: list[Delivery],
    stats: SendStats,
    heartbeat: _Heartbeat,
    stop: threading.Event,
):
    suppressed = set(
        Suppression.objects.filter(
            email__in={d.email.lower() for d in batch}
        ).values_list("email", flat=True)
    )
    backend = mailers[MAILER]
    relaxed = _relax_commit_durability()
    try:
        backend.open()
    except Exception as error:  # noqa: BLE001 - any connect failure is temporary
        for delivery in batch:
            _handle_failure(delivery, error, stats)
        _restore_commit_durability(relaxed)
        return
    try:
        for index, delivery in enumerate(batch):
            if stop.is_set():
                raise Stopped
            heartbeat.beat(remaining=len(batch) - index)
            if not _still_wanted(delivery, suppressed):
                _finish(delivery, status=Delivery.Status.SKIPPED)
                stats.skipped += 1
                continue
            message = rendered.message_for(
                email=delivery.email,
                name=delivery.user.get_full_name() or delivery.email,
                token=make_unsubscribe_token(delivery.subscription),
            )
            # Echoed back by providers in their reports (feedback.py); plain
            # SMTP ignores it.
            message.metadata = {
                "issue": delivery.issue_id,
                "subscription": delivery.subscription_id,
            }
            try:
                backend.send_messages([message])
            except (smtplib.SMTPException, OSError) as error:
                _handle_failure(delivery, error, stats)
                if _connection_lost(error) and not _reconnect(
                    backend, batch[index + 1 :], stats
                ):
                    return
                continue
            _finish(delivery, status=Delivery.Status.SENT, sent_at=timezone.now())
            stats.sent += 1
    finally:
        backend.close()
        _restore_commit_durability(relaxed)


def send_pending(
    issue: NewsletterIssue,
    *,
    batch_size: int = BATCH_SIZE,
    max_batches: int | None = None,
    progress=None,
) -> SendStats:
    """Send this issue's due deliveries until none are left to claim.

    `progress(stats, remaining)` is called after each batch (the command
    prints it). Safe to run in several processes at once.
    """
    _fail_exhausted_leases(issue)
    rendered = render_issue(issue)
    stats = SendStats()
    token = uuid.uuid4().hex
    heartbeat = _Heartbeat(token)
    batches = 0
    with _stop_on_sigterm() as stop:
        try:
            while (max_batches is None or batches < max_batches) and not stop.is_set():
                batch = claim_batch(issue.pk, batch_size, token)
                if not batch:
                    break
                _send_batch(rendered, batch, stats, heartbeat, stop)
                batches += 1
                if progress:
                    progress(stats, remaining_count(issue))
        except Stopped:
            stats.interrupted = "stopped"
            release(token)
        except ClaimLost:
            # Taken over after our lease lapsed: the rows are the other
            # worker's now, nothing of theirs is ours to write.
            stats.interrupted = "claim lost"
            logger.warning("Newsletter run %s lost its claim; stopping.", token)
        except DatabaseError as error:
            stats.interrupted = "database"
            logger.error(
                "Newsletter run %s stopped: the database failed (%s).", token, error
            )
            _release_when_reachable(token)
            return stats
    finish_issue_if_done(issue)
    return stats


def _fail_exhausted_leases(issue: NewsletterIssue) -> int:
    """Give up on rows whose worker died with them MAX_ATTEMPTS times.

    A message that crashes the worker itself (rather than failing to send)
    would otherwise be reclaimed forever.
    """
    return Delivery.objects.filter(
        issue=issue,
        status=Delivery.Status.SENDING,
        claimed_at__lt=timezone.now() - lease(),
        attempts__gte=MAX_ATTEMPTS,
    ).update(
        status=Delivery.Status.FAILED,
        last_error="The worker stopped while sending this message too many times.",
    )


def remaining_count(issue: NewsletterIssue) -> int:
    return issue.deliveries.filter(
        status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING]
    ).count()


def finish_issue_if_done(issue: NewsletterIssue) -> bool:
    """Mark the issue sent once no delivery is waiting or in flight."""
    if issue.queued_at is None or remaining_count(issue):
        return False
    done = NewsletterIssue.objects.filter(
        pk=issue.pk, status=NewsletterIssue.Status.SENDING
    ).update(status=NewsletterIssue.Status.SENT, completed_at=timezone.now())
    issue.refresh_from_db()
    return bool(done)


def deliver_issue(issue: NewsletterIssue, **kwargs) -> SendStats | None:
    """Start (if needed), queue (if not yet complete) and send an issue."""
    if issue.status in (NewsletterIssue.Status.DRAFT, NewsletterIssue.Status.SCHEDULED):
        start_issue(issue)
    if issue.status != NewsletterIssue.Status.SENDING:
        return None
    if issue.queued_at is None:
        queue_issue(issue)
    return send_pending(issue, **kwargs)


def due_issues(now=None):
    """Scheduled issues whose time has come, and issues already in flight."""
    now = now or timezone.now()
    return NewsletterIssue.objects.filter(
        Q(status=NewsletterIssue.Status.SCHEDULED, send_at__lte=now)
        | Q(status=NewsletterIssue.Status.SENDING)
    ).order_by("send_at", "pk")


def send_test(issue: NewsletterIssue, *, user) -> None:
    """Send the issue to one member of staff, exactly as readers get it."""
    rendered = render_issue(issue)
    subscription = (
        Subscription.objects.live()
        .filter(user=user, newsletter=issue.newsletter)
        .first()
    )
    token = make_unsubscribe_token(subscription) if subscription else "preview"
    message = rendered.message_for(
        email=user.email, name=user.get_full_name() or user.email, token=token
    )
    message.subject = f"[تجربة] {message.subject}"
    message.send(using=MAILER)


def send_issue_now(issue: NewsletterIssue) -> bool:
    """Start sending at once, in the background; False if already started."""
    if not start_issue(issue):
        return False
    from .tasks import send_issue_task

    transaction.on_commit(lambda: send_issue_task.enqueue(issue.pk))
    return True
