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
    """One schema of the published XSDs named (see schemas/README.md): the
    sitemaps.org one, siteindex.xsd or sitemap.xsd, plus any extensions."""
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

    assert_valid(xml, schema("siteindex.xsd"))
    listed = " ".join(locs(xml))
    for name in ("sections", "tags", "authors", "articles"):
        assert f"/sitemap-{name}.xml" in listed


def test_each_sitemap_is_valid_and_lists_only_public_things(client, settings):
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
    assert articles == [f"{settings.SITE_URL}{article.get_absolute_url()}"]
    assert all(h.get_absolute_url() not in " ".join(articles) for h in hidden)
    assert locs(pages["tags"]) == [
        f"{settings.SITE_URL}{article.tags.get().get_absolute_url()}"
    ]
    assert locs(pages["authors"]) == [f"{settings.SITE_URL}{author.get_absolute_url()}"]
    assert f"{settings.SITE_URL}{article.section.get_absolute_url()}" in locs(
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


def test_every_sitemap_names_the_sites_url_not_the_requests_host(
    client, settings, monkeypatch
):
    from articles.sitemaps import ArticleSitemap

    settings.SITE_URL = "https://news.example"
    monkeypatch.setattr(ArticleSitemap, "limit", 1)
    ArticleFactory(tags=["مناخ"], authors=[AuthorFactory()])
    ArticleFactory()
    urls = [
        "/sitemap.xml",
        reverse("sitemap-news"),
        "/sitemap-articles.xml?p=2",
        *(f"/sitemap-{name}.xml" for name in ("sections", "tags", "authors")),
    ]

    for url in urls:
        response = client.get(url)  # Host: testserver
        listed = locs(parse(response))

        assert listed, url
        assert all(loc.startswith("https://news.example/") for loc in listed), url
        assert "testserver" not in response.content.decode(), url
    index = locs(parse(client.get("/sitemap.xml")))
    assert "https://news.example/sitemap-articles.xml?p=2" in index


def test_sitemap_urls_are_arabic_whatever_the_browser_language(client, settings):
    article = ArticleFactory()

    xml = parse(client.get("/sitemap-articles.xml", HTTP_ACCEPT_LANGUAGE="en"))

    assert locs(xml) == [f"{settings.SITE_URL}{article.get_absolute_url()}"]
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
    assert f"{settings.SITE_URL}{fresh.get_absolute_url()}" in listed
    for article in [old, *hidden]:
        assert f"{settings.SITE_URL}{article.get_absolute_url()}" not in listed
    first = xml.find("sm:url/news:news", NS)
    assert first.findtext("news:publication/news:name", namespaces=NS) == "النشرة"
    assert first.findtext("news:publication/news:language", namespaces=NS) == "ar"
    assert first.findtext("news:title", namespaces=NS) == "خبر الساعة & <تفاصيل>"
    assert datetime.datetime.fromisoformat(
        first.findtext("news:publication_date", namespaces=NS)
    )


def test_empty_site_has_a_valid_index_and_an_empty_news_sitemap(client):
    SectionFactory()

    assert_valid(parse(client.get("/sitemap.xml")), schema("siteindex.xsd"))
    # sitemap.xsd wants at least one <url>, but Google says a News sitemap may
    # be empty when nothing is fresh (no problem for Search, only a warning in
    # Search Console); robots.txt lists it, so it stays, empty and well-formed.
    news = parse(client.get(reverse("sitemap-news")))
    assert news.tag == f"{{{NS['sm']}}}urlset"
    assert len(news) == 0


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


def test_every_sitemap_the_index_lists_is_valid_page_by_page(
    client, settings, monkeypatch
):
    # Followed from the index, so a new sitemap type is validated too.
    from articles.sitemaps import SITEMAPS, ArticleSitemap

    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    for _ in range(3):
        ArticleFactory(tags=["مناخ"], authors=[AuthorFactory()])
    xsd = schema("sitemap.xsd")
    index = parse(client.get("/sitemap.xml"))
    assert_valid(index, schema("siteindex.xsd"))

    listed = [loc.removeprefix(settings.SITE_URL) for loc in locs(index)]
    for path in listed:
        assert_valid(parse(client.get(path)), xsd)
    assert {f"/sitemap-{name}.xml" for name in SITEMAPS} <= set(listed)
    assert "/sitemap-articles.xml?p=2" in listed
    news = parse(client.get(reverse("sitemap-news")))
    assert_valid(news, schema("sitemap.xsd", "sitemap-news.xsd"))
