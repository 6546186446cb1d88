"""Fixtures for the site-wide tests."""

from tests.redis_server import redis_server  # noqa: F401 - a fixture
