"""Load-test live pages: open pages polling one story (make bench-live).

Issue 16's target: an update posted by an editor is visible on 1,000 open
live pages within 10 s, with the origin under 10% of a core for those
pollers when the edge serves them.

Against PostgreSQL (DATABASE_URL) and Redis (CACHE_URL), with production
settings, it creates (or reuses) a live story with 30 published updates and
starts gunicorn and varnishd with our VCL in front of it, as bench_site does
(its Command, inherited). EDGE_PURGE_URLS points at that varnishd, so a
publish here purges the edge as it would in production.

Then, twice, with the pollers at the origin (gunicorn) and at the edge
(varnishd): 1,000 simulated open pages, asyncio streams speaking HTTP/1.1 in
this process, each starting at a random moment within 8 s and then asking
for `/live/<pk>/updates/` 8 s after its last answer, with If-None-Match and
If-Modified-Since, as static/js/live.js does with `cache: "no-cache"`. After
they settle, a steady window measures requests/s, the share of 304s and the
CPU of gunicorn (master and workers), the cache's Redis server, varnishd,
this process and the whole machine (from /proc: the machine may be doing
other work). Then an update is published here, and each poller's delay until
an answer holds its id is recorded.

Tables go to stdout as Markdown and progress to stderr. Every server is
stopped at the end, on error, Ctrl-C or SIGTERM too.
"""

import asyncio
import contextlib
import gzip
import json
import os
import random
import resource
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from articles.live import resume_coverage
from articles.models import Article, LiveUpdate, Section

from . import bench_site

STORY_HEADLINE = "تغطية مباشرة لاختبار الحمل"
PUBLISHED_TITLE = "عاجل: تحديث من اختبار الحمل"  # what each run publishes
REQUEST_TIMEOUT = 30
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Tally:
    """What the pollers got during one stretch of time."""

    requests: int = 0
    not_modified: int = 0
    errors: int = 0
    connections: int = 0  # opened: the edge closes idle ones after 5 s
    latencies: list[float] = field(default_factory=list)


@dataclass
class Poller:
    """One open page: its connection, its cached answer, what it saw."""

    etag: str | None = None
    last_modified: str | None = None
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    # (when, ids) of answers that came between the publish and the moment
    # its id was known; resolved then.
    early: list[tuple[float, set[int]]] = field(default_factory=list)
    seen_at: float | None = None


@dataclass
class Shared:
    """What the pollers of one run share with the run."""

    host: str
    port: int
    path: str
    every: float
    window: Tally | None = None  # set while the steady window is open
    published_at: float | None = None  # monotonic, just before create()
    target: int | None = None  # the new update's id, once create() returned
    first_error: str | None = None


@dataclass
class Result:
    """One row of each table: the pollers at the origin or at the edge."""

    where: str
    seconds: float
    tally: Tally
    origin_cpu: float  # share of one core
    redis_cpu: float | None  # the whole server, when on this host
    edge_cpu: float
    poller_cpu: float
    machine_cpu: float  # all cores together, as a share of one
    load_average: float
    edge_outcomes: dict | None
    publish_ms: float
    delays: list[float | None]
    deadline: float
    origin_cpu_after: float


def process_cpu(pid):
    """CPU seconds (user + system) of `pid` and its children, from /proc."""
    pids = [pid]
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            pids += (task / "children").read_text().split()
    ticks = 0
    for each in pids:
        with contextlib.suppress(OSError):
            # Fields after the command name, which may hold spaces: utime
            # and stime are the 14th and 15th of the line.
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / CLOCK_TICKS


def local_redis():
    """The pid of the cache's Redis server if it runs on this host: every
    poll the origin answers reads it, so its CPU is the origin's too."""
    location = settings.CACHES["default"].get("LOCATION")
    if not isinstance(location, str) or not location.startswith("redis://"):
        return None
    port = f":{urlsplit(location).port or 6379}"
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if proc.name.isdigit() and (proc / "comm").read_text() == "redis-server\n":
                if port in (proc / "cmdline").read_text():
                    return int(proc.name)
    return None


def machine_cpu():
    """(busy, all) CPU seconds of every core since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    return (sum(values[:8]) - idle) / CLOCK_TICKS, sum(values[:8]) / CLOCK_TICKS


def rank(values, share):
    """The value at `share` (0.5: the median) of sorted `values`, by rank."""
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, round(share * len(values)) - 1))]


def share(value):
    """A share of one core; two decimals below 1%, where ticks are few."""
    if value is None:
        return "n/a"
    return f"{value:.2%}" if value < 0.01 else f"{value:.1%}"


def seconds(value):
    return "n/a" if value != value else f"{value:,.2f}"


class Command(bench_site.Command):
    """bench_site's, for its servers (start_gunicorn, start_varnish, stop)."""

    help = "Benchmark 1,000 open live pages polling for updates (make bench-live)."

    def add_arguments(self, parser):
        parser.add_argument("--pollers", type=int, default=1000)
        parser.add_argument(
            "--every", type=float, default=8, help="seconds between polls (live.js)"
        )
        parser.add_argument(
            "--settle", type=float, default=20, help="seconds before the window"
        )
        parser.add_argument(
            "--window", type=float, default=30, help="seconds of steady polling"
        )
        parser.add_argument(
            "--deadline",
            type=float,
            default=30,
            help="seconds to wait, after the publish, for every poller to see it",
        )
        parser.add_argument(
            "--target", type=float, default=10, help="seconds the issue allows"
        )
        parser.add_argument("--updates", type=int, default=30)
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
        parser.add_argument(
            "--vcl",
            default=str(settings.BASE_DIR / "deploy" / "varnish" / "newsroom.vcl"),
            help="the edge logic (no backend), included from a temporary entry VCL",
        )

    def handle(self, *args, **options):
        self.options = options
        self.processes = {}
        # As bench_site: Ctrl-C, `kill` or a closed terminal raise here, so
        # the ExitStack below stops every server.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, lambda signum, _frame: sys.exit(128 + signum))
        self.raise_file_limit(options["pollers"] + 200)

        story = self.live_story()
        call_command("collectstatic", interactive=False, verbosity=0)
        path = reverse("articles:live_updates", args=[story.pk])
        results = []
        with contextlib.ExitStack() as stack:
            tmp = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-live-"))
            )
            tmp.chmod(0o755)  # varnishd's unprivileged user reads it
            origin = self.start_gunicorn(tmp, stack)
            edge, edge_note = self.start_varnish(tmp, origin, stack)
            if edge is None:
                raise CommandError(edge_note)
            self.stderr.write(f"Story {story.pk}: {path}; origin {origin}, edge {edge}")
            # Publishing here purges this varnishd, as the app does in
            # production (newsroom/edge.py reads the setting on each purge).
            stack.enter_context(override_settings(EDGE_PURGE_URLS=[edge]))
            for where, base in (("origin", origin), ("edge", edge)):
                results.append(asyncio.run(self.run(where, base, path, story)))
        self.print_tables(results, story, path, edge_note)

    def start(self, stack, name, command, log_path, **kwargs):
        # Kept by name, to read each server's CPU time.
        process = super().start(stack, name, command, log_path, **kwargs)
        self.processes[name] = process
        return process

    @staticmethod
    def raise_file_limit(needed):
        """One socket a poller: lift the soft limit to the hard one if short."""
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != resource.RLIM_INFINITY and soft < needed:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    # The story ---------------------------------------------------------------

    def live_story(self):
        """The bench's live story, created on the first run, running, with
        --updates published updates (those of earlier runs are deleted)."""
        story = Article.objects.filter(is_live=True, headline=STORY_HEADLINE).first()
        now = timezone.now()
        if story is None:
            section = Section.objects.order_by("position").first()
            if section is None:
                section = Section.objects.create(name="أخبار", slug="أخبار")
            story = Article.objects.create(
                headline=STORY_HEADLINE,
                standfirst="تغطية متواصلة لاختبار صفحات التغطية المباشرة.",
                body="<p>تتابع هذه الصفحة الأحداث لحظة بلحظة.</p>",
                section=section,
                status=Article.Status.PUBLISHED,
                published_at=now - timedelta(hours=3),
                is_live=True,
            )
        if story.live_ended_at:
            resume_coverage(story)
        LiveUpdate.objects.filter(article=story, title=PUBLISHED_TITLE).delete()
        published = LiveUpdate.objects.filter(article=story).published().count()
        for n in range(published, self.options["updates"]):
            LiveUpdate.objects.create(
                article=story,
                title=f"التحديث رقم {n + 1}" if n % 3 == 0 else "",
                body=f"<p>وصلت الآن معلومات جديدة رقم {n + 1} من الميدان، "
                "ويتابع مراسلونا تطورات الموقف.</p>",
                is_key_point=n % 10 == 0,
                status=LiveUpdate.Status.PUBLISHED,
                published_at=now - timedelta(minutes=90 - n),
            )
        return story

    def publish(self, story):
        """What an editor's "publish" does: save a published update (which
        commits, bumps the page cache's version and purges the edge)."""
        try:
            return LiveUpdate.objects.create(
                article=story,
                title=PUBLISHED_TITLE,
                body="<p>تحديث جديد نُشر أثناء قياس صفحات التغطية المباشرة.</p>",
                status=LiveUpdate.Status.PUBLISHED,
            )
        finally:
            connection.close()  # this thread's: it is the event loop's pool's

    # One run -------------------------------------------------------------------

    async def run(self, where, base, path, story):
        o = self.options
        host, port = base.removeprefix("http://").split(":")
        shared = Shared(host=host, port=int(port), path=path, every=o["every"])
        pollers = [Poller() for _ in range(o["pollers"])]
        self.stderr.write(
            f"{where}: {len(pollers)} pollers every {o['every']:g} s; "
            f"settling for {o['settle']:g} s..."
        )
        tasks = [asyncio.create_task(self.poll(p, shared)) for p in pollers]
        try:
            await asyncio.sleep(o["settle"])
            window = await self.steady_window(where, shared)
            delivery = await self.deliver(story, shared, pollers)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for poller in pollers:
                if poller.writer:
                    poller.writer.close()
        if shared.first_error:
            self.stderr.write(f"  first error: {shared.first_error}")
        return Result(where=where, deadline=o["deadline"], **window, **delivery)

    async def steady_window(self, where, shared):
        gunicorn = self.processes["gunicorn"].pid
        varnish = self.processes["varnishd"].pid
        counting_edge = where == "edge"
        edge_before = (
            await asyncio.to_thread(self.edge_counters) if counting_edge else None
        )
        load_average = os.getloadavg()[0]
        redis = local_redis()
        origin, edge = process_cpu(gunicorn), process_cpu(varnish)
        cache = process_cpu(redis) if redis else None
        own, machine = time.process_time(), machine_cpu()
        started = time.monotonic()
        shared.window = Tally()
        await asyncio.sleep(self.options["window"])
        tally, shared.window = shared.window, None
        elapsed = time.monotonic() - started
        machine_after = machine_cpu()
        result = {
            "seconds": elapsed,
            "tally": tally,
            "origin_cpu": (process_cpu(gunicorn) - origin) / elapsed,
            "redis_cpu": (process_cpu(redis) - cache) / elapsed if redis else None,
            "edge_cpu": (process_cpu(varnish) - edge) / elapsed,
            "poller_cpu": (time.process_time() - own) / elapsed,
            "machine_cpu": (machine_after[0] - machine[0])
            / (machine_after[1] - machine[1])
            * os.cpu_count(),
            "load_average": load_average,
            "edge_outcomes": None,
        }
        if counting_edge:
            after = await asyncio.to_thread(self.edge_counters)
            result["edge_outcomes"] = {
                name: after[name] - edge_before[name]
                for name in bench_site.EDGE_COUNTERS
            }
        statuses = (
            f"{tally.requests / elapsed:,.0f} requests/s, "
            f"{tally.not_modified / max(tally.requests, 1):.1%} 304s, "
            f"{tally.errors} errors"
        )
        self.stderr.write(
            f"  window {elapsed:.0f} s: {statuses}; CPU: origin "
            f"{share(result['origin_cpu'])}, Redis {share(result['redis_cpu'])}, "
            f"edge {share(result['edge_cpu'])}, pollers "
            f"{share(result['poller_cpu'])} of a core"
        )
        return result

    async def deliver(self, story, shared, pollers):
        """Publish an update; wait until every poller has seen it, or the
        deadline passed. Delays count from just before the save."""
        gunicorn = self.processes["gunicorn"].pid
        origin = process_cpu(gunicorn)
        shared.published_at = time.monotonic()
        update = await asyncio.to_thread(self.publish, story)
        publish_ms = (time.monotonic() - shared.published_at) * 1000
        shared.target = update.pk
        for poller in pollers:
            for when, ids in poller.early:
                if update.pk in ids and poller.seen_at is None:
                    poller.seen_at = when
        self.stderr.write(f"  published update {update.pk} in {publish_ms:.0f} ms")
        deadline = shared.published_at + self.options["deadline"]
        while time.monotonic() < deadline:
            if all(poller.seen_at for poller in pollers):
                break
            await asyncio.sleep(0.05)
        elapsed = time.monotonic() - shared.published_at
        delays = [
            poller.seen_at - shared.published_at if poller.seen_at else None
            for poller in pollers
        ]
        seen = sorted(d for d in delays if d is not None)
        self.stderr.write(
            f"  {len(seen)} of {len(pollers)} saw it; last after "
            f"{seconds(seen[-1] if seen else float('nan'))} s"
        )
        return {
            "publish_ms": publish_ms,
            "delays": delays,
            "origin_cpu_after": (process_cpu(gunicorn) - origin) / elapsed,
        }

    # One poller ----------------------------------------------------------------

    async def poll(self, poller, shared):
        """static/js/live.js: ask, handle the answer, ask again `every`
        seconds after it came (or failed)."""
        await asyncio.sleep(random.uniform(0, shared.every))
        while True:
            started = time.monotonic()
            tally = shared.window
            try:
                status, headers, body = await asyncio.wait_for(
                    self.get(poller, shared, tally), REQUEST_TIMEOUT
                )
                if status == 200:
                    self.read_updates(poller, shared, headers, body)
                elif status != 304:
                    raise ValueError(f"HTTP {status}")
            except (
                OSError,
                TimeoutError,
                ValueError,  # a status other than 200 or 304, or bad JSON
                KeyError,
                asyncio.IncompleteReadError,
            ) as e:
                self.close(poller)
                if tally:
                    tally.errors += 1
                shared.first_error = shared.first_error or repr(e)
            else:
                if tally:
                    tally.requests += 1
                    tally.not_modified += status == 304
                    tally.latencies.append(time.monotonic() - started)
            await asyncio.sleep(shared.every)

    def read_updates(self, poller, shared, headers, body):
        now = time.monotonic()
        poller.etag = headers.get("etag")
        poller.last_modified = headers.get("last-modified")
        if headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        ids = {update["id"] for update in json.loads(body)["updates"]}
        if poller.seen_at or shared.published_at is None:
            return
        if shared.target is None:
            poller.early.append((now, ids))  # the id is not known yet
        elif shared.target in ids:
            poller.seen_at = now

    async def get(self, poller, shared, tally):
        """(status, headers, body) of one GET on the poller's connection,
        opened again when the server has closed it (gunicorn's sync workers
        close each one; varnishd closes idle ones after 5 s)."""
        request = self.request(poller, shared)
        reused = poller.writer is not None and not poller.reader.at_eof()
        if not reused:
            await self.connect(poller, shared, tally)
        try:
            return await self.exchange(poller, request)
        except (OSError, asyncio.IncompleteReadError):
            if not reused:
                raise
        # Closed by the server as we reused it: once more on a new one, as
        # browsers do for a GET.
        await self.connect(poller, shared, tally)
        return await self.exchange(poller, request)

    async def connect(self, poller, shared, tally):
        self.close(poller)
        poller.reader, poller.writer = await asyncio.open_connection(
            shared.host, shared.port
        )
        if tally:
            tally.connections += 1

    @staticmethod
    def close(poller):
        if poller.writer:
            poller.writer.close()
        poller.reader = poller.writer = None

    @staticmethod
    def request(poller, shared):
        headers = {
            "Host": f"{shared.host}:{shared.port}",
            "Accept": "application/json",
            **bench_site.COMMON_HEADERS,
        }
        if poller.etag:
            headers["If-None-Match"] = poller.etag
        if poller.last_modified:
            headers["If-Modified-Since"] = poller.last_modified
        lines = [f"GET {shared.path} HTTP/1.1"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def exchange(self, poller, request):
        reader, writer = poller.reader, poller.writer
        writer.write(request)
        await writer.drain()
        status_line = await reader.readuntil(b"\r\n")
        if not status_line.startswith(b"HTTP/1."):
            raise ValueError(f"not HTTP: {status_line[:40]!r}")
        status = int(status_line.split()[1])
        headers = {}
        while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if status == 304 or status < 200:
            body = b""
        elif headers.get("transfer-encoding") == "chunked":
            body = await self.chunked(reader)
        else:
            body = await reader.readexactly(int(headers.get("content-length", 0)))
        if headers.get("connection", "").lower() == "close" or status_line.startswith(
            b"HTTP/1.0"
        ):
            self.close(poller)
        return status, headers, body

    @staticmethod
    async def chunked(reader):
        parts = []
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
            pass
        return b"".join(parts)

    # Output --------------------------------------------------------------------

    def print_tables(self, results, story, path, edge_note):
        o = self.options
        self.stdout.write(
            f"\n{o['pollers']:,} pollers (asyncio, HTTP/1.1, in one process) asking "
            f"`{path}` {o['every']:g} s after each answer, with If-None-Match and "
            f"If-Modified-Since, starting at random within {o['every']:g} s; "
            f"{o['settle']:g} s to settle, then a {o['window']:g} s window. "
            f"The story has {LiveUpdate.objects.filter(article=story).count()} "
            f"updates. gunicorn {o['workers']} workers; {os.cpu_count()} cores; "
            f"{edge_note}. CPU is user + system time over the window's wall time, "
            "as a share of one core (/proc): origin is gunicorn's master and "
            "workers, Redis the whole server the cache uses (others' work "
            "included), edge varnishd, poller this process; the machine's is "
            "all its cores together, this run included.\n"
        )
        self.stdout.write(
            "| pollers at | requests/s | 304s | median ms | p99 ms | errors "
            "| connections opened/s | origin CPU | Redis CPU | edge CPU "
            "| poller CPU | machine CPU | load average |"
        )
        self.stdout.write("| --- |" + " ---: |" * 12)
        for r in results:
            t = r.tally
            latencies = sorted(t.latencies)
            self.stdout.write(
                f"| {r.where} | {t.requests / r.seconds:,.0f} "
                f"| {t.not_modified / max(t.requests, 1):.1%} "
                f"| {bench_site.ms(rank(latencies, 0.5) * 1000)} "
                f"| {bench_site.ms(rank(latencies, 0.99) * 1000)} | {t.errors:,} "
                f"| {t.connections / r.seconds:,.0f} | {share(r.origin_cpu)} "
                f"| {share(r.redis_cpu)} | {share(r.edge_cpu)} "
                f"| {share(r.poller_cpu)} | {r.machine_cpu:.0%} "
                f"| {r.load_average:.1f} |"
            )
        for r in results:
            if r.edge_outcomes:
                counts = ", ".join(
                    f"{name.split('.')[-1]} {value:,}"
                    for name, value in r.edge_outcomes.items()
                )
                self.stdout.write(f"\nHow the edge answered in its window: {counts}.")

        self.stdout.write(
            f"\nAfter publishing an update (delays from just before the save, "
            f"which commits and purges, to the answer holding its id; waited "
            f"up to {o['deadline']:g} s):\n"
        )
        self.stdout.write(
            f"| pollers at | saw it within {o['target']:g} s | p50 s | p95 s "
            "| max s | not seen | save ms | origin CPU until all saw it |"
        )
        self.stdout.write("| --- |" + " ---: |" * 7)
        for r in results:
            seen = sorted(d for d in r.delays if d is not None)
            within = sum(d <= o["target"] for d in seen)
            self.stdout.write(
                f"| {r.where} | {within:,} of {len(r.delays):,} "
                f"| {seconds(rank(seen, 0.5))} | {seconds(rank(seen, 0.95))} "
                f"| {seconds(seen[-1] if seen else float('nan'))} "
                f"| {len(r.delays) - len(seen):,} | {r.publish_ms:,.0f} "
                f"| {share(r.origin_cpu_after)} |"
            )
