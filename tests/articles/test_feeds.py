import html
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.urls import reverse

from articles.models import Article, Author, Correction, Section, Tag
from tests.articles.reader_data import with_image
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "rss20"
    return feed


def test_site_feed_parses_cleanly_with_arabic_items(client, settings):
    author = AuthorFactory(name="نادية الشامي")
    article = ArticleFactory(
        headline="القمة العربية تختتم أعمالها & تصدر بيانها",
        standfirst="البيان يدعو إلى <تعاون> أوسع.",
        authors=[author, AuthorFactory(name="علي حسن")],
        tags=["قمة"],
    )

    feed = parse(client.get(reverse("articles:feed")))

    assert feed.feed.language == "ar"
    (entry,) = feed.entries
    assert entry.title == article.headline
    # The summary is HTML that shows the standfirst as written.
    assert entry.summary == "البيان يدعو إلى &lt;تعاون&gt; أوسع."
    assert entry.author == "نادية الشامي، علي حسن"
    assert entry.link == f"{settings.SITE_URL}{article.get_absolute_url()}"
    assert entry.published_parsed is not None
    assert {t.term for t in entry.tags} == {article.section.name, "قمة"}


def test_lead_image_is_an_enclosure_with_length_and_type(client):
    article = with_image(ArticleFactory())

    (entry,) = parse(client.get(reverse("articles:feed"))).entries

    (enclosure,) = entry.enclosures
    assert enclosure.type == "image/webp"
    assert int(enclosure.length) > 0
    assert enclosure.href.startswith("http")
    assert "16x9" in enclosure.href
    assert article.picture.renditions["16x9"]


def test_article_without_image_has_no_enclosure(client):
    ArticleFactory()

    (entry,) = parse(client.get(reverse("articles:feed"))).entries

    assert entry.get("enclosures", []) == []


def test_feed_holds_the_latest_50_published_articles_only(client):
    for _ in range(52):
        ArticleFactory()
    hidden = [
        ArticleFactory(draft=True, headline="مسودة الخلاصة"),
        ArticleFactory(scheduled=True, headline="مجدول الخلاصة"),
        ArticleFactory(withdrawn=True, headline="مسحوب الخلاصة"),
        ArticleFactory(in_review=True, headline="مراجعة الخلاصة"),
    ]

    feed = parse(client.get(reverse("articles:feed")))

    assert len(feed.entries) == 50
    titles = {entry.title for entry in feed.entries}
    assert not titles & {h.headline for h in hidden}


def test_section_feed_lists_only_that_section(client):
    section = SectionFactory(name="رياضة", slug="رياضة")
    mine = ArticleFactory(section=section)
    ArticleFactory(headline="خبر اقتصادي")

    feed = parse(client.get(reverse("articles:section_feed", args=[section.slug])))

    assert "رياضة" in feed.feed.title
    assert [entry.title for entry in feed.entries] == [mine.headline]


def test_feed_of_an_empty_section_is_valid(client):
    section = SectionFactory()

    feed = parse(client.get(reverse("articles:section_feed", args=[section.slug])))

    assert feed.entries == []


def test_feed_of_an_unknown_section_answers_404(client):
    assert client.get("/لا-قسم/rss/").status_code == 404


def test_feeds_are_publicly_cacheable_and_answer_304(client):
    ArticleFactory()

    response = client.get(reverse("articles:feed"))

    assert "public" in response["Cache-Control"]
    assert (
        client.get(
            reverse("articles:feed"), HTTP_IF_NONE_MATCH=response["ETag"]
        ).status_code
        == 304
    )


def test_every_address_in_a_feed_is_at_the_sites_url_not_the_requests_host(
    client, settings
):
    settings.SITE_URL = "https://news.example"
    article = with_image(ArticleFactory())
    CorrectionFactory(article=article)

    for url in feed_urls(article):
        response = client.get(url)  # Host: testserver
        feed = parse(response)

        assert "testserver" not in response.content.decode(), url
        assert feed.feed.link.startswith("https://news.example/"), url
        (self_link,) = [link for link in feed.feed.links if link.rel == "self"]
        assert self_link.href == f"https://news.example{url}"
        (entry,) = feed.entries
        assert entry.link.startswith("https://news.example/"), url
        assert entry.id == entry.link, url
    (entry,) = parse(client.get(reverse("articles:feed"))).entries
    assert entry.link == f"https://news.example{article.get_absolute_url()}"
    assert entry.enclosures[0].href.startswith("https://news.example/")


def feed_urls(article):
    return [
        reverse("articles:feed"),
        reverse("articles:section_feed", args=[article.section.slug]),
        reverse("articles:corrections_feed"),
    ]


def test_descriptions_are_plain_text_never_markup(client):
    standfirst = '<img src=x onerror="alert(1)"><b>عاجل</b> & المزيد'
    article = ArticleFactory(standfirst=standfirst)
    CorrectionFactory(article=article, text=standfirst)

    for url in feed_urls(article):
        rss = ET.fromstring(client.get(url).content)
        (description,) = [d.text for d in rss.iterfind("channel/item/description")]
        # Readers take the description for HTML: it holds no tag, and shows
        # exactly what the writer typed.
        assert "<" not in description, url
        assert html.unescape(description) == standfirst, url


def test_control_characters_written_around_save_leave_every_feed_well_formed(
    client,
):
    article = ArticleFactory(tags=["مناخ"], authors=[AuthorFactory()])
    correction = CorrectionFactory(article=article)
    # UPDATEs skip save(), and with it the cleaning at the door.
    Article.objects.filter(pk=article.pk).update(
        headline="عنوان\x0bمكسور", standfirst="موجز\x0cمكسور\x85"
    )
    Section.objects.filter(pk=article.section.pk).update(
        name="قسم\x0b", description="وصف\x1f"
    )
    Tag.objects.update(name="مناخ\x0b")
    Author.objects.update(name="كاتب\x0b")
    Correction.objects.filter(pk=correction.pk).update(text="تصحيح\x0b")

    for url in feed_urls(article):
        response = client.get(url)

        assert response.status_code == 200, url
        rss = ET.fromstring(response.content)  # well-formed XML
        assert "\x0b" not in response.content.decode()
        (title,) = [t.text for t in rss.iterfind("channel/item/title")]
        assert title.endswith("عنوانمكسور"), url
