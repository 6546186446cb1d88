import re

import pytest
from django.core import mail

PASSWORD = "correct-horse-battery"
# Tasks kept in a list instead of run: what a request queues for the worker.
QUEUED = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
STRONG_PASSWORD = "زيتون-نخيل-2026-x"


def links_in_last_mail(prefix=""):
    """Paths of the site links in the latest e-mail's plain-text body."""
    body = mail.outbox[-1].body
    return [
        re.sub(r"^https?://[^/]+", "", url)
        for url in re.findall(r"https?://\S+", body)
        if prefix in url
    ]


@pytest.fixture
def signup_data():
    return {
        "name": "ليلى الحسيني",
        "email": "layla@example.com",
        "password": STRONG_PASSWORD,
        "consent": "on",
    }
