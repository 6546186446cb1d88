"""Every response carries the Permissions-Policy (newsroom/headers.py)."""

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def assert_policy(response):
    features = dict(
        entry.split("=", 1) for entry in response["Permissions-Policy"].split(", ")
    )
    for off in ("camera", "microphone", "geolocation", "payment", "usb", "serial"):
        assert features[off] == "()", off
    # Passkeys, on our own origin only.
    assert features["publickey-credentials-get"] == "(self)"
    assert features["publickey-credentials-create"] == "(self)"


def test_public_page_carries_it_fresh_and_from_the_page_cache(client):
    ArticleFactory()

    first, second = client.get("/"), client.get("/")

    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert_policy(first)
    assert_policy(second)


def test_admin_carries_it(editor):
    response = editor.get("/admin/")

    assert response.status_code == 200
    assert_policy(response)


def test_not_found_page_carries_it(client):
    response = client.get("/لا-قسم-بهذا-الاسم/")

    assert response.status_code == 404
    assert_policy(response)


def test_json_endpoint_carries_it(reader):
    response = reader.get(reverse("accounts:state"))

    assert response["Content-Type"] == "application/json"
    assert_policy(response)
