"""Load-test the site from nginx to the edge, side by side (make bench).

Run after `build_bench_data`, against PostgreSQL (DATABASE_URL) and Redis
(CACHE_URL), with production settings. One run measures, with wrk:

- nginx serving a 60 KB static file: what this machine can do at all;
- Django doing no work (`/robots.txt` under gunicorn): the baseline;
- the origin (gunicorn) and the edge (varnishd with deploy/varnish/newsroom.vcl
  in front of that gunicorn) on the home, section, article and tag pages, for
  an anonymous and a signed-in reader (a real session cookie);
- the private state endpoint at the origin, for a signed-in reader.

In process it measures the state endpoint's SQL queries and time, and each
page's render time on a cache miss after a publish. Tables go to stdout as
Markdown and progress to stderr, so `manage.py bench_site > bench.md` keeps
them apart. Every server it starts is stopped at the end, on error, Ctrl-C
or SIGTERM too.
"""

import contextlib
import http.client
import itertools
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Follow, SavedArticle
from articles.cache import article_keys, invalidate
from articles.models import Article, Section, Tag
from articles.views import front_page

STATIC_FILE_BYTES = 60 * 1024
STATE_ARTICLES = 20
# Sent with every request. Browsers always offer gzip, and whether the edge
# stores and serves compressed pages depends on it.
COMMON_HEADERS = {
    "X-Forwarded-Proto": "https",  # as the TLS terminator in front would say
    "Accept-Encoding": "gzip",
    "User-Agent": "newsroom-bench",
}
# Varnish counters that say how the edge answered: from its cache or not.
EDGE_COUNTERS = ("MAIN.cache_hit", "MAIN.cache_miss", "MAIN.s_pass", "MAIN.s_pipe")


@dataclass(frozen=True)
class Target:
    """One row of the load table: what is fetched, by whom, from where."""

    page: str
    reader: str  # "anon" or "signed-in"
    where: str  # "nginx", "django", "origin" or "edge"
    url: str
    cookie: str | None = None
    # Fewer than --connections: the endpoint's own latency, without queueing.
    connections: int | None = None


@dataclass
class Load:
    """What wrk measured for one target."""

    rps: float
    median_ms: float
    p99_ms: float
    errors: int
    bytes_per_response: float


def free_port():
    """A loopback port nobody listens on (the small race is harmless here)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def find_program(name):
    # Debian puts nginx and varnishd in /usr/sbin, not always on a user's PATH.
    found = shutil.which(name, path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")
    if not found:
        raise CommandError(
            f"{name} is missing: apt-get install wrk nginx varnish varnish-modules"
        )
    return found


def stop(process, name):
    """Stop a server we started; kill it if it does not stop in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        sys.stderr.write(f"{name} did not stop on SIGTERM: killing it\n")
        process.kill()
        process.wait()


def wait_until_up(url, process, name, log_path, tries=100):
    """Poll `url` until it answers 200; fail with the server's log if it dies."""
    for _ in range(tries):
        if process.poll() is not None:
            break
        with contextlib.suppress(OSError, http.client.HTTPException):
            if fetch(url)[0] == 200:
                return
        time.sleep(0.2)
    log = Path(log_path).read_text(errors="replace")[-3000:]
    raise CommandError(f"{name} did not start on {url}.\n{log}")


def fetch(url, headers=None):
    """(status, body length, response) of one GET; redirects are not followed."""
    host_port, _, path = url.removeprefix("http://").partition("/")
    host, port = host_port.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        conn.request("GET", "/" + path, headers={**COMMON_HEADERS, **(headers or {})})
        response = conn.getresponse()
        body = response.read()
        return response.status, len(body), response
    finally:
        conn.close()


def ms(value):
    if value != value:  # NaN: wrk measured nothing
        return "n/a"
    return f"{value:,.2f}" if value < 10 else f"{value:,.1f}"


def percent(ratio):
    # One decimal below 10%, so a slow page next to nginx does not read "0%".
    return f"{ratio:,.1%}" if ratio < 0.1 else f"{ratio:,.0%}"


class Command(BaseCommand):
    help = "Benchmark nginx, Django, the origin and the Varnish edge (make bench)."

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=int, default=10, help="seconds per URL")
        parser.add_argument(
            "--warmup", type=int, default=2, help="seconds of load before each URL"
        )
        parser.add_argument("--connections", type=int, default=100)
        parser.add_argument("--threads", type=int, default=2, help="wrk threads")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
        parser.add_argument(
            "--runs", type=int, default=20, help="in-process timings per page"
        )
        parser.add_argument(
            "--vcl",
            default=str(settings.BASE_DIR / "deploy" / "varnish" / "newsroom.vcl"),
            help="the edge logic (no backend), included from a temporary entry VCL",
        )

    def handle(self, *args, **options):
        self.options = options
        self.wrk = find_program("wrk")
        # Ctrl-C, `kill` or a closed terminal raise an exception here, so the
        # ExitStack in load_everything stops every server we started. SIGINT
        # is reset too: a shell's background job starts with it ignored.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, lambda signum, _frame: sys.exit(128 + signum))

        pages = self.pick_pages()
        reader = get_user_model().objects.filter(is_staff=False).order_by("id").first()
        if reader is None:
            raise CommandError("No readers: run `manage.py build_bench_data` first.")
        call_command("collectstatic", interactive=False, verbosity=0)
        state_path = self.state_path(reader)
        cookie = self.signed_in_cookies(reader, state_path)

        misses = self.miss_render_times(pages)
        state_in_process = self.state_in_process(state_path, cookie)
        loads, edge_outcomes, memory, edge_note = self.load_everything(
            pages, cookie, state_path
        )

        self.print_load_table(loads, edge_note)
        self.print_edge_outcomes(edge_outcomes)
        self.print_state(state_path, loads, state_in_process)
        self.print_misses(misses)
        self.stdout.write(f"\ngunicorn workers' memory (RSS) after the run: {memory}")

    # What is measured -----------------------------------------------------

    def pick_pages(self):
        article = Article.objects.published().select_related("section").first()
        section = Section.objects.first()
        tag = Tag.objects.published().order_by("-id").first()
        if not (article and section and tag):
            raise CommandError("No data: run `manage.py build_bench_data` first.")
        return {
            "home": "/",
            "section": section.get_absolute_url(),
            "article": article.get_absolute_url(),
            "tag": tag.get_absolute_url(),
        }

    def signed_in_cookies(self, user, state_path):
        """The Cookie header of a signed-in browser: a real session, as signing
        in makes, plus whatever the site sets on the first state call (the
        CSRF cookie, say), so no measured request is a browser's first."""
        client = Client()
        client.force_login(user)  # a real session in the configured store
        client.get(state_path, secure=True, headers={"host": "127.0.0.1"})
        jar = client.cookies.items()
        return "; ".join(f"{name}={m.value}" for name, m in jar if m.value)

    def state_path(self, reader):
        """What an article page asks for: the saved state of the 20 stories it
        lists (two of them saved by this reader) and 3 follow buttons (a
        followed section and tag, and a tag not followed)."""
        saved = list(
            SavedArticle.objects.filter(user=reader).values_list(
                "article_id", flat=True
            )[:2]
        )
        newest = Article.objects.published().exclude(id__in=saved)
        ids = saved + list(
            newest.values_list("id", flat=True)[: STATE_ARTICLES - len(saved)]
        )
        follows = Follow.objects.filter(user=reader)
        section = follows.filter(section__isnull=False).values_list(
            "section_id", flat=True
        )
        tags = follows.filter(tag__isnull=False).values_list("tag_id", flat=True)
        section_id = (
            section.first() or Section.objects.values_list("id", flat=True).first()
        )
        followed_tag = tags.first() or Tag.objects.values_list("id", flat=True).first()
        other_tag = (
            Tag.objects.exclude(id__in=tags).values_list("id", flat=True).first()
        )
        targets = f"section:{section_id},tag:{followed_tag},tag:{other_tag}"
        return f"/account/state/?a={','.join(map(str, ids))}&f={targets}"

    # In-process measurements ----------------------------------------------

    def timed_gets(self, client, path, before=None):
        """Median ms of `runs` GETs (the first two left out as warm-up), and the
        last status; `before` runs ahead of each request (a cache invalidation)."""
        timings, status = [], None
        for _ in range(self.options["runs"] + 2):
            if before:
                before()
            start = time.perf_counter()
            response = client.get(path, secure=True, headers={"host": "127.0.0.1"})
            timings.append((time.perf_counter() - start) * 1000)
            status = response.status_code
        return statistics.median(timings[2:]), status

    def miss_render_times(self, pages):
        """{page: (after a publish, cold)} as (ms, status) pairs, anonymous."""
        self.stderr.write("Render times on a cache miss (in process)...")
        client = Client()
        results = {}
        # As a publish does: each run invalidates one more story's keys, a
        # story of a home page section block (a publish moves one story into
        # a block), so the page cache misses and one block is rendered again.
        blocks = front_page()["section_blocks"]
        stories = itertools.cycle(
            Article.objects.filter(pk__in=[pk for b in blocks for pk in b.ids])
            .only("pk", "section_id")
            .order_by("pk")
        )
        for name, path in pages.items():
            after_publish = self.timed_gets(
                client, path, lambda: invalidate(article_keys(next(stories)))
            )
            cold = self.timed_gets(client, path, cache.clear)
            results[name] = (after_publish, cold)
        return results

    def state_in_process(self, path, cookie):
        """(SQL queries, median ms, status, content type) of the state endpoint
        for a signed-in reader, in process."""
        self.stderr.write("State endpoint (in process)...")
        client = Client()
        client.cookies.load(cookie)
        client.get(path, secure=True, headers={"host": "127.0.0.1"})  # warm
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, secure=True, headers={"host": "127.0.0.1"})
        # Read now: the next request's request_started signal empties the log.
        captured = queries.captured_queries
        if self.options["verbosity"] > 1:
            for query in captured:
                self.stderr.write(f"  SQL: {query['sql']}")
        median, status = self.timed_gets(client, path)
        return len(captured), median, status, response.get("Content-Type", "")

    # Servers ----------------------------------------------------------------

    def load_everything(self, pages, cookie, state_path):
        """Start nginx, gunicorn and varnishd, load every target, stop them all."""
        with contextlib.ExitStack() as stack:
            # Entered first, so removed last, after every server has stopped.
            tmp = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-"))
            )
            tmp.chmod(0o755)  # nginx's and varnishd's unprivileged users read it
            nginx = self.start_nginx(tmp, stack)
            origin = self.start_gunicorn(tmp, stack)
            edge, edge_note = self.start_varnish(tmp, origin, stack)
            targets = self.targets(nginx, origin, edge, pages, cookie, state_path)
            loads, edge_outcomes = {}, {}
            for target in targets:
                loads[target], outcome = self.measure(target)
                if outcome:
                    edge_outcomes[target] = outcome
            memory = self.worker_memory(self.gunicorn.pid)
        return loads, edge_outcomes, memory, edge_note

    def start(self, stack, name, command, log_path, **kwargs):
        log = open(log_path, "w")  # closed by the stack, after the server stops
        stack.callback(log.close)
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            **kwargs,
        )
        stack.callback(stop, process, name)
        return process

    def start_nginx(self, tmp, stack):
        """nginx serving one 60 KB file: the ceiling for this machine."""
        port = free_port()
        root = tmp / "static"
        root.mkdir(mode=0o755)
        filler = b"<!doctype html><title>static</title>\n" + b"x" * STATIC_FILE_BYTES
        (root / "static.html").write_bytes(filler[:STATIC_FILE_BYTES])
        (root / "static.html").chmod(0o644)
        conf = tmp / "nginx.conf"
        conf.write_text(
            f"""
            worker_processes 2;
            daemon off;
            pid {tmp}/nginx.pid;
            error_log {tmp}/nginx.log warn;
            events {{ worker_connections 4096; }}
            http {{
                access_log off;
                default_type text/html;
                sendfile on;
                client_body_temp_path {tmp}/nginx-body;
                proxy_temp_path {tmp}/nginx-proxy;
                fastcgi_temp_path {tmp}/nginx-fastcgi;
                uwsgi_temp_path {tmp}/nginx-uwsgi;
                scgi_temp_path {tmp}/nginx-scgi;
                server {{ listen 127.0.0.1:{port}; root {root}; }}
            }}
            """
        )
        # -e: the error log before the config is read (Debian's default
        # /var/log/nginx may not be writable, or may be someone else's).
        command = [find_program("nginx"), "-p", str(tmp), "-c", str(conf)]
        command += ["-e", str(tmp / "nginx.log")]
        process = self.start(stack, "nginx", command, tmp / "nginx.out")
        url = f"http://127.0.0.1:{port}/static.html"
        wait_until_up(url, process, "nginx", tmp / "nginx.log")
        return url

    def start_gunicorn(self, tmp, stack):
        port = free_port()
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-" + "x" * 40),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [str(gunicorn), "newsroom.wsgi", "-w", str(self.options["workers"])]
        command += ["-b", f"127.0.0.1:{port}", "--access-logfile", "/dev/null"]
        command += ["--error-logfile", "-", "--log-level", "warning"]
        self.gunicorn = self.start(
            stack, "gunicorn", command, tmp / "gunicorn.log", env=env
        )
        origin = f"http://127.0.0.1:{port}"
        wait_until_up(
            f"{origin}/robots.txt", self.gunicorn, "gunicorn", tmp / "gunicorn.log"
        )
        return origin

    def start_varnish(self, tmp, origin, stack):
        """varnishd with the repo's VCL in front of gunicorn; (None, why) when
        the VCL is not there, so the rest of the run still reports."""
        vcl = Path(self.options["vcl"]).resolve()
        if not vcl.exists():
            return None, f"edge not measured: {vcl} does not exist"
        port = free_port()
        backend_port = origin.rsplit(":", 1)[1]
        # The repo's VCL holds the logic only; the backend is ours. No health
        # probe (default.vcl has one): a probe timing out under load would
        # mark gunicorn sick and switch the edge to serving stale copies.
        entry = tmp / "entry.vcl"
        entry.write_text(
            "vcl 4.1;\n"
            f'backend default {{ .host = "127.0.0.1"; .port = "{backend_port}"; }}\n'
            f'include "{vcl}";\n'
        )
        entry.chmod(0o644)
        self.varnish_workdir = tmp / "varnish"  # where varnishstat finds it
        command = [find_program("varnishd"), "-F", "-n", str(self.varnish_workdir)]
        command += ["-a", f"127.0.0.1:{port}", "-f", str(entry), "-s", "malloc,256m"]
        process = self.start(stack, "varnishd", command, tmp / "varnish.log")
        edge = f"http://127.0.0.1:{port}"
        wait_until_up(f"{edge}/robots.txt", process, "varnishd", tmp / "varnish.log")
        return edge, f"edge: varnishd 7 with {self.options['vcl']}"

    def worker_memory(self, master_pid):
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
        pids = children.read_text().split() if children.exists() else []
        sizes = []
        for pid in pids:
            with contextlib.suppress(OSError):
                status = Path(f"/proc/{pid}/status").read_text()
                sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) // 1024)
        return ", ".join(f"{size} MB" for size in sizes) or "unknown"

    # Load -----------------------------------------------------------------

    def targets(self, nginx, origin, edge, pages, cookie, state_path):
        """Every row of the load table, in the order it is printed."""
        targets = [
            Target("static 60 KB", "anon", "nginx", nginx),
            Target("robots.txt", "anon", "django", f"{origin}/robots.txt"),
        ]
        for page, path in pages.items():
            for reader, reader_cookie in (("anon", None), ("signed-in", cookie)):
                for where, base in (("origin", origin), ("edge", edge)):
                    if base:
                        targets.append(
                            Target(page, reader, where, base + path, reader_cookie)
                        )
        state = origin + state_path
        targets.append(Target("state", "signed-in", "origin", state, cookie))
        targets.append(Target("state", "signed-in", "origin", state, cookie, 1))
        # What one request costs Django doing no work, beside the state's.
        targets.append(
            Target("robots.txt", "anon", "django", f"{origin}/robots.txt", None, 1)
        )
        return targets

    def measure(self, target):
        """Probe once, warm up, then load; (Load, edge outcome or None)."""
        self.probe(target)
        self.wrk_run(target, self.options["warmup"])
        before = self.edge_counters() if target.where == "edge" else None
        load = self.wrk_run(target, self.options["duration"])
        outcome = None
        if before is not None:
            after = self.edge_counters()
            outcome = {name: after[name] - before[name] for name in EDGE_COUNTERS}
        self.stderr.write(
            f"  {load.rps:,.0f} requests/s, median {ms(load.median_ms)} ms, "
            f"{load.errors} errors, {load.bytes_per_response / 1024:.1f} KB a response"
        )
        return load, outcome

    def probe(self, target):
        """One request first, to show what the load will get (status, size,
        caching headers): a 404 or a private page explains odd figures."""
        headers = {"Cookie": target.cookie} if target.cookie else {}
        label = f"{target.page} / {target.reader} / {target.where}"
        try:
            status, size, response = fetch(target.url, headers)
        except (OSError, http.client.HTTPException) as error:
            self.stderr.write(f"{label}: probe failed ({error})")
            return
        self.stderr.write(
            f"{label}: {status}, {size / 1024:.1f} KB, "
            f"Cache-Control: {response.getheader('Cache-Control')}"
        )

    def wrk_run(self, target, duration):
        connections = target.connections or self.options["connections"]
        command = [self.wrk, f"-t{min(self.options['threads'], connections)}"]
        command += [f"-c{connections}", f"-d{duration}s", "--latency"]
        headers = {
            **COMMON_HEADERS,
            **({"Cookie": target.cookie} if target.cookie else {}),
        }
        for key, value in headers.items():
            command += ["-H", f"{key}: {value}"]
        # No check=True: wrk's exit status says little, its report says it all.
        result = subprocess.run([*command, target.url], capture_output=True, text=True)
        return self.parse_wrk(result.stdout + result.stderr)

    def parse_wrk(self, output):
        def number(pattern, default=0.0):
            found = re.search(pattern, output)
            return found.group(1) if found else default

        rps = float(number(r"Requests/sec:\s+([\d.]+)"))
        transfer = self.wrk_bytes(number(r"Transfer/sec:\s+([\d.]+\w+)", "0B"))
        non_2xx = int(number(r"Non-2xx or 3xx responses: (\d+)", 0))
        # "Socket errors: connect 0, read 0, write 0, timeout 12"
        socket_errors = number(r"Socket errors: (.*)", "")
        errors = non_2xx + sum(int(n) for n in re.findall(r"\d+", socket_errors))
        median = self.wrk_ms(number(r"50%\s+([\d.]+\w+)", None))
        p99 = self.wrk_ms(number(r"99%\s+([\d.]+\w+)", None))
        if not median:  # wrk prints 0 when no request finished in its timeout
            median = p99 = float("nan")
        return Load(
            rps=rps,
            median_ms=median,
            p99_ms=p99,
            errors=errors,
            bytes_per_response=transfer / rps if rps else 0.0,
        )

    @staticmethod
    def wrk_ms(value):
        if value is None:
            return float("nan")
        number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
        return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]

    @staticmethod
    def wrk_bytes(value):
        number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
        return float(number) * {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[unit]

    def edge_counters(self):
        """EDGE_COUNTERS' values now: a run's outcomes are the difference."""
        varnishstat = find_program("varnishstat")
        command = [varnishstat, "-n", str(self.varnish_workdir), "-1"]
        for name in EDGE_COUNTERS:
            command += ["-f", name]
        output = subprocess.run(command, capture_output=True, text=True).stdout
        values = dict(re.findall(r"^(\S+)\s+(\d+)", output, re.MULTILINE))
        return {name: int(values.get(name, 0)) for name in EDGE_COUNTERS}

    # Output -----------------------------------------------------------------

    def print_load_table(self, loads, edge_note):
        by_where = {target.where: load for target, load in loads.items()}
        nginx, django = by_where["nginx"].rps, by_where["django"].rps
        o = self.options
        self.stdout.write(
            f"\nwrk, {o['connections']} connections, {o['threads']} threads, "
            f"{o['duration']} s per URL after {o['warmup']} s of warm-up; "
            f"gunicorn {o['workers']} workers; {os.cpu_count()} cores; {edge_note}. "
            "Requests accept gzip: the edge sends public pages compressed, "
            "nginx and gunicorn send them as they are (see KB a response).\n"
        )
        self.stdout.write(
            "| page | reader | where | requests/s | median ms | p99 ms | errors "
            "| % of Django baseline | % of nginx static | KB a response |"
        )
        self.stdout.write("| --- | --- | --- |" + " ---: |" * 7)
        for target, load in loads.items():
            if target.connections:
                continue  # a latency probe: in the state table only
            self.stdout.write(
                f"| {target.page} | {target.reader} | {target.where} "
                f"| {load.rps:,.0f} | {ms(load.median_ms)} | {ms(load.p99_ms)} "
                f"| {load.errors:,} | {percent(load.rps / django)} "
                f"| {percent(load.rps / nginx)} "
                f"| {load.bytes_per_response / 1024:,.1f} |"
            )

    def print_edge_outcomes(self, outcomes):
        if not outcomes:
            return
        self.stdout.write(
            "\nHow the edge answered during each measured run (varnishstat):\n"
        )
        self.stdout.write("| page | reader | hits | misses | passes | pipes |")
        self.stdout.write("| --- | --- | ---: | ---: | ---: | ---: |")
        for target, counts in outcomes.items():
            self.stdout.write(
                f"| {target.page} | {target.reader} | "
                + " | ".join(f"{counts[name]:,}" for name in EDGE_COUNTERS)
                + " |"
            )

    def print_state(self, path, loads, in_process):
        queries, median, status, content_type = in_process
        self.stdout.write(
            f"\nState endpoint, signed in, at the origin: `GET {path}`\n\n"
            "| connections | requests/s | median ms | p99 ms | errors | SQL queries "
            "| in-process median ms | status |\n"
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
        )
        for target, load in loads.items():
            if target.page == "state":
                connections = target.connections or self.options["connections"]
                self.stdout.write(
                    f"| {connections} | {load.rps:,.0f} | {ms(load.median_ms)} "
                    f"| {ms(load.p99_ms)} | {load.errors:,} | {queries} "
                    f"| {ms(median)} | {status} {content_type} |"
                )
        for target, load in loads.items():
            if target.page == "robots.txt" and target.connections:
                self.stdout.write(
                    f"\nFor comparison, Django doing no work (`/robots.txt`) on "
                    f"{target.connections} connection: median {ms(load.median_ms)} "
                    f"ms, p99 {ms(load.p99_ms)} ms."
                )

    def print_misses(self, misses):
        self.stdout.write(
            f"\nMedian render time on a cache miss, in process, anonymous "
            f"({self.options['runs']} runs): after a publish (another story's "
            "keys invalidated each time: the page cache misses, the home page "
            "renders one section block again) and cold (empty cache).\n\n"
            "| page | after a publish | cold |\n| --- | ---: | ---: |"
        )

        def cell(result):
            if result is None:
                return "n/a"
            median, status = result
            return f"{ms(median)} ms" + ("" if status == 200 else f" (HTTP {status})")

        for page, (after_publish, cold) in misses.items():
            self.stdout.write(f"| {page} | {cell(after_publish)} | {cell(cold)} |")
