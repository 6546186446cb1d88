"""The opt-in page, the footer's link, the account page and the worker."""

import json
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from py_vapid import Vapid

from accounts.push.models import PushSubscription
from tests.factories import SectionFactory, UserFactory

from .browsers import Browser

pytestmark = pytest.mark.django_db

PAGE = reverse("push:notifications")
MANAGE = reverse("push:manage")


def test_the_opt_in_page_is_a_public_page_the_same_for_everyone(vapid, reader):
    SectionFactory(name="رياضة")

    anonymous = Client().get(PAGE)
    signed_in = reader.get(PAGE)

    assert anonymous.status_code == 200
    assert "public" in anonymous["Cache-Control"]
    for response in (anonymous, signed_in):
        assert "Set-Cookie" not in response
        assert "Cookie" not in response.get("Vary", "")
        # (the header's sign-out form template has an empty one, for account.js)
        assert not re.search(
            r'csrfmiddlewaretoken" value="[^"]', response.content.decode()
        )
    assert anonymous.content == signed_in.content
    page = anonymous.content.decode()
    assert f'data-key="{vapid}"' in page
    assert "نبّهني بالأخبار العاجلة" in page
    assert "رياضة" in page
    assert "/static/js/push.js" in page
    assert "<noscript>" in page and "JavaScript" in page


def test_the_opt_in_page_says_push_is_unavailable_when_not_configured(client):
    page = client.get(PAGE).content.decode()

    assert "التنبيهات الفورية غير متاحة حاليًا." in page
    assert "push.js" not in page
    assert "data-push-panel" not in page


def test_the_footer_links_to_the_opt_in_page_only_when_push_is_on(
    client, settings, vapid
):
    assert (
        f'href="{PAGE}"' in client.get(reverse("articles:corrections")).content.decode()
    )

    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
    cache.clear()  # the origin's page cache holds the page with the link
    assert (
        f'href="{PAGE}"'
        not in client.get(reverse("articles:corrections")).content.decode()
    )


def test_other_pages_load_no_push_script(vapid, client):
    page = client.get(reverse("articles:corrections")).content.decode()

    assert "push.js" not in page


def test_the_service_worker_is_served_at_the_root(vapid, client):
    response = client.get("/push-sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "max-age=300" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert "Set-Cookie" not in response
    code = response.content.decode()
    assert "showNotification" in code
    assert 'dir: data.dir || "rtl"' in code


def test_the_account_page_lists_the_reader_s_browsers_only(vapid, reader, reader_user):
    section = SectionFactory(name="اقتصاد")
    mine = PushSubscription.objects.create(
        endpoint="https://fcm.googleapis.com/fcm/send/mine",
        p256dh=Browser(endpoint="-").p256dh,
        auth="AAAAAAAAAAAAAAAAAAAAAA",
        user=reader_user,
        wants_breaking=False,
    )
    mine.sections.set([section])
    PushSubscription.objects.create(
        endpoint="https://updates.push.services.mozilla.com/wpush/v2/theirs",
        p256dh=Browser(endpoint="-").p256dh,
        auth="AAAAAAAAAAAAAAAAAAAAAA",
        user=UserFactory(),
    )

    response = reader.get(MANAGE)

    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "Chrome / Android" in page
    assert "اقتصاد" in page
    assert "Firefox" not in page
    assert reverse("push:remove", args=[mine.pk]) in page
    assert "data-push-panel" in page


def test_the_account_page_needs_a_signed_in_reader(vapid, client):
    response = client.get(MANAGE)

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_account_tabs_link_to_the_alerts_page(vapid, reader):
    assert (
        f'href="{MANAGE}"' in reader.get(reverse("accounts:profile")).content.decode()
    )


def test_a_reader_stops_alerts_to_one_of_their_browsers(vapid, reader, reader_user):
    subscription = PushSubscription.objects.create(
        endpoint="https://fcm.googleapis.com/fcm/send/x",
        p256dh=Browser(endpoint="-").p256dh,
        auth="AAAAAAAAAAAAAAAAAAAAAA",
        user=reader_user,
    )

    response = reader.post(reverse("push:remove", args=[subscription.pk]))

    assert response.status_code == 302
    assert not PushSubscription.objects.exists()


def test_a_reader_cannot_stop_someone_else_s_alerts(vapid, reader):
    theirs = PushSubscription.objects.create(
        endpoint="https://fcm.googleapis.com/fcm/send/y",
        p256dh=Browser(endpoint="-").p256dh,
        auth="AAAAAAAAAAAAAAAAAAAAAA",
        user=UserFactory(),
    )

    assert reader.post(reverse("push:remove", args=[theirs.pk])).status_code == 404
    assert reader.get(reverse("push:remove", args=[theirs.pk])).status_code == 405
    assert PushSubscription.objects.exists()


def test_the_data_export_lists_the_browsers_but_not_their_keys(
    vapid, reader, reader_user
):
    PushSubscription.objects.create(
        endpoint="https://fcm.googleapis.com/fcm/send/secret-endpoint",
        p256dh=Browser(endpoint="-").p256dh,
        auth="SECRETSECRETSECRETSECR",
        user=reader_user,
    )

    data = reader.get(reverse("accounts:data_download")).json()
    page = reader.get(reverse("accounts:data")).content.decode()

    [row] = data["push_subscriptions"]
    assert row["browser"] == "Chrome / Android"
    assert row["breaking_news"] is True
    text = json.dumps(data)
    assert "secret-endpoint" not in text and "SECRET" not in text
    assert "التنبيهات الفورية على متصفحاتك" in page


def test_generate_vapid_keys_prints_a_matching_pair(capsys):
    call_command("generate_vapid_keys")

    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.split())
    vapid = Vapid.from_string(lines["VAPID_PRIVATE_KEY"])
    assert Vapid.from_raw_public(lines["VAPID_PUBLIC_KEY"].encode()).public_key == (
        vapid.public_key
    )
