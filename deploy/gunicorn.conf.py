"""gunicorn in production: `gunicorn -c deploy/gunicorn.conf.py newsroom.wsgi`.

Threaded workers (gthread): a client that sends its request slowly, or a
burst of slow searches, holds one thread, not a whole worker, and the other
threads keep serving (tests/newsroom/test_gunicorn.py). The app keeps no
per-request state outside the request, so threads are safe; database
connections are per thread (CONN_MAX_AGE keeps them).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 8))
# A request that takes longer is a bug or an attack: the worker is replaced.
timeout = 30
graceful_timeout = 20
# Behind the edge or a load balancer, which reuses connections.
keepalive = 5
# No periodic worker restarts (max_requests): at this site's rates they came
# every few seconds and each one stalled the requests queued behind it
# (p99 of 0.5-0.9 s with a p50 of 10 ms, make bench-faults).
accesslog = None  # the edge or the proxy in front logs requests
errorlog = "-"
