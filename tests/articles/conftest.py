"""Fixtures shared by the article tests: commits that run their callbacks,
and a recording edge that receives the purges they send."""

import pytest

from articles.cache import invalidate

from .recording_edge import RecordingEdge


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the site does after a commit, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def edge(settings, committed):
    # Earlier tests' transactions never commit; what they left to purge
    # would go out with this test's first commit.
    settings.EDGE_PURGE_URLS = []
    with committed():
        invalidate(())
    server = RecordingEdge()
    settings.EDGE_PURGE_URLS = [server.url]
    yield server
    server.shutdown()
    server.server_close()
