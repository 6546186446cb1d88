import datetime
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from articles.models import Article, Author, Section, Tag
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).parent / "schemas"
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


def schema(*names):
    """One schema validating the sitemap namespace plus any extensions."""
    imports = "".join(
        f'<xsd:import namespace="{etree.parse(str(SCHEMAS / n)).getroot().get("targetNamespace")}"'
        f' schemaLocation="{(SCHEMAS / n).as_uri()}"/>'
        for n in names
    )
    driver = (
        '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
        f"{imports}</xsd:schema>"
    )
    return etree.XMLSchema(etree.fromstring(driver, base_url=str(SCHEMAS) + "/"))


def parse(response):
    assert response.status_code == 200
    assert "xml" in response["Content-Type"]
    return etree.fromstring(response.content)


def assert_valid(xml, xsd):
    assert xsd.validate(xml), xsd.error_log


def locs(xml):
    return [el.text for el in xml.iterfind(".//sm:loc", NS)]


def test_sitemap_index_lists_sections_tags_authors_and_articles(client):
    ArticleFactory(tags=["مناخ"], authors=[AuthorFactory()])

    xml = parse(client.get("/sitemap.xml"))

    assert_valid(xml, schema("sitemap.xsd"))
    listed = " ".join(locs(xml))
    for name in ("sections", "tags", "authors", "articles"):
        assert f"/sitemap-{name}.xml" in listed


def test_each_sitemap_is_valid_and_lists_only_public_things(client):
    author, hidden_author = AuthorFactory(), AuthorFactory()
    article = ArticleFactory(tags=["مناخ"], authors=[author])
    hidden = [
        ArticleFactory(draft=True, tags=["سري"], authors=[hidden_author]),
        ArticleFactory(scheduled=True, tags=["سري"]),
        ArticleFactory(withdrawn=True),
        ArticleFactory(in_review=True),
    ]
    xsd = schema("sitemap.xsd")

    pages = {
        name: parse(client.get(f"/sitemap-{name}.xml"))
        for name in ("sections", "tags", "authors", "articles")
    }

    for xml in pages.values():
        assert_valid(xml, xsd)
    articles = locs(pages["articles"])
    assert articles == [f"http://testserver{article.get_absolute_url()}"]
    assert all(h.get_absolute_url() not in " ".join(articles) for h in hidden)
    assert locs(pages["tags"]) == [
        f"http://testserver{article.tags.get().get_absolute_url()}"
    ]
    assert locs(pages["authors"]) == [f"http://testserver{author.get_absolute_url()}"]
    assert f"http://testserver{article.section.get_absolute_url()}" in locs(
        pages["sections"]
    )
    assert pages["articles"].find(".//sm:lastmod", NS) is not None


def test_article_sitemap_is_paged_for_large_sites(client, monkeypatch):
    from articles.sitemaps import ArticleSitemap

    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    for _ in range(5):
        ArticleFactory()

    index = locs(parse(client.get("/sitemap.xml")))
    page3 = parse(client.get("/sitemap-articles.xml", {"p": 3}))

    assert any("sitemap-articles.xml?p=3" in loc for loc in index)
    assert len(locs(page3)) == 1
    assert client.get("/sitemap-articles.xml", {"p": 9}).status_code == 404
    assert client.get("/sitemap-articles.xml", {"p": "x"}).status_code == 404


def test_sitemap_urls_are_arabic_whatever_the_browser_language(client):
    article = ArticleFactory()

    xml = parse(client.get("/sitemap-articles.xml", HTTP_ACCEPT_LANGUAGE="en"))

    assert locs(xml) == [f"http://testserver{article.get_absolute_url()}"]
    assert "/en/" not in locs(xml)[0]


def test_news_sitemap_lists_the_last_48_hours_and_is_valid(client, settings):
    settings.SITE_NAME = "النشرة"
    now = timezone.now()
    fresh = ArticleFactory(headline="خبر الساعة & <تفاصيل>")
    ArticleFactory(published_at=now - datetime.timedelta(hours=47))
    old = ArticleFactory(published_at=now - datetime.timedelta(hours=49))
    hidden = [
        ArticleFactory(draft=True),
        ArticleFactory(scheduled=True),
        ArticleFactory(withdrawn=True, published_at=now - datetime.timedelta(hours=1)),
    ]

    xml = parse(client.get(reverse("sitemap-news")))

    assert_valid(xml, schema("sitemap.xsd", "sitemap-news.xsd"))
    listed = locs(xml)
    assert len(listed) == 2
    assert f"http://testserver{fresh.get_absolute_url()}" in listed
    for article in [old, *hidden]:
        assert f"http://testserver{article.get_absolute_url()}" not in listed
    first = xml.find("sm:url/news:news", NS)
    assert first.findtext("news:publication/news:name", namespaces=NS) == "النشرة"
    assert first.findtext("news:publication/news:language", namespaces=NS) == "ar"
    assert first.findtext("news:title", namespaces=NS) == "خبر الساعة & <تفاصيل>"
    assert datetime.datetime.fromisoformat(
        first.findtext("news:publication_date", namespaces=NS)
    )


def test_empty_site_sitemaps_are_valid(client):
    SectionFactory()

    assert_valid(parse(client.get("/sitemap.xml")), schema("sitemap.xsd"))
    assert_valid(
        parse(client.get(reverse("sitemap-news"))),
        schema("sitemap.xsd", "sitemap-news.xsd"),
    )


def test_sitemaps_are_publicly_cacheable(client):
    ArticleFactory()

    for url in ("/sitemap.xml", "/sitemap-articles.xml", reverse("sitemap-news")):
        assert "public" in client.get(url)["Cache-Control"], url


def test_control_characters_written_around_save_leave_every_sitemap_well_formed(
    client,
):
    article = ArticleFactory(tags=["مناخ"], authors=[AuthorFactory()])
    # UPDATEs skip save(), and with it the cleaning at the door.
    Article.objects.filter(pk=article.pk).update(headline="عنوان\x0bمكسور")
    Section.objects.update(name="قسم\x0b")
    Tag.objects.update(name="مناخ\x0b")
    Author.objects.update(name="كاتب\x0b")
    urls = [reverse("sitemap-news"), "/sitemap.xml"] + [
        f"/sitemap-{name}.xml" for name in ("sections", "tags", "authors", "articles")
    ]

    for url in urls:
        response = client.get(url)

        assert response.status_code == 200, url
        ET.fromstring(response.content)  # well-formed XML
        assert "\x0b" not in response.content.decode(), url
    news = ET.fromstring(client.get(reverse("sitemap-news")).content)
    assert news.findtext("sm:url/news:news/news:title", namespaces=NS) == "عنوانمكسور"
