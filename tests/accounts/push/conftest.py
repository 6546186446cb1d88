"""Fixtures for web push: VAPID keys, the local push service, subscribers.

Nothing here reaches beyond this machine (_no_network_beyond_this_machine)."""

import socket

import pytest

from accounts.push.management.commands.generate_vapid_keys import generate_pair
from accounts.push.models import PushSubscription

from .browsers import SUBJECT, PushService, b64url


@pytest.fixture(autouse=True)
def _no_network_beyond_this_machine(monkeypatch):
    """Every connection the code under test opens stays on loopback."""
    connect = socket.socket.connect

    def guarded(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            if host not in ("127.0.0.1", "::1", "localhost"):
                raise AssertionError(f"network call out of the machine: {address}")
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def vapid(settings):
    """Push switched on with a key pair made for this test."""
    private, public = generate_pair()
    settings.VAPID_PRIVATE_KEY = private
    settings.VAPID_PUBLIC_KEY = public
    settings.VAPID_SUBJECT = SUBJECT
    settings.PUSH_ALLOW_LOCALHOST = True
    settings.PUSH_QUIET_MINUTES = 5
    settings.PUSH_SEND_THREADS = 4
    return public


@pytest.fixture
def push_service(vapid):
    service = PushService(vapid)
    yield service
    service.close()
    assert service.errors == []


@pytest.fixture
def subscribed(push_service):
    """Browsers subscribed to breaking news (rows made as the view makes them)."""

    def make(n=1, *, status=201, sections=(), breaking=True, user=None):
        browsers = []
        for _ in range(n):
            browser = push_service.browser(status=status)
            subscription = PushSubscription.objects.create(
                endpoint=browser.endpoint,
                p256dh=browser.p256dh,
                auth=b64url(browser.auth),
                wants_breaking=breaking,
                user=user,
            )
            subscription.sections.set(sections)
            browsers.append(browser)
        return browsers

    return make
