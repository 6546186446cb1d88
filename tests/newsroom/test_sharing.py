"""What a shared link shows: every page type names itself for Open Graph
(title, description, its own address, locale, and a picture at least 1,200 px
wide at an absolute address that answers), and the home page says what the
site is in JSON-LD."""

import html
import io
import json
import re

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import iri_to_uri
from PIL import Image

from accounts.models import Follow, SavedArticle
from tests.articles.reader_data import with_image
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

SITE = "https://news.example"
META = re.compile(r'<meta (property|name)="([^"]+)" content="([^"]*)">')


def meta(page):
    tags = {}
    for _, name, content in META.findall(page):
        tags.setdefault(name, html.unescape(content))
    return tags


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE
    section = SectionFactory(name="اقتصاد", slug="اقتصاد")
    author = AuthorFactory(name="ريم العطار", slug="ريم-العطار")
    article = with_image(
        ArticleFactory(section=section, tags=["أسواق"], authors=[author])
    )
    plain = ArticleFactory(section=section, standfirst="", meta_description="")
    ArticleFactory(section=section, opinion=True, authors=[author])
    CorrectionFactory(article=article)
    withdrawn = ArticleFactory(section=section, withdrawn=True)
    with translation.override("ar"):
        return {
            "article": article,
            "urls": {
                "home": "/",
                "home, English": "/en/",
                "section": section.get_absolute_url(),
                "section, page 2": section.get_absolute_url() + "?page=2",
                "article": article.get_absolute_url(),
                "article, English": "/en" + article.get_absolute_url(),
                "article without a picture": plain.get_absolute_url(),
                "tag": article.tags.get().get_absolute_url(),
                "author": author.get_absolute_url(),
                "opinion": reverse("articles:opinion"),
                "corrections": reverse("articles:corrections"),
                "search": reverse("articles:search") + "?q=الأسواق",
                "search, empty": reverse("articles:search"),
                "404": "/لا-توجد-صفحة/",
                "410": withdrawn.get_absolute_url(),
                "login": reverse("accounts:login"),
                "sign-up": reverse("accounts:signup"),
                "password reset": reverse("accounts:password_reset"),
            },
            "personal": {
                "saved": reverse("accounts:saved"),
                "for you": reverse("accounts:for_you"),
                "following": reverse("accounts:following"),
                "profile": reverse("accounts:profile"),
                "newsletters": reverse("newsletters:manage"),
            },
        }


def image_width(url, settings):
    """The width of the picture at `url`, fetched as a browser would."""
    path = url.removeprefix(SITE)
    if path.startswith(settings.MEDIA_URL):
        name = path.removeprefix(settings.MEDIA_URL)
        assert default_storage.exists(name), url
        with default_storage.open(name) as file:
            return Image.open(file).width
    # A fresh client, so that WhiteNoise serves the static files from their
    # sources, as collectstatic would make them.
    settings.WHITENOISE_USE_FINDERS = True
    response = Client().get(path)
    assert response.status_code == 200, url
    return Image.open(io.BytesIO(b"".join(response.streaming_content))).width


def test_every_page_type_gives_what_a_shared_link_shows(client, reader, site, settings):
    SavedArticle.objects.create(user=reader.user, article=site["article"])
    Follow.objects.create(user=reader.user, section=site["article"].section)
    pages = {
        **{name: client.get(url) for name, url in site["urls"].items()},
        **{name: reader.get(url) for name, url in site["personal"].items()},
    }
    widths = {}

    for name, response in pages.items():
        assert response.status_code in (200, 404, 410), name
        tags = meta(response.text)
        for prop in ("og:title", "og:description", "og:url", "og:image"):
            assert tags.get(prop, "").strip(), (name, prop)
        assert tags["og:description"] == tags["description"], name
        assert tags["og:locale"] in ("ar_AR", "en_US"), name
        request = response.wsgi_request
        page = "?page=2" if request.GET.get("page") == "2" else ""
        assert tags["og:url"] == SITE + iri_to_uri(request.path) + page, name
        image = tags["og:image"]
        assert image.startswith(SITE + "/"), name
        assert "logo.png" not in image, name
        assert int(tags["og:image:width"]) >= 1200, name
        assert tags["twitter:card"] == "summary_large_image", name
        if image not in widths:
            widths[image] = image_width(image, settings)
        assert widths[image] >= 1200, (name, image)
    # A story with a picture shares it; pages without one, the site's card.
    assert "/media/" in meta(pages["article"].text)["og:image"]
    card = meta(pages["home"].text)["og:image"]
    assert card.endswith(".png") and "share-card" in card
    assert meta(pages["article without a picture"].text)["og:image"] == card
    # The article's description is its own, never the site's.
    assert (
        meta(pages["article without a picture"].text)["og:description"]
        != meta(pages["home"].text)["og:description"]
    )


def test_the_share_card_is_1200_by_630(settings):
    from django.contrib.staticfiles import finders

    assert Image.open(finders.find("img/share-card.png")).size == (1200, 630)


def json_ld(page):
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page)
    return [json.loads(script) for script in scripts]


def test_the_home_page_describes_the_site_and_its_publisher(client, settings):
    settings.SITE_URL = SITE

    (data,) = json_ld(client.get("/").text)

    graph = {node["@type"]: node for node in data["@graph"]}
    website, publisher = graph["WebSite"], graph["NewsMediaOrganization"]
    assert website["url"] == SITE + "/"
    assert website["publisher"] == {"@id": publisher["@id"]}
    search = website["potentialAction"]
    assert search["@type"] == "SearchAction"
    assert search["target"]["urlTemplate"] == f"{SITE}/search/?q={{search_term_string}}"
    assert search["query-input"] == "required name=search_term_string"
    assert publisher["name"] == settings.SITE_NAME
    assert publisher["url"] == SITE + "/"
    logo = publisher["logo"]
    assert logo["url"].startswith(SITE + "/static/")
    assert image_width(logo["url"], settings) == logo["width"] >= 112
