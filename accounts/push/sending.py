"""Sending one alert to every subscription that wants it, in batches.

Protocol (why running the task twice, or again after a crash, sends nobody
the alert twice but for at most the one batch in flight):

1. A worker claims the alert with a conditional UPDATE: it writes its token
   and a lease (`LEASE`) only if no other worker holds a fresh one. A second
   run while the first is busy finds the alert claimed and stops.
2. It reads the next `BATCH_SIZE` matching subscriptions after the alert's
   `cursor` (the last subscription id done), in id order, as plain tuples:
   memory stays flat however many readers there are.
3. It encrypts and posts to each one's push service, from a small pool of
   threads, each keeping its own `requests.Session` (keep-alive connections
   to the few push services).
4. In one transaction it moves the cursor and the counts on, renews the
   lease, stamps the sent subscriptions' `last_pushed_at` and deletes those
   the push service said are gone (404/410). The UPDATE names the worker's
   token: a worker whose lease lapsed and was taken over writes nothing and
   stops (fenced), so progress is never recorded twice.

A worker that dies between 3 and 4 leaves that batch unrecorded; when its
lease lapses, the next run (the admin's "resume" action) sends that batch
again and carries on. As with the newsletters, at-least-once for one batch
beats silently dropping readers.

The quiet limit: a subscription pushed less than PUSH_QUIET_MINUTES ago is
skipped for this alert (counted as quiet), so a run of alerts does not ring a
phone over and over.
"""

import json
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from py_vapid import Vapid
from pywebpush import WebPusher
from requests.adapters import HTTPAdapter

from . import services
from .models import PushAlert, PushSubscription

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
LEASE = timedelta(minutes=10)
# Connect and read timeouts per request: a slow push service costs a thread
# this long at most, so a batch of 500 on 8 threads stays within the lease.
TIMEOUT = (5, 10)
# How long the push service keeps an alert for a phone that is offline.
TTL_SECONDS = 4 * 60 * 60
# VAPID tokens may live up to 24 hours; ours are made per send.
VAPID_LIFETIME = 12 * 60 * 60
SENT = {200, 201, 202}
GONE = {404, 410}


@dataclass
class BatchResult:
    sent_ids: list[int] = field(default_factory=list)
    gone_ids: list[int] = field(default_factory=list)
    failed: int = 0
    statuses: Counter = field(default_factory=Counter)


class VapidSigner:
    """The request headers for each push service, the Authorization header
    signed once per send (one JWT per audience, not one per message)."""

    def __init__(self, private_key: str, subject: str):
        self.vapid = Vapid.from_string(private_key)
        self.subject = subject
        self.headers_by_audience: dict[str, dict] = {}
        self.lock = threading.Lock()

    def headers(self, endpoint: str) -> dict:
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        with self.lock:
            if audience not in self.headers_by_audience:
                claims = {
                    "aud": audience,
                    "exp": int(time.time()) + VAPID_LIFETIME,
                    "sub": self.subject,
                }
                self.headers_by_audience[audience] = {
                    **self.vapid.sign(claims),
                    "Content-Encoding": "aes128gcm",
                    "TTL": str(TTL_SECONDS),
                    "Urgency": "high",
                }
            return self.headers_by_audience[audience]


class Sender:
    """A pool of threads posting encrypted messages, one Session each."""

    def __init__(self, threads: int):
        self.pool = ThreadPoolExecutor(max_workers=max(1, threads))
        self.local = threading.local()
        self.sessions: list[requests.Session] = []
        self.lock = threading.Lock()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.pool.shutdown(wait=True)
        for session in self.sessions:
            session.close()

    def _session(self) -> requests.Session:
        session = getattr(self.local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # no proxies or .netrc from the environment
            session.mount("https://", HTTPAdapter(pool_maxsize=4, max_retries=0))
            session.mount("http://", HTTPAdapter(pool_maxsize=4, max_retries=0))
            self.local.session = session
            with self.lock:
                self.sessions.append(session)
        return session

    def _post(self, row, data: bytes, signer: VapidSigner) -> int | None:
        pk, endpoint, p256dh, auth = row[:4]
        try:
            # pywebpush encrypts (aes128gcm, a fresh ECDH key per message);
            # the post is ours, with headers built once per push service.
            pusher = WebPusher(
                {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}
            )
            body = pusher.encode(data, "aes128gcm")["body"]
            response = self._session().post(
                endpoint,
                data=body,
                headers=signer.headers(endpoint),
                timeout=TIMEOUT,
                allow_redirects=False,
            )
        except Exception as error:  # network, TLS or a key the service refused
            logger.debug("push to subscription %s failed: %r", pk, error)
            return None
        response.close()
        return response.status_code

    def send(self, rows, data: bytes, signer: VapidSigner) -> BatchResult:
        result = BatchResult()
        statuses = self.pool.map(lambda row: self._post(row, data, signer), rows)
        for row, status in zip(rows, statuses, strict=True):
            result.statuses[status] += 1
            if status in SENT:
                result.sent_ids.append(row[0])
            elif status in GONE:
                result.gone_ids.append(row[0])
            else:
                result.failed += 1
        return result


def signer() -> VapidSigner:
    return VapidSigner(settings.VAPID_PRIVATE_KEY, settings.VAPID_SUBJECT)


def claim(alert_id: int, token: str) -> bool:
    """Take the alert for this worker, unless it is done or someone holds it."""
    now = timezone.now()
    return bool(
        PushAlert.objects.filter(pk=alert_id)
        .exclude(status=PushAlert.Status.SENT)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(
            status=PushAlert.Status.SENDING,
            claimed_by=token,
            claimed_until=now + LEASE,
            started_at=Coalesce("started_at", Value(now, DateTimeField())),
        )
    )


def _record(alert_id, token, cursor, result: BatchResult, quiet: int) -> bool:
    """Write one batch's outcome, if this worker still holds the alert."""
    now = timezone.now()
    with transaction.atomic():
        held = PushAlert.objects.filter(pk=alert_id, claimed_by=token).update(
            cursor=cursor,
            sent_count=F("sent_count") + len(result.sent_ids),
            gone_count=F("gone_count") + len(result.gone_ids),
            failed_count=F("failed_count") + result.failed,
            quiet_count=F("quiet_count") + quiet,
            claimed_until=now + LEASE,
        )
        if not held:
            return False
        if result.sent_ids:
            PushSubscription.objects.filter(pk__in=result.sent_ids).update(
                last_pushed_at=now
            )
        if result.gone_ids:
            PushSubscription.objects.filter(pk__in=result.gone_ids).delete()
    return True


def send_alert(
    alert_id: int,
    *,
    batch_size: int = BATCH_SIZE,
    threads: int | None = None,
    progress: Callable[[PushAlert], None] | None = None,
) -> bool:
    """Send the alert to everyone it has not reached yet; True when finished.

    False when push is off, the alert is done, another worker holds it, or
    this worker lost it midway."""
    if not services.is_enabled():
        logger.warning("push alert %s not sent: VAPID keys are not set", alert_id)
        return False
    token = uuid.uuid4().hex
    if not claim(alert_id, token):
        return False
    alert = PushAlert.objects.select_related(
        "article__section", "article__picture"
    ).get(pk=alert_id)
    data = json.dumps(
        services.payload(alert), ensure_ascii=False, separators=(",", ":")
    ).encode()
    vapid = signer()
    targets = (
        PushSubscription.objects.for_alert(alert)
        .order_by("pk")
        .values_list("pk", "endpoint", "p256dh", "auth", "last_pushed_at")
    )
    quiet_for = timedelta(minutes=settings.PUSH_QUIET_MINUTES)
    cursor = alert.cursor
    with Sender(threads or settings.PUSH_SEND_THREADS) as sender:
        while rows := list(targets.filter(pk__gt=cursor)[:batch_size]):
            quiet_since = timezone.now() - quiet_for
            due = [row for row in rows if row[4] is None or row[4] <= quiet_since]
            result = sender.send(due, data, vapid)
            if result.failed:
                logger.warning(
                    "push alert %s: %s failed in a batch (%s)",
                    alert_id,
                    result.failed,
                    dict(result.statuses),
                )
            cursor = rows[-1][0]
            if not _record(alert_id, token, cursor, result, len(rows) - len(due)):
                logger.warning("push alert %s: claim lost, stopping", alert_id)
                return False
            if progress:
                alert.refresh_from_db()
                progress(alert)
    return bool(
        PushAlert.objects.filter(pk=alert_id, claimed_by=token).update(
            status=PushAlert.Status.SENT,
            completed_at=timezone.now(),
            claimed_by="",
            claimed_until=None,
        )
    )
