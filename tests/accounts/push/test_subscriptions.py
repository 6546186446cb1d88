"""Subscribing, changing and ending a browser's alerts through the JSON
endpoints static/js/push.js calls."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from accounts.push.models import PushSubscription
from tests.factories import SectionFactory, UserFactory

from .browsers import Browser, b64url, post_json

pytestmark = pytest.mark.django_db

ENDPOINT = "https://fcm.googleapis.com/fcm/send/abc123"


@pytest.fixture
def csrf_client():
    """An anonymous browser, with CSRF checks on as in production."""
    return Client(enforce_csrf_checks=True)


def subscribe_body(browser=None, *, breaking=True, sections=()):
    browser = browser or Browser(endpoint=ENDPOINT)
    return {
        "subscription": browser.json,
        "topics": {"breaking": breaking, "sections": list(sections)},
    }


def test_subscribing_records_the_browser_and_its_topics(vapid, csrf_client):
    section = SectionFactory()
    browser = Browser(endpoint=ENDPOINT)

    response = post_json(
        csrf_client, "subscribe", subscribe_body(browser, sections=[section.pk])
    )

    assert response.status_code == 200
    assert response.json() == {
        "subscribed": True,
        "topics": {"breaking": True, "sections": [section.pk]},
    }
    subscription = PushSubscription.objects.get()
    assert subscription.endpoint == ENDPOINT
    assert subscription.p256dh == browser.p256dh
    assert subscription.auth == b64url(browser.auth)
    assert subscription.user is None
    assert list(subscription.sections.all()) == [section]


def test_a_post_without_the_csrf_token_is_refused(vapid, csrf_client):
    response = csrf_client.post(
        reverse("push:subscribe"),
        json.dumps(subscribe_body()),
        content_type="application/json",
    )

    assert response.status_code == 403
    assert not PushSubscription.objects.exists()


def test_the_token_endpoint_is_private(vapid, client):
    response = client.get(reverse("push:token"))

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert response.json()["csrf_token"]


def test_subscribing_again_updates_the_topics_of_the_one_row(vapid, csrf_client):
    sport = SectionFactory()
    browser = Browser(endpoint=ENDPOINT)
    post_json(csrf_client, "subscribe", subscribe_body(browser))

    response = post_json(
        csrf_client,
        "subscribe",
        subscribe_body(browser, breaking=False, sections=[sport.pk]),
    )

    assert response.json()["topics"] == {"breaking": False, "sections": [sport.pk]}
    subscription = PushSubscription.objects.get()
    assert not subscription.wants_breaking
    assert list(subscription.sections.all()) == [sport]


def test_a_signed_in_reader_s_subscription_is_linked_to_the_account(
    vapid, reader, reader_user
):
    post_json(reader, "subscribe", subscribe_body())

    assert PushSubscription.objects.get().user == reader_user


def test_closing_the_account_deletes_its_subscriptions(vapid, reader, reader_user):
    post_json(reader, "subscribe", subscribe_body())

    reader_user.delete()

    assert not PushSubscription.objects.exists()


def test_status_tells_the_browser_what_it_chose(vapid, csrf_client):
    browser = Browser(endpoint=ENDPOINT)
    proof = {"endpoint": ENDPOINT, "keys": {"auth": b64url(browser.auth)}}
    assert post_json(csrf_client, "status", proof).json() == {"subscribed": False}

    post_json(csrf_client, "subscribe", subscribe_body(browser))

    assert post_json(csrf_client, "status", proof).json() == {
        "subscribed": True,
        "topics": {"breaking": True, "sections": []},
    }


def test_status_and_unsubscribe_need_the_browser_s_auth_secret(vapid, csrf_client):
    browser = Browser(endpoint=ENDPOINT)
    post_json(csrf_client, "subscribe", subscribe_body(browser))
    guess = {"endpoint": ENDPOINT, "keys": {"auth": b64url(b"0" * 16)}}

    assert post_json(csrf_client, "status", guess).json() == {"subscribed": False}
    assert post_json(csrf_client, "unsubscribe", guess).status_code == 200
    assert PushSubscription.objects.exists()


def test_unsubscribing_forgets_the_browser(vapid, csrf_client):
    browser = Browser(endpoint=ENDPOINT)
    post_json(csrf_client, "subscribe", subscribe_body(browser))

    response = post_json(
        csrf_client,
        "unsubscribe",
        {"endpoint": ENDPOINT, "keys": {"auth": b64url(browser.auth)}},
    )

    assert response.json() == {"subscribed": False}
    assert not PushSubscription.objects.exists()


def _browser_with(**keys):
    data = Browser(endpoint=ENDPOINT).json
    data["keys"].update(keys)
    return data


def _nested(depth):
    return "[" * depth + "]" * depth


JUNK_SUBSCRIBE = {
    "not json": "{subscription",
    "not an object": "[1, 2]",
    "deeply nested": _nested(5000)[:8000],
    "bytes that are not UTF-8": b"\xff\xfe{}",
    "no subscription": {"topics": {"breaking": True}},
    "subscription not an object": {"subscription": "x", "topics": {"breaking": True}},
    "no endpoint": {
        "subscription": {"keys": _browser_with()["keys"]},
        "topics": {"breaking": True},
    },
    "endpoint not a string": {
        "subscription": {**_browser_with(), "endpoint": 12},
        "topics": {"breaking": True},
    },
    "plain http": {
        "subscription": {**_browser_with(), "endpoint": "http://fcm.googleapis.com/x"},
        "topics": {"breaking": True},
    },
    "not a URL": {
        "subscription": {**_browser_with(), "endpoint": "https://"},
        "topics": {"breaking": True},
    },
    "javascript URL": {
        "subscription": {**_browser_with(), "endpoint": "javascript:alert(1)"},
        "topics": {"breaking": True},
    },
    "an unknown host": {
        "subscription": {**_browser_with(), "endpoint": "https://evil.example/x"},
        "topics": {"breaking": True},
    },
    "an internal address": {
        "subscription": {**_browser_with(), "endpoint": "https://10.0.0.5/push"},
        "topics": {"breaking": True},
    },
    "credentials in the URL": {
        "subscription": {
            **_browser_with(),
            "endpoint": "https://u:p@fcm.googleapis.com/x",
        },
        "topics": {"breaking": True},
    },
    "a bad port": {
        "subscription": {
            **_browser_with(),
            "endpoint": "https://fcm.googleapis.com:99999/x",
        },
        "topics": {"breaking": True},
    },
    "endpoint too long": {
        "subscription": {**_browser_with(), "endpoint": ENDPOINT + "a" * 1000},
        "topics": {"breaking": True},
    },
    "non-ASCII endpoint": {
        "subscription": {**_browser_with(), "endpoint": ENDPOINT + "عربي"},
        "topics": {"breaking": True},
    },
    "no keys": {"subscription": {"endpoint": ENDPOINT}, "topics": {"breaking": True}},
    "p256dh missing": {
        "subscription": {
            "endpoint": ENDPOINT,
            "keys": {"auth": "AAAAAAAAAAAAAAAAAAAAAA"},
        },
        "topics": {"breaking": True},
    },
    "p256dh not base64": {
        "subscription": _browser_with(p256dh="!!!!"),
        "topics": {"breaking": True},
    },
    "p256dh the wrong length": {
        "subscription": _browser_with(p256dh=b64url(b"\x04" + b"1" * 30)),
        "topics": {"breaking": True},
    },
    "p256dh not on the curve": {
        "subscription": _browser_with(p256dh=b64url(b"\x04" + b"\x01" * 64)),
        "topics": {"breaking": True},
    },
    "p256dh too long": {
        "subscription": _browser_with(p256dh="A" * 5000),
        "topics": {"breaking": True},
    },
    "auth the wrong length": {
        "subscription": _browser_with(auth=b64url(b"12345")),
        "topics": {"breaking": True},
    },
    "auth not a string": {
        "subscription": _browser_with(auth=["x"]),
        "topics": {"breaking": True},
    },
    "no topics": {"subscription": _browser_with()},
    "nothing chosen": {
        "subscription": _browser_with(),
        "topics": {"breaking": False, "sections": []},
    },
    "breaking not a boolean": {
        "subscription": _browser_with(),
        "topics": {"breaking": "yes"},
    },
    "sections not a list": {
        "subscription": _browser_with(),
        "topics": {"breaking": True, "sections": "1,2"},
    },
    "a section id that is not a number": {
        "subscription": _browser_with(),
        "topics": {"sections": ["1"]},
    },
    "a negative section id": {
        "subscription": _browser_with(),
        "topics": {"sections": [-1]},
    },
    "a huge section id": {
        "subscription": _browser_with(),
        "topics": {"sections": [10**30]},
    },
    "a boolean as a section id": {
        "subscription": _browser_with(),
        "topics": {"sections": [True]},
    },
    "an unknown section": {
        "subscription": _browser_with(),
        "topics": {"sections": [987654]},
    },
    "too many sections": {
        "subscription": _browser_with(),
        "topics": {"sections": list(range(1, 200))},
    },
}

JUNK_PROOF = {
    "not json": "nope",
    "a list": "[]",
    "no endpoint": {"keys": {"auth": "AAAAAAAAAAAAAAAAAAAAAA"}},
    "endpoint not a string": {
        "endpoint": [],
        "keys": {"auth": "AAAAAAAAAAAAAAAAAAAAAA"},
    },
    "endpoint too long": {
        "endpoint": "https://x/" + "a" * 2000,
        "keys": {"auth": "AAAAAAAAAAAAAAAAAAAAAA"},
    },
    "no keys": {"endpoint": ENDPOINT},
    "keys not an object": {"endpoint": ENDPOINT, "keys": "auth"},
    "no auth": {"endpoint": ENDPOINT, "keys": {}},
    "auth junk": {"endpoint": ENDPOINT, "keys": {"auth": "٠١٢٣"}},
}


@pytest.mark.parametrize("body", JUNK_SUBSCRIBE.values(), ids=JUNK_SUBSCRIBE.keys())
def test_junk_subscriptions_are_refused_with_a_message(vapid, csrf_client, body):
    response = post_json(csrf_client, "subscribe", body)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize("name", ["status", "unsubscribe"])
@pytest.mark.parametrize("body", JUNK_PROOF.values(), ids=JUNK_PROOF.keys())
def test_junk_to_status_and_unsubscribe_is_refused_with_a_message(
    vapid, csrf_client, name, body
):
    response = post_json(csrf_client, name, body)

    assert response.status_code == 400
    assert response.json()["error"]


@pytest.mark.parametrize("name", ["subscribe", "status", "unsubscribe"])
def test_an_oversized_body_is_refused_before_it_is_read(vapid, csrf_client, name):
    response = post_json(csrf_client, name, json.dumps({"x": "a" * 20_000}))

    assert response.status_code == 400
    assert response.json()["error"]


@pytest.mark.parametrize("name", ["subscribe", "status", "unsubscribe"])
def test_the_endpoints_only_take_posts(vapid, client, name):
    assert client.get(reverse(f"push:{name}")).status_code == 405


def test_localhost_endpoints_are_refused_outside_development(
    vapid, settings, csrf_client
):
    settings.PUSH_ALLOW_LOCALHOST = False
    browser = Browser(endpoint="http://127.0.0.1:9/push/x")

    response = post_json(csrf_client, "subscribe", subscribe_body(browser))

    assert response.status_code == 400


def test_any_push_service_host_may_be_allowed(vapid, settings, csrf_client):
    settings.PUSH_SERVICE_HOSTS = ["*"]

    ok = post_json(
        csrf_client,
        "subscribe",
        subscribe_body(Browser(endpoint="https://push.example.net/x")),
    )
    address = post_json(
        csrf_client,
        "subscribe",
        subscribe_body(Browser(endpoint="https://192.168.1.1/x")),
    )

    assert ok.status_code == 200
    assert address.status_code == 400


def test_subscribing_is_rate_limited_per_address(vapid, csrf_client):
    for i in range(30):
        browser = Browser(endpoint=f"{ENDPOINT}-{i}")
        assert (
            post_json(csrf_client, "subscribe", subscribe_body(browser)).status_code
            == 200
        )

    response = post_json(
        csrf_client, "subscribe", subscribe_body(Browser(endpoint=f"{ENDPOINT}-x"))
    )

    assert response.status_code == 429
    assert response.json()["error"]
    assert int(response["Retry-After"]) > 0
    assert PushSubscription.objects.count() == 30


@pytest.mark.parametrize("name", ["subscribe", "status", "unsubscribe"])
def test_the_endpoints_answer_404_when_push_is_off(csrf_client, name):
    response = post_json(csrf_client, name, subscribe_body())

    assert response.status_code == 404
    assert response.json()["error"]


def test_another_account_signing_in_on_the_browser_takes_it_over(vapid):
    first, second = UserFactory(verified=True), UserFactory(verified=True)
    browser = Browser(endpoint=ENDPOINT)
    for user in (first, second):
        client = Client()
        client.force_login(user)
        post_json(client, "subscribe", subscribe_body(browser))

    assert PushSubscription.objects.get().user == second
