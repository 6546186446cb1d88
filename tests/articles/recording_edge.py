"""A stand-in for Varnish that records the PURGE requests the site sends."""

import queue
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RecordingEdge(ThreadingHTTPServer):
    def __init__(self):
        self.purges = queue.Queue()
        edge = self

        class Handler(BaseHTTPRequestHandler):
            def do_PURGE(self):  # noqa: N802 - the HTTP method's name
                edge.purges.put(set(self.headers["xkey-purge"].split()))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def next_purge(self, timeout=2):
        return self.purges.get(timeout=timeout)

    def drain(self, quiet=0.2):
        """Forget the purges sent so far (setting up a test sends some)."""
        while True:
            try:
                self.purges.get(timeout=quiet)
            except queue.Empty:
                return

    def nothing_more(self, wait=0.3):
        try:
            extra = self.purges.get(timeout=wait)
        except queue.Empty:
            return True
        raise AssertionError(f"unexpected purge: {extra}")
