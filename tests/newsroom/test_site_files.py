"""What browsers and phones ask for at the site root, and the 400 page."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

pytestmark = pytest.mark.django_db

STATIC = Path(settings.BASE_DIR) / "static"


@pytest.mark.parametrize(
    "path, file, size",
    [
        ("/favicon.ico", "img/favicon.ico", (48, 48)),
        ("/apple-touch-icon.png", "img/apple-touch-icon.png", (180, 180)),
        ("/apple-touch-icon-precomposed.png", "img/apple-touch-icon.png", (180, 180)),
    ],
)
def test_root_icons_lead_to_real_images(client, path, file, size):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].endswith(file)
    assert "public" in response["Cache-Control"]
    assert Image.open(STATIC / file).size == size


def test_the_web_manifest_puts_the_site_on_a_home_screen(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == settings.SITE_NAME
    assert (manifest["lang"], manifest["dir"], manifest["start_url"]) == (
        "ar",
        "rtl",
        "/",
    )
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        name = icon["src"].removeprefix(settings.STATIC_URL)
        assert (STATIC / name).exists(), name


def test_every_page_names_its_icons_and_manifest(client):
    page = client.get("/").text

    assert 'rel="apple-touch-icon"' in page
    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    assert "favicon.ico" in page


def test_a_bad_host_gets_the_sites_own_400_page(client):
    response = client.get("/", HTTP_HOST="attacker.example")

    assert response.status_code == 400
    page = response.content.decode()
    assert settings.SITE_NAME in page
    assert "طلب غير صالح" in page
    assert 'lang="ar" dir="rtl"' in page
    assert "attacker.example" not in page


def test_robots_txt_names_the_sitemaps_at_the_sites_own_address(client, settings):
    settings.SITE_URL = "https://news.example"
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]

    body = client.get("/robots.txt", HTTP_HOST="other.example").text

    assert "Sitemap: https://news.example/sitemap.xml" in body
    assert "other.example" not in body
