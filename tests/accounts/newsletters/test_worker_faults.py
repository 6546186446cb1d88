"""Newsletter workers under faults, as separate processes against a real SMTP
server (aiosmtpd, in the test) and PostgreSQL: a relay slower than the lease,
a worker killed with SIGKILL, one told to stop with SIGTERM, and one whose
database connection is cut mid-batch. Each reader gets the issue once; a
killed worker costs at most the one message it had in flight."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import timezone

from accounts.newsletters import delivery
from accounts.newsletters.models import (
    Delivery,
    IssueArticle,
    Newsletter,
    NewsletterIssue,
    Subscription,
)
from tests.factories import ArticleFactory, UserFactory
from tests.redis_server import free_port

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="worker processes share the test database on PostgreSQL only",
    ),
]

BASE_DIR = Path(__file__).resolve().parents[3]
READERS = 60
WORKER_APP = "newsletter-worker-under-test"


class Relay:
    """An SMTP server that takes `delay` seconds per message, like a slow
    relay, and remembers who got what."""

    def __init__(self):
        self.delay = 0.0
        self.received = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        time.sleep(self.delay)
        with self.lock:
            self.received.extend(envelope.rcpt_tos)
        return "250 OK"

    def count(self):
        with self.lock:
            return len(self.received)


@pytest.fixture
def relay():
    handler = Relay()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def issue():
    newsletter = Newsletter.objects.create(
        name="نشرة العطل", slug="نشرة-العطل", cadence=Newsletter.Cadence.DAILY
    )
    users = UserFactory.create_batch(READERS, verified=True)
    Subscription.objects.bulk_create(
        Subscription(
            user=user,
            newsletter=newsletter,
            source="signup",
            confirmed_at=timezone.now(),
        )
        for user in users
    )
    issue = NewsletterIssue.objects.create(newsletter=newsletter, subject="عاجل")
    IssueArticle.objects.create(issue=issue, article=ArticleFactory())
    delivery.start_issue(issue)
    delivery.queue_issue(issue)
    issue.readers = {user.email for user in users}
    return issue


def worker(relay, lease, batch=20):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            f"/{db['NAME']}"
        ),
        "CACHE_URL": "locmemcache://worker",
        "NEWSLETTER_EMAIL_URL": f"smtp://127.0.0.1:{relay.port}",
        "NEWSLETTER_LEASE_SECONDS": str(lease),
        "PGAPPNAME": WORKER_APP,
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "send_newsletters", "--batch-size", str(batch)],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def finish(process, timeout=60):
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def test_a_relay_slower_than_the_lease_sends_no_one_twice(relay, issue):
    relay.delay = 0.1  # a batch of 20 takes 2 s; the lease is 1 s
    first = worker(relay, lease=1)
    wait_for(lambda: relay.count() >= 3)
    second = worker(relay, lease=1)

    assert finish(first)[0] == 0
    assert finish(second)[0] == 0

    counts = Counter(relay.received)
    assert set(counts) == issue.readers
    assert max(counts.values()) == 1


def test_a_killed_workers_batch_goes_out_after_its_lease_once(relay, issue):
    relay.delay = 0.05
    first = worker(relay, lease=1)
    wait_for(lambda: relay.count() >= 10)
    first.send_signal(signal.SIGKILL)
    first.wait()
    time.sleep(1.2)  # the lease lapses

    assert finish(worker(relay, lease=1))[0] == 0

    counts = Counter(relay.received)
    assert set(counts) == issue.readers
    assert sum(counts.values()) <= READERS + 1  # the message in flight, at most
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT


def test_sigterm_finishes_the_message_in_flight_and_gives_the_rest_back(relay, issue):
    relay.delay = 0.1
    first = worker(relay, lease=600)  # nothing comes back by the lease here
    wait_for(lambda: relay.count() >= 5)
    first.send_signal(signal.SIGTERM)
    code, _, err = finish(first, timeout=10)

    assert code == -signal.SIGTERM
    assert "Traceback" not in err
    assert not Delivery.objects.filter(status="sending").exists()
    sent = Delivery.objects.filter(status="sent").count()
    assert sent == relay.count()

    assert finish(worker(relay, lease=600))[0] == 0  # at once: nothing is held

    counts = Counter(relay.received)
    assert set(counts) == issue.readers
    assert max(counts.values()) == 1


def test_a_lost_database_connection_strands_nothing(relay, issue):
    relay.delay = 0.1
    first = worker(relay, lease=600)
    wait_for(lambda: relay.count() >= 5)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = %s",
            [WORKER_APP],
        )
    code, out, err = finish(first)

    assert code == 0
    assert "stopped early (database)" in out
    assert "Traceback" not in err
    assert not Delivery.objects.filter(status="sending").exists()

    assert finish(worker(relay, lease=600))[0] == 0

    counts = Counter(relay.received)
    assert set(counts) == issue.readers
    assert sum(counts.values()) <= READERS + 1
