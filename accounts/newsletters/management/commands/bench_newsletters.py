"""Benchmark newsletter delivery: N subscribers, one issue, a null mail backend.

Run it against a throwaway database, e.g.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_nlbench \\
        python manage.py migrate && python manage.py bench_newsletters

It bulk-creates the readers and subscriptions, queues and sends one issue
through the real engine (claim, render, personalise, MIME-serialise, mark
sent), and reports messages per second and memory. The mail backend builds
every message's bytes and throws them away, so SMTP latency is left out: the
figure is what one worker process can feed to a mail server.
"""

import resource
import time
import tracemalloc
import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from accounts.newsletters import delivery
from accounts.newsletters.models import (
    Delivery,
    IssueArticle,
    Newsletter,
    NewsletterIssue,
    Subscription,
)
from articles.models import Article, Section

CHUNK = 5000


class NullBackend(BaseEmailBackend):
    """Discards messages; with `serialize`, first builds their bytes as SMTP would."""

    serialize = False
    sent = 0
    bytes = 0
    serialize_s = 0.0

    def send_messages(self, messages):
        if NullBackend.serialize:
            t0 = time.perf_counter()
            for message in messages:
                NullBackend.bytes += len(message.message().as_bytes())
            NullBackend.serialize_s += time.perf_counter() - t0
        NullBackend.sent += len(messages)
        return len(messages)


def _rss_mb() -> float:
    """Current resident memory (Linux), in MB."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return pages * resource.getpagesize() / 2**20
    except OSError:
        return 0.0


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BaseCommand):
    help = "Build N subscribers and send one issue with a null backend; report rate and memory."

    def add_arguments(self, parser):
        parser.add_argument("--subscribers", type=int, default=200_000)
        parser.add_argument("--batch-size", type=int, default=delivery.BATCH_SIZE)
        parser.add_argument(
            "--tracemalloc",
            action="store_true",
            help="Also measure Python's peak allocation during the send (slower).",
        )
        parser.add_argument(
            "--serialize",
            action="store_true",
            help="Build each message's MIME bytes (as the SMTP backend does).",
        )
        parser.add_argument(
            "--cleanup",
            action="store_true",
            help="Delete the benchmark's readers, list and issue afterwards.",
        )

    def handle(
        self, *args, subscribers, batch_size, tracemalloc, serialize, cleanup, **options
    ):
        if subscribers < 1 or batch_size < 1:
            raise CommandError("--subscribers and --batch-size must be positive.")
        run = uuid.uuid4().hex[:8]
        NullBackend.serialize = serialize
        self.stdout.write(
            f"Database: {connection.vendor}; {subscribers:,} subscribers; "
            f"batch {batch_size}; run {run}"
        )
        started = time.monotonic()
        newsletter, user_ids = self._build(run, subscribers)
        self.stdout.write(
            f"Built readers and subscriptions in {time.monotonic() - started:.1f}s"
        )
        issue = self._issue(newsletter)

        with override_settings(
            MAILERS={"newsletters": {"BACKEND": f"{__name__}.NullBackend"}}
        ):
            result = self._send(issue, batch_size, tracemalloc)

        issue.refresh_from_db()
        counts = issue.delivery_counts()
        self.stdout.write(
            self.style.SUCCESS(
                f"Queued {result['queued']:,} in {result['queue_s']:.1f}s "
                f"({result['queued'] / result['queue_s']:,.0f} rows/s)\n"
                f"Sent {counts['sent']:,} in {result['send_s']:.1f}s: "
                f"{counts['sent'] / result['send_s']:,.0f} messages/s "
                + (
                    f"(of which MIME serialisation {NullBackend.serialize_s:.1f}s, "
                    f"avg {NullBackend.bytes / max(NullBackend.sent, 1) / 1024:.1f} "
                    "KiB/message)"
                    if serialize
                    else "(MIME serialisation not included; see --serialize)"
                )
                + "\n"
                f"RSS after first batch {result['rss_first']:.0f} MB, "
                f"after last batch {result['rss_last']:.0f} MB, "
                f"process peak {_peak_rss_mb():.0f} MB"
                + (
                    f"\nPython peak allocation during send (tracemalloc): "
                    f"{result['traced_peak'] / 2**20:.1f} MB"
                    if tracemalloc
                    else ""
                )
            )
        )
        if counts["sent"] != subscribers or NullBackend.sent != subscribers:
            raise CommandError(f"Expected {subscribers} messages, got {counts}.")
        if cleanup:
            self._cleanup(issue, newsletter, user_ids)

    def _build(self, run, n):
        User = get_user_model()
        newsletter = Newsletter.objects.create(
            name=f"Benchmark {run}", slug=f"bench-{run}", cadence="daily"
        )
        now = timezone.now()
        user_ids = []
        for start in range(0, n, CHUNK):
            users = User.objects.bulk_create(
                User(
                    email=f"bench-{run}-{i}@bench.invalid",
                    name=f"قارئ {i}",
                    password="!",  # unusable: nobody logs in as these
                    email_verified_at=now,
                )
                for i in range(start, min(start + CHUNK, n))
            )
            ids = [u.pk for u in users]
            user_ids.extend(ids)
            Subscription.objects.bulk_create(
                Subscription(
                    user_id=pk,
                    newsletter=newsletter,
                    source=Subscription.Source.ADMIN,
                    confirmed_at=now,
                )
                for pk in ids
            )
        return newsletter, user_ids

    def _issue(self, newsletter):
        issue = NewsletterIssue.objects.create(
            newsletter=newsletter,
            subject="موجز الصباح: اختبار الأداء",
            intro="صباح الخير. هذه أهم قصص الليلة وما ينتظرنا اليوم.",
        )
        articles = list(Article.objects.published()[:8])
        if not articles:
            section, _ = Section.objects.get_or_create(
                slug="bench", defaults={"name": "اختبار"}
            )
            articles = [
                Article.objects.create(
                    headline=f"عنوان قصة الاختبار رقم {i}",
                    standfirst="موجز القصة في سطرين يشرحان ما حدث ولماذا يهم القراء.",
                    section=section,
                    status=Article.Status.PUBLISHED,
                    published_at=timezone.now() - timedelta(hours=i + 1),
                )
                for i in range(8)
            ]
        IssueArticle.objects.bulk_create(
            IssueArticle(issue=issue, article=a, position=i)
            for i, a in enumerate(articles)
        )
        return issue

    def _send(self, issue, batch_size, trace):
        delivery.start_issue(issue)
        t0 = time.monotonic()
        queued = delivery.queue_issue(issue)
        queue_s = time.monotonic() - t0
        rss = []

        def progress(stats, remaining):
            rss.append(_rss_mb())
            if len(rss) % 40 == 0 or remaining == 0:
                self.stdout.write(
                    f"  {stats.sent:,} sent, {stats.rate:,.0f} msg/s, "
                    f"{remaining:,} remaining, RSS {rss[-1]:.0f} MB"
                )

        if trace:
            tracemalloc.start()
        t0 = time.monotonic()
        delivery.send_pending(issue, batch_size=batch_size, progress=progress)
        send_s = time.monotonic() - t0
        traced_peak = tracemalloc.get_traced_memory()[1] if trace else 0
        if trace:
            tracemalloc.stop()
        return {
            "queued": queued,
            "queue_s": queue_s,
            "send_s": send_s,
            "rss_first": rss[0] if rss else 0,
            "rss_last": rss[-1] if rss else 0,
            "traced_peak": traced_peak,
        }

    def _cleanup(self, issue, newsletter, user_ids):
        Delivery.objects.filter(issue=issue).delete()
        issue.delete()
        Subscription.objects.filter(newsletter=newsletter).delete()
        newsletter.delete()
        User = get_user_model()
        for start in range(0, len(user_ids), CHUNK):
            User.objects.filter(pk__in=user_ids[start : start + CHUNK]).delete()
        self.stdout.write("Removed the benchmark data.")
