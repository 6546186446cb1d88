import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from accounts.newsletters.models import Subscription
from accounts.newsletters.services import make_unsubscribe_token, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscription(newsletter, reader_user):
    [subscription] = subscribe(
        user=reader_user, newsletters=[newsletter], source="signup"
    )
    return subscription


def url_for(token):
    return reverse("newsletters:unsubscribe", kwargs={"token": token})


def test_get_asks_for_confirmation_and_changes_nothing(client, subscription):
    response = client.get(url_for(make_unsubscribe_token(subscription)))
    assert response.status_code == 200
    assert "نعم، ألغِ اشتراكي" in response.text
    assert subscription.newsletter.name in response.text
    assert 'name="robots" content="noindex"' in response.text
    subscription.refresh_from_db()
    assert subscription.ended_at is None


def test_post_unsubscribes_without_login(client, subscription):
    response = client.post(url_for(make_unsubscribe_token(subscription)))
    assert response.status_code == 200
    assert "أُلغي اشتراكك" in response.text
    subscription.refresh_from_db()
    assert subscription.ended_at is not None
    assert subscription.end_reason == Subscription.EndReason.LINK


def test_one_click_post_needs_no_csrf_token_or_cookie(subscription):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        url_for(make_unsubscribe_token(subscription)),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.ended_at is not None
    assert subscription.end_reason == Subscription.EndReason.ONE_CLICK


def test_one_click_as_multipart_works_too(subscription):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        url_for(make_unsubscribe_token(subscription)),
        {"List-Unsubscribe": "One-Click"},
    )
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.end_reason == Subscription.EndReason.ONE_CLICK


def test_repeating_is_harmless(client, subscription):
    url = url_for(make_unsubscribe_token(subscription))
    client.post(url)
    subscription.refresh_from_db()
    first_end = subscription.ended_at
    response = client.post(url)
    assert response.status_code == 200
    assert "ملغى بالفعل" in response.text
    subscription.refresh_from_db()
    assert subscription.ended_at == first_end
    assert "ملغى بالفعل" in client.get(url).text


@pytest.mark.parametrize(
    "make_token",
    [
        lambda s: make_unsubscribe_token(s) + "x",
        lambda s: make_unsubscribe_token(s).replace(str(s.pk), str(s.pk + 1), 1),
        lambda s: signing.Signer(salt="accounts.verify").sign(str(s.pk)),
        lambda s: signing.Signer(salt="newsletters.unsubscribe").sign("abc"),
        lambda s: signing.Signer(salt="newsletters.unsubscribe").sign("999999"),
        lambda s: str(s.pk),
        lambda s: "%00%ff",
        lambda s: "x" * 3000,
    ],
)
def test_tampered_or_foreign_token_changes_nothing(client, subscription, make_token):
    url = url_for(make_token(subscription))
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 404
        assert "رابط إلغاء الاشتراك غير صالح" in response.text
    subscription.refresh_from_db()
    assert subscription.ended_at is None


def test_other_methods_are_refused(client, subscription):
    response = client.put(url_for(make_unsubscribe_token(subscription)))
    assert response.status_code == 405
