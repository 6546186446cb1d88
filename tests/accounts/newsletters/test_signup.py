"""Newsletter choices at sign-up, confirmed by the verification link."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.newsletters.models import Newsletter, Subscription

pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup")


@pytest.fixture
def signup_data():
    return {
        "name": "ليلى الحسيني",
        "email": "layla@example.com",
        "password": "زيتون-نخيل-2026-x",
        "consent": "on",
    }


def verification_link():
    body = mail.outbox[-1].body
    [url] = [u for u in re.findall(r"https?://\S+", body) if "/verify-email/" in u]
    return re.sub(r"^https?://[^/]+", "", url)


def test_signup_form_offers_the_active_lists_unticked(client):
    page = client.get(SIGNUP).text
    for newsletter in Newsletter.objects.active():
        assert f'value="{newsletter.pk}"' in page
        assert newsletter.name in page
    assert 'name="newsletters"' in page
    assert "checked" not in page


def test_signup_form_has_no_newsletter_box_when_no_list_is_active(client, signup_data):
    Newsletter.objects.update(is_active=False)

    page = client.get(SIGNUP).text
    response = client.post(SIGNUP, signup_data)

    assert 'name="newsletters"' not in page
    assert response.status_code == 302
    assert User.objects.filter(email="layla@example.com").exists()


def test_lists_chosen_at_signup_wait_for_the_verification_link(client, signup_data):
    briefing = Newsletter.objects.get(slug="موجز-الصباح")
    alerts = Newsletter.objects.get(slug="تنبيهات-عاجلة")
    response = client.post(
        SIGNUP, {**signup_data, "newsletters": [briefing.pk, alerts.pk]}
    )
    assert response.status_code == 302
    user = User.objects.get(email="layla@example.com")
    subscriptions = Subscription.objects.filter(user=user)
    assert subscriptions.count() == 2
    assert set(subscriptions.values_list("source", flat=True)) == {"signup"}
    assert not subscriptions.active().exists()
    client.force_login(user)
    assert "بانتظار تأكيد بريدك" in client.get(reverse("newsletters:manage")).text

    client.post(verification_link())
    assert Subscription.objects.active().filter(user=user).count() == 2


def test_signup_without_choices_subscribes_to_nothing(client, signup_data):
    client.post(SIGNUP, signup_data)
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("junk", ["abc", "99999999", "9" * 40])
def test_signup_with_junk_newsletter_ids_shows_an_error(client, signup_data, junk):
    response = client.post(SIGNUP, {**signup_data, "newsletters": [junk]})
    assert response.status_code == 200
    assert "اختر من النشرات المعروضة فقط" in response.text
    assert not User.objects.exists()
