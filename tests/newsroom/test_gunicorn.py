"""The shipped gunicorn configuration (deploy/gunicorn.conf.py) under slow
clients: two of them sending their headers a byte at a time do not stop a
third reader being served."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.redis_server import free_port

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def gunicorn(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CACHE_URL": "locmemcache://gunicorn-test",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",  # one worker: a sync one would be blocked
        "GUNICORN_THREADS": "4",
    }
    process = subprocess.Popen(
        [Path(sys.executable).with_name("gunicorn"), "-c", "deploy/gunicorn.conf.py"]
        + ["newsroom.wsgi"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/robots.txt"
    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=1)
            break
        except OSError:
            time.sleep(0.05)
    yield port
    process.terminate()
    process.wait(timeout=10)


def test_two_slow_clients_do_not_hold_up_a_third(gunicorn):
    slow = []
    for _ in range(2):
        sock = socket.create_connection(("127.0.0.1", gunicorn))
        sock.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never ends
        slow.append(sock)
    time.sleep(0.5)

    started = time.monotonic()
    with urllib.request.urlopen(
        f"http://127.0.0.1:{gunicorn}/robots.txt", timeout=5
    ) as response:
        assert response.status == 200
    assert time.monotonic() - started < 2
    for sock in slow:
        sock.close()
