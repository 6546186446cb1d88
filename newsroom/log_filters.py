"""One line for a repeated failure, not one per request.

During an outage every request fails the same way: a database that went away
wrote one full traceback per request (18 MB of log in 20 seconds), and a
search flood one "Too Many Requests" warning per refused search. The same
failure or warning (same logger, and the exception type and the line that
raised it, or the message before its arguments) is logged once per
REPEAT_SECONDS in each process; the next one that gets through says how many
were left out.
"""

import logging
import threading
import time
import traceback

REPEAT_SECONDS = 60.0


class RepeatedErrorFilter(logging.Filter):
    def __init__(self, name=""):
        super().__init__(name)
        self._lock = threading.Lock()
        self._seen = {}  # key: (last logged at, left out since)

    def filter(self, record):
        if record.levelno < logging.WARNING:
            return True
        key = _fingerprint(record)
        now = time.time()
        with self._lock:
            logged_at, left_out = self._seen.get(key, (None, 0))
            if logged_at is not None and now - logged_at < REPEAT_SECONDS:
                self._seen[key] = (logged_at, left_out + 1)
                return False
            self._seen[key] = (now, 0)
            if len(self._seen) > 1000:  # a flood of different errors: forget
                self._seen = {key: (now, 0)}
        if left_out:
            record.msg = f"{record.msg} (and {left_out} more like it, not logged)"
        return True


def _fingerprint(record):
    if record.exc_info and record.exc_info[1] is not None:
        error = record.exc_info[1]
        frames = traceback.extract_tb(error.__traceback__)
        where = (frames[-1].filename, frames[-1].lineno) if frames else None
        return (record.name, type(error).__name__, where)
    return (record.name, record.msg)
