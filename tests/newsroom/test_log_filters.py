"""Repeated failures make one log line a minute (newsroom/log_filters.py)."""

import logging
import sys

import time_machine

from newsroom.log_filters import RepeatedErrorFilter


def failure(line):
    """A failure raised at `line` of a module, as a traceback records it."""
    try:
        exec(compile("\n" * line + "raise ConnectionError('down')", "app.py", "exec"))
    except ConnectionError:
        return sys.exc_info()


def record(exc_info, msg="Internal Server Error: /"):
    return logging.LogRecord(
        "django.request", logging.ERROR, "x.py", 1, msg, (), exc_info
    )


def test_the_same_failure_is_logged_once_a_minute_then_with_a_count():
    repeats = RepeatedErrorFilter()
    same = failure(3)

    with time_machine.travel(0, tick=False) as clock:
        passed = [repeats.filter(record(same)) for _ in range(50)]
        assert passed.count(True) == 1
        # Another failure (another line) is news.
        assert repeats.filter(record(failure(7)))

        clock.shift(61)
        again = record(same)
        assert repeats.filter(again)
        assert "(and 49 more like it, not logged)" in again.getMessage()


def test_repeated_warnings_fold_too_and_information_passes():
    # A search flood: one "Too Many Requests" warning per refused search.
    repeats = RepeatedErrorFilter()

    def warning(path):
        return logging.LogRecord(
            "django.request",
            logging.WARNING,
            "x.py",
            1,
            "Too Many Requests: %s",
            (path,),
            None,
        )

    assert [repeats.filter(warning(f"/search/?q={n}")) for n in range(5)] == [
        True,
        False,
        False,
        False,
        False,
    ]
    info = logging.LogRecord("x", logging.INFO, "x.py", 1, "started", (), None)
    assert all(repeats.filter(info) for _ in range(5))
