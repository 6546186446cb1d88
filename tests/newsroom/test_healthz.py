from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert "sessionid" not in response.cookies


def test_healthz_answers_503_when_the_database_is_down(client):
    with mock.patch(
        "newsroom.views.connection.cursor", side_effect=OperationalError("down")
    ):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert b"database unavailable" in response.content


def test_healthz_is_never_cached(client):
    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"]


def test_robots_txt_names_the_sitemaps_and_keeps_private_areas_out(client, settings):
    settings.SITE_URL = "https://news.example"
    response = client.get("/robots.txt")

    text = response.content.decode()
    assert response.status_code == 200
    assert "Disallow: /admin/" in text
    assert "Disallow: /account/" in text
    assert "Sitemap: https://news.example/sitemap.xml" in text
    assert "Sitemap: https://news.example/sitemap-news.xml" in text
