"""A real varnishd, running deploy/varnish/newsroom.vcl, in front of Django.

The origin is Django's live server thread; Varnish gets an entry VCL of its
own with a backend on that thread's port and a fast probe, and includes the
repository's newsroom.vcl unchanged. One pair serves the module (varnishd
takes about a second to compile and start); each test starts from an empty
cache. Tests that stop the origin make their own pair (`own_edge`).

Run them alone with `pytest -m edge`; `make test` installs Varnish first
(`make edge-deps`).
"""

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest
from django.test.utils import modify_settings
from pytest_django.live_server_helper import LiveServer

NEWSROOM_VCL = Path(__file__).resolve().parents[2] / "deploy/varnish/newsroom.vcl"
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
VARNISHADM = shutil.which("varnishadm") or "/usr/bin/varnishadm"

# Sick after two failed probes a second apart, healthy from the start.
ENTRY_VCL = """\
vcl 4.1;

backend origin {{
    .host = "127.0.0.1";
    .port = "{port}";
    .probe = {{
        .url = "/healthz";
        .interval = 1s;
        .timeout = 1s;
        .window = 3;
        .threshold = 2;
        .initial = 2;
    }}
}}

# Django's live server thread, once stopped, still answers on connections
# already open (unlike a dead gunicorn): keep none open.
sub vcl_backend_fetch {{
    set bereq.http.Connection = "close";
}}

include "{newsroom_vcl}";
"""


def _xkey_installed():
    # Debian's varnish-modules, under the multiarch folder (x86_64-linux-gnu, …).
    return any(Path("/usr/lib").glob("*/varnish/vmods/libvmod_xkey.so"))


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self):
        return self.body.decode()

    @property
    def cache(self):
        return self.headers.get("X-Cache")

    def __repr__(self):
        # What explains a failed assertion: how Varnish and Django saw it.
        shown = ("X-Cache", "Age", "Cache-Control", "Content-Encoding")
        headers = ", ".join(f"{name}: {self.headers.get(name)}" for name in shown)
        return f"<Response {self.status}, {headers}, {len(self.body)} bytes>"


class Varnish:
    """One varnishd, run in the foreground and stopped with its process group."""

    def __init__(self, workdir: Path, backend_port: int):
        self.workdir = workdir
        self.backend_port = backend_port
        self.port = _free_port()
        self.admin_port = _free_port()
        self.name = workdir / "varnishd"  # -n: shared memory, secret, logs
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/"

    def start(self):
        entry = self.workdir / "entry.vcl"
        entry.write_text(
            ENTRY_VCL.format(port=self.backend_port, newsroom_vcl=NEWSROOM_VCL)
        )
        command = [
            VARNISHD,
            "-F",
            # No jail: as root Varnish would otherwise switch to its own
            # users, which cannot read pytest's private temporary folders.
            "-j",
            "none",
            "-n",
            str(self.name),
            "-a",
            f"127.0.0.1:{self.port}",
            "-T",
            f"127.0.0.1:{self.admin_port}",
            "-f",
            str(entry),
            "-s",
            "malloc,64m",
        ]
        # If pytest itself is killed, the kernel stops varnishd too.
        if setpriv := shutil.which("setpriv"):
            command = [setpriv, "--pdeathsig", "TERM", *command]
        self.log = (self.workdir / "varnishd.log").open("wb")
        self.process = subprocess.Popen(
            command, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self._wait_until_serving()

    def _wait_until_serving(self, timeout=15):
        # /healthz passes to Django: a 200 means Varnish listens and the
        # backend is healthy.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if self.get("/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        log = (self.workdir / "varnishd.log").read_text(errors="replace")
        pytest.fail(f"varnishd did not start serving:\n{log}")

    def stop(self):
        if self.process is None:
            return
        # The manager stops its cache child on SIGTERM; signalling the whole
        # group reaches the child even if the manager is already gone.
        try:
            self._signal_group(signal.SIGTERM)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.process.wait()
        self.process = None
        self.log.close()

    def _signal_group(self, sig):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    def admin(self, *command):
        result = subprocess.run(
            [VARNISHADM, "-n", str(self.name), *command],
            capture_output=True,
            text=True,
            timeout=10,
        )
        if result.returncode != 0:
            raise RuntimeError(f"varnishadm {command}: {result.stdout}{result.stderr}")
        return result.stdout

    def empty_cache(self):
        self.admin("ban", "req.url", "~", ".")

    def backend_is_healthy(self):
        # "Backend name  Admin  Probe  Health ..." then "boot.origin probe 2/3 healthy"
        return " healthy " in self.admin("backend.list")

    def request(self, method, path, headers=None, body=None, source_address=None):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=10, source_address=source_address
        )
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Response(response.status, response.headers, response.read())
        finally:
            connection.close()

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)


@pytest.fixture(scope="session")
def _varnish_installed():
    if not Path(VARNISHD).exists() or not _xkey_installed():
        pytest.skip(
            "varnishd or vmod xkey missing: apt-get install varnish varnish-modules "
            "(make edge-deps)"
        )


class Edge:
    """An origin (Django's live server thread) with a varnishd in front."""

    def __init__(self, workdir, django_db_blocker):
        # The test Host header is 127.0.0.1:<port>, whatever DEBUG says.
        self.hosts = modify_settings(ALLOWED_HOSTS={"append": "127.0.0.1"})
        self.hosts.enable()
        # The probe calls /healthz every second, between tests too, and
        # pytest-django would fail it whenever no test holds the database.
        self.db_blocker = django_db_blocker
        self.db_blocker.unblock()
        self.origin = self.varnish = None
        try:
            self.origin = LiveServer("127.0.0.1:0")
            self.varnish = Varnish(workdir, self.origin.thread.port)
            self.varnish.start()
        except BaseException:
            self.stop()
            raise

    def stop_origin(self):
        if self.origin and self.origin.thread.is_alive():
            self.origin.stop()

    def stop(self):
        if self.varnish:
            self.varnish.stop()
        self.stop_origin()
        self.db_blocker.restore()
        self.hosts.disable()


@pytest.fixture(scope="module")
def _shared_edge(
    _varnish_installed, django_db_setup, django_db_blocker, tmp_path_factory
):
    edge = Edge(tmp_path_factory.mktemp("varnish"), django_db_blocker)
    yield edge
    edge.stop()


@pytest.fixture
def edge(_shared_edge, transactional_db, settings):
    """The shared Varnish, emptied, with the app purging it after each change.

    transactional_db: the origin thread sees only committed rows.
    """
    settings.EDGE_PURGE_URLS = [_shared_edge.varnish.url]
    _shared_edge.varnish.empty_cache()
    return _shared_edge.varnish


@pytest.fixture
def own_edge(
    _varnish_installed, transactional_db, django_db_blocker, tmp_path, settings
):
    """An origin and varnishd of this test's own, for tests that stop the origin."""
    edge = Edge(tmp_path, django_db_blocker)
    settings.EDGE_PURGE_URLS = [edge.varnish.url]
    yield edge
    edge.stop()
