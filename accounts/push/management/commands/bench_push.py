"""Benchmark push sending: N subscriptions, one alert, a local push service.

Run it against a throwaway database, e.g.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pushbench \\
        python manage.py migrate && python manage.py bench_push

It bulk-creates the subscriptions (real P-256 browser keys, a few hundred
of them reused, since the cost of encrypting does not depend on which), then
sends one alert through the real engine (claim, batches by id, encryption
and VAPID signing, HTTP posts from the thread pool, progress recorded per
batch) to a threaded HTTP server on 127.0.0.1 that answers 201 without
decrypting. The server runs in a child process, so that it does not compete
with the sender for this process's interpreter lock. It reports elapsed time,
messages per second and memory.
"""

import base64
import os
import resource
import subprocess
import sys
import time
import tracemalloc
import uuid
from datetime import timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from accounts.push import sending
from accounts.push.models import PushAlert, PushSubscription
from articles.models import Article, Section

from .generate_vapid_keys import generate_pair

CHUNK = 5000
DISTINCT_KEYS = 200

# The local push service: HTTP/1.1 keep-alive, 201 for every POST.
SERVER = r"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response_only(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
server.request_queue_size = 128
print(server.server_port, flush=True)
server.serve_forever()
"""


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


def _browser_keys(n: int) -> list[tuple[str, str]]:
    keys = []
    for _ in range(n):
        public = (
            ec.generate_private_key(ec.SECP256R1())
            .public_key()
            .public_bytes(
                serialization.Encoding.X962,
                serialization.PublicFormat.UncompressedPoint,
            )
        )
        keys.append(
            (
                base64.urlsafe_b64encode(public).rstrip(b"=").decode(),
                base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode(),
            )
        )
    return keys


class Command(BaseCommand):
    help = (
        "Build N push subscriptions and send one alert to a local push service; "
        "report rate and memory."
    )

    def add_arguments(self, parser):
        parser.add_argument("--subscriptions", type=int, default=100_000)
        parser.add_argument("--batch-size", type=int, default=sending.BATCH_SIZE)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--tracemalloc",
            action="store_true",
            help="Also measure Python's peak allocation during the send (slower).",
        )
        parser.add_argument(
            "--cleanup",
            action="store_true",
            help="Delete the benchmark's subscriptions, story and alert afterwards.",
        )

    def handle(self, *args, subscriptions, batch_size, threads, cleanup, **options):
        if subscriptions < 1 or batch_size < 1 or threads < 1:
            raise CommandError("--subscriptions, --batch-size, --threads: positive.")
        if PushSubscription.objects.exists():
            raise CommandError(
                "The database already has push subscriptions: run this on a "
                "throwaway database (and --cleanup to leave it empty)."
            )
        run = uuid.uuid4().hex[:8]
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True
        )
        try:
            origin = f"http://127.0.0.1:{int(server.stdout.readline())}"
            self.stdout.write(
                f"Database: {connection.vendor}; {subscriptions:,} subscriptions; "
                f"batch {batch_size}; {threads} threads; push service {origin}"
            )
            started = time.monotonic()
            self._build(run, subscriptions, origin)
            self.stdout.write(
                f"Built subscriptions in {time.monotonic() - started:.1f}s"
            )
            private, public = generate_pair()
            with override_settings(
                VAPID_PRIVATE_KEY=private,
                VAPID_PUBLIC_KEY=public,
                VAPID_SUBJECT="mailto:bench@example.com",
                PUSH_ALLOW_LOCALHOST=True,
                PUSH_QUIET_MINUTES=0,
            ):
                alert = self._alert(run)
                result = self._send(alert, batch_size, threads, options["tracemalloc"])
        finally:
            server.terminate()
            server.wait()
        server_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)

        alert.refresh_from_db()
        self.stdout.write(
            self.style.SUCCESS(
                f"Sent {alert.sent_count:,} in {result['send_s']:.1f}s: "
                f"{alert.sent_count / result['send_s']:,.0f} messages/s "
                f"(failed {alert.failed_count}, gone {alert.gone_count})\n"
                f"CPU during the send: sender {result['cpu_s']:.1f}s "
                f"({result['cpu_s'] / max(alert.sent_count, 1) * 1e6:,.0f} µs a message); "
                f"push service (child process, whole run) "
                f"{server_cpu.ru_utime + server_cpu.ru_stime:.1f}s\n"
                f"RSS after first batch {result['rss_first']:.0f} MB, "
                f"after last batch {result['rss_last']:.0f} MB, "
                f"process peak {_peak_rss_mb():.0f} MB"
                + (
                    "\nPython peak allocation during send (tracemalloc): "
                    f"{result['traced_peak'] / 2**20:.1f} MB"
                    if options["tracemalloc"]
                    else ""
                )
            )
        )
        if alert.sent_count != subscriptions:
            raise CommandError(
                f"Expected {subscriptions} sent, got {alert.sent_count}."
            )
        if cleanup:
            self._cleanup(run, alert)

    def _build(self, run, n, origin):
        keys = _browser_keys(DISTINCT_KEYS)
        for start in range(0, n, CHUNK):
            PushSubscription.objects.bulk_create(
                PushSubscription(
                    endpoint=f"{origin}/push/{run}/{i}",
                    p256dh=keys[i % DISTINCT_KEYS][0],
                    auth=keys[i % DISTINCT_KEYS][1],
                )
                for i in range(start, min(start + CHUNK, n))
            )

    def _alert(self, run):
        section, _ = Section.objects.get_or_create(
            slug="bench", defaults={"name": "اختبار"}
        )
        article = Article.objects.create(
            headline=f"خبر عاجل لاختبار أداء التنبيهات {run}",
            standfirst="موجز الخبر في سطر يشرح ما حدث ولماذا يهم القراء الآن.",
            section=section,
            status=Article.Status.PUBLISHED,
            published_at=timezone.now() - timedelta(minutes=1),
            is_breaking=True,
        )
        return PushAlert.objects.create(
            article=article, title=f"عاجل: {article.headline}", body=article.standfirst
        )

    def _send(self, alert, batch_size, threads, trace):
        rss = []

        def progress(current):
            rss.append(_rss_mb())
            if len(rss) % 40 == 0:
                self.stdout.write(
                    f"  {current.sent_count:,} sent, cursor {current.cursor}, "
                    f"RSS {rss[-1]:.0f} MB"
                )

        if trace:
            tracemalloc.start()
        t0 = time.monotonic()
        cpu0 = time.process_time()
        sending.send_alert(
            alert.pk, batch_size=batch_size, threads=threads, progress=progress
        )
        send_s = time.monotonic() - t0
        cpu_s = time.process_time() - cpu0
        traced_peak = tracemalloc.get_traced_memory()[1] if trace else 0
        if trace:
            tracemalloc.stop()
        return {
            "send_s": send_s,
            "cpu_s": cpu_s,
            "rss_first": rss[0] if rss else 0,
            "rss_last": rss[-1] if rss else 0,
            "traced_peak": traced_peak,
        }

    def _cleanup(self, run, alert):
        PushSubscription.objects.filter(endpoint__contains=f"/push/{run}/").delete()
        article = alert.article
        alert.delete()
        article.delete()
        self.stdout.write("Removed the benchmark data.")
