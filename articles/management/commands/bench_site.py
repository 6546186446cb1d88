"""Load-test the site under gunicorn with production settings (make bench).

Run after `build_bench_data`, against PostgreSQL (DATABASE_URL). It starts
gunicorn on a loopback port, loads each URL from a second process (wrk when
installed, else a small Python load generator) for a fixed time, and prints
requests/s, median and 99th-percentile latency and the ratio to a baseline
endpoint that does no database or template work. It also prints each page's
median server-side render time on a cache miss, and the workers' memory.
"""

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test import Client

from articles.cache import bump_content_version
from articles.models import Article, Section, Tag

PORT = 8199
BASE = f"http://127.0.0.1:{PORT}"


class Command(BaseCommand):
    help = "Benchmark the main pages under gunicorn (see make bench)."

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=int, default=10, help="seconds per URL")
        parser.add_argument("--connections", type=int, default=100)
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, duration, connections, workers, **options):
        urls = self.pick_urls()
        cookie = self.reader_session_cookie()
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            "Median render time on a cache miss (in-process), after a publish "
            "(page cache missed, unchanged fragments reused) and on an empty cache:"
        )
        for name, path, logged_in in urls:
            cookie_or_none = cookie if logged_in else None
            after_publish = self.render_time(path, cookie_or_none, bump_content_version)
            cold = self.render_time(path, cookie_or_none, cache.clear)
            self.stdout.write(
                f"  {name:<22} {after_publish:6.1f} ms   cold {cold:6.1f} ms"
            )
        server = self.start_gunicorn(workers)
        try:
            # A short burst of every page first, so the memory measured after
            # warm-up already holds what each kind of page allocates.
            for _name, path, logged_in in urls:
                self.load(path, 2, connections, cookie if logged_in else None)
            memory_warm = self.worker_memory(server.pid)
            rows = []
            for name, path, logged_in in [("baseline", "/robots.txt", False), *urls]:
                self.stdout.write(f"Loading {name}...")
                self.warm(path, cookie if logged_in else None)
                rows.append(
                    (
                        name,
                        path,
                        *self.load(
                            path, duration, connections, cookie if logged_in else None
                        ),
                    )
                )
            memory = self.worker_memory(server.pid)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        self.print_table(rows, connections, duration)
        self.stdout.write(
            f"gunicorn workers' memory (RSS) after warm-up: {memory_warm}; "
            f"after the run: {memory}"
        )

    def pick_urls(self):
        article = Article.objects.published().select_related("section").first()
        section = Section.objects.first()
        tag = Tag.objects.order_by("-id").first()
        if not (article and section and tag):
            raise CommandError("No data: run `manage.py build_bench_data` first.")
        return [
            ("home", "/", False),
            ("section", section.get_absolute_url(), False),
            ("article", article.get_absolute_url(), False),
            ("tag", tag.get_absolute_url(), False),
            (
                "search",
                "/search/?q=%D8%A7%D9%84%D8%A7%D9%82%D8%AA%D8%B5%D8%A7%D8%AF",
                False,
            ),
            ("article (signed in)", article.get_absolute_url(), True),
            ("for-you (signed in)", "/for-you/", True),
        ]

    def reader_session_cookie(self):
        user = get_user_model().objects.filter(is_staff=False).order_by("id").first()
        if user is None:
            raise CommandError("No readers: run `manage.py build_bench_data` first.")
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    def render_time(self, path, cookie, invalidate, runs=20):
        client = Client()
        if cookie:
            client.cookies.load(cookie)
        timings = []
        for _ in range(runs):
            invalidate()  # force a cache miss
            start = time.perf_counter()
            response = client.get(path, secure=True, headers={"host": "127.0.0.1"})
            timings.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{path} answered {response.status_code}")
        return statistics.median(timings[2:])

    def start_gunicorn(self, workers):
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-" + "x" * 40),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        server = subprocess.Popen(
            [
                str(gunicorn),
                "newsroom.wsgi",
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{PORT}",
                "--access-logfile",
                "/dev/null",
                "--error-logfile",
                "-",
                "--log-level",
                "warning",
            ],
            env=env,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{BASE}/robots.txt", timeout=1)
                return server
            except OSError:
                time.sleep(0.2)
        server.kill()
        raise CommandError("gunicorn did not start")

    def warm(self, path, cookie):
        request = urllib.request.Request(BASE + path, headers=self.headers(cookie))
        for _ in range(5):
            urllib.request.urlopen(request, timeout=120).read()

    def headers(self, cookie):
        headers = {"X-Forwarded-Proto": "https", "User-Agent": "newsroom-bench"}
        if cookie:
            headers["Cookie"] = cookie
        return headers

    def load(self, path, duration, connections, cookie):
        """(requests/s, median ms, p99 ms, errors) for `path`."""
        if shutil.which("wrk"):
            return self.load_with_wrk(path, duration, connections, cookie)
        return self.load_with_python(path, duration, min(connections, 32), cookie)

    def load_with_wrk(self, path, duration, connections, cookie):
        command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
        for key, value in self.headers(cookie).items():
            command += ["-H", f"{key}: {value}"]
        output = subprocess.run(
            [*command, BASE + path], capture_output=True, text=True, check=True
        ).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
        median = self.wrk_ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1))
        p99 = self.wrk_ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1))
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        socket_errors = re.search(r"Socket errors: (.*)", output)
        error_count = int(errors.group(1)) if errors else 0
        if socket_errors:
            error_count += sum(
                int(n) for n in re.findall(r"\d+", socket_errors.group(1))
            )
        return rps, median, p99, error_count

    @staticmethod
    def wrk_ms(value):
        number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
        return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    def load_with_python(self, path, duration, concurrency, cookie):
        request = urllib.request.Request(BASE + path, headers=self.headers(cookie))
        deadline = time.monotonic() + duration

        def worker():
            timings, errors = [], 0
            while time.monotonic() < deadline:
                start = time.perf_counter()
                try:
                    urllib.request.urlopen(request, timeout=10).read()
                except OSError:
                    errors += 1
                timings.append((time.perf_counter() - start) * 1000)
            return timings, errors

        with ThreadPoolExecutor(concurrency) as pool:
            results = list(pool.map(lambda _: worker(), range(concurrency)))
        timings = sorted(t for ts, _ in results for t in ts)
        errors = sum(e for _, e in results)
        return (
            len(timings) / duration,
            statistics.median(timings),
            timings[int(len(timings) * 0.99) - 1],
            errors,
        )

    def worker_memory(self, master_pid):
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
        pids = children.read_text().split() if children.exists() else []
        sizes = []
        for pid in pids:
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) // 1024)
        return ", ".join(f"{size} MB" for size in sizes) or "unknown"

    def print_table(self, rows, connections, duration):
        baseline = rows[0][2]
        tool = "wrk" if shutil.which("wrk") else "python load generator"
        self.stdout.write(
            f"\n{tool}, {connections} connections, {duration}s per URL, "
            f"{os.cpu_count()} cores\n"
        )
        self.stdout.write(
            "| page | requests/s | median ms | p99 ms | errors | vs baseline |"
        )
        self.stdout.write("| --- | ---: | ---: | ---: | ---: | ---: |")
        for name, _path, rps, median, p99, errors in rows:
            self.stdout.write(
                f"| {name} | {rps:,.0f} | {median:.1f} | {p99:.1f} | {errors} "
                f"| {rps / baseline:.0%} |"
            )
