"""Corrections and editor's notes: added in the article admin, shown under the
story and in its JSON-LD, listed on /corrections/ and its feed, purged at the
edge, and counted as an update of the story."""

import datetime
import json
import re

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date
from lxml import etree

from articles.models import Article, Correction
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    SectionFactory,
)

from .admin_forms import article_data, change_url, errors_of

pytestmark = pytest.mark.django_db

STATES = ("draft", "in_review", "withdrawn", "scheduled")
CORRECTIONS_URL = "/corrections/"
FEED_URL = "/corrections/rss/"


def story_data(article, **overrides):
    """The admin change form of `article` as it stands, plus `overrides`."""
    data = {"headline": article.headline, "status": article.status}
    if article.published_at:
        local = timezone.localtime(article.published_at)
        data["published_at_0"] = local.strftime("%Y-%m-%d")
        data["published_at_1"] = local.strftime("%H:%M:%S")
    return article_data(article.section, **{**data, **overrides})


def edited_earlier(article, ago=datetime.timedelta(hours=1)):
    """Move the story's last edit back, so a change now is seen as one even
    at the one-second resolution of Last-Modified."""
    earlier = timezone.now() - ago
    Article.objects.filter(pk=article.pk).update(updated_at=earlier)
    article.refresh_from_db()
    return article


def json_ld(response):
    match = re.search(
        r'<script type="application/ld\+json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(match.group(1))


def parse_feed(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


# The admin ------------------------------------------------------------------


def test_editor_adds_a_correction_in_the_article_admin(editor, editor_user):
    article = edited_earlier(ArticleFactory())
    text = "ورد في نسخة سابقة أن القمة تُعقد في الرياض، والصحيح أنها في جدة."

    response = editor.post(
        change_url(article),
        story_data(article, corrections=[{"kind": "correction", "text": text}]),
    )

    assert response.status_code == 302, errors_of(response)
    correction = Correction.objects.get(article=article)
    assert correction.text == text
    assert correction.kind == Correction.Kind.CORRECTION
    assert correction.created_by == editor_user
    article.refresh_from_db()
    assert article.is_published()
    # Counted as an update of the story, no earlier than the note itself.
    assert article.updated_at >= correction.created_at
    assert correction.created_at > timezone.now() - datetime.timedelta(minutes=1)


def test_editing_or_deleting_a_correction_in_the_admin_updates_the_story(editor):
    correction = CorrectionFactory(article=ArticleFactory())
    article = edited_earlier(correction.article)
    row = {
        "id": str(correction.pk),
        "article": str(article.pk),
        "kind": Correction.Kind.EDITORS_NOTE,
    }

    data = story_data(article, corrections=[{**row, "text": "نص مصحّح للملاحظة."}])
    data["corrections-INITIAL_FORMS"] = "1"
    response = editor.post(change_url(article), data)

    assert response.status_code == 302, errors_of(response)
    correction.refresh_from_db()
    assert correction.text == "نص مصحّح للملاحظة."
    assert correction.kind == Correction.Kind.EDITORS_NOTE
    edited = Article.objects.get(pk=article.pk).updated_at
    assert edited > article.updated_at

    edited_earlier(article)
    data = story_data(
        article, corrections=[{**row, "text": correction.text, "DELETE": "on"}]
    )
    data["corrections-INITIAL_FORMS"] = "1"
    response = editor.post(change_url(article), data)

    assert response.status_code == 302, errors_of(response)
    assert not Correction.objects.exists()
    assert Article.objects.get(pk=article.pk).updated_at > article.updated_at


def test_the_inline_is_offered_to_editors_on_stories_that_were_published(
    editor, writer, writer_user
):
    published = ArticleFactory()
    draft = ArticleFactory(draft=True, created_by=writer_user)

    assert "corrections-TOTAL_FORMS" in editor.get(change_url(published)).text
    assert "corrections-TOTAL_FORMS" not in editor.get(change_url(draft)).text
    assert (
        "corrections-TOTAL_FORMS"
        not in editor.get(reverse("admin:articles_article_add")).text
    )
    assert "corrections-TOTAL_FORMS" not in writer.get(change_url(draft)).text


def test_a_writer_cannot_add_a_correction(writer, writer_user):
    draft = ArticleFactory(draft=True, created_by=writer_user)

    writer.post(
        change_url(draft),
        story_data(draft, corrections=[{"kind": "correction", "text": "مزوّر"}]),
    )

    assert not Correction.objects.exists()


# The story page -------------------------------------------------------------


def test_the_story_shows_its_corrections_with_their_dates_in_arabic(client):
    article = ArticleFactory()
    when = timezone.make_aware(datetime.datetime(2026, 3, 15, 9, 30))
    first = CorrectionFactory(article=article, created_at=when, text="تصحيح أول.")
    second = CorrectionFactory(
        article=article, editors_note=True, text="أُضيف رد الوزارة."
    )

    content = client.get(article.get_absolute_url()).content.decode()

    assert content.index("تصحيح أول.") < content.index("أُضيف رد الوزارة.")
    assert f'id="correction-{first.pk}"' in content
    assert f'id="correction-{second.pk}"' in content
    assert "15 مارس 2026" in content  # Arabic month names, as elsewhere on the page
    assert "ملاحظة المحرر" in content and "تصحيح" in content
    # Below the body, linking the corrections page.
    assert content.index("story__body") < content.index("story__corrections")
    assert f'href="{CORRECTIONS_URL}"' in content


def test_a_story_without_corrections_shows_no_corrections_block(client):
    article = ArticleFactory()

    assert "story__corrections" not in client.get(article.get_absolute_url()).text


def test_json_ld_has_each_correction_as_a_correction_comment(client):
    article = ArticleFactory()
    correction = CorrectionFactory(article=article, text="الرقم الصحيح 12 لا 21.")

    data = json_ld(client.get(article.get_absolute_url()))

    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "الرقم الصحيح 12 لا 21.",
            "datePublished": correction.created_at.isoformat(),
        }
    ]
    assert "correction" not in json_ld(client.get(ArticleFactory().get_absolute_url()))


def test_a_correction_made_in_the_admin_moves_last_modified_and_lastmod(client, editor):
    # Last edited days ago: the sitemap's lastmod is a date.
    article = edited_earlier(ArticleFactory(), datetime.timedelta(days=3))
    url = article.get_absolute_url()
    before = client.get(url)["Last-Modified"]

    editor.post(
        change_url(article),
        story_data(article, corrections=[{"kind": "correction", "text": "صُحّح."}]),
    )

    after = client.get(url, HTTP_IF_MODIFIED_SINCE=before)
    assert after.status_code == 200  # not a 304: the page changed
    assert "صُحّح." in after.text
    correction = Correction.objects.get()
    assert parse_http_date(after["Last-Modified"]) >= int(
        correction.created_at.timestamp()
    )
    sitemap = etree.fromstring(client.get("/sitemap-articles.xml").content)
    (lastmod,) = sitemap.xpath(
        "//sm:url[contains(sm:loc, $pk)]/sm:lastmod/text()",
        namespaces={"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"},
        pk=f"/{article.pk}-",
    )
    assert lastmod == f"{timezone.localdate(correction.created_at):%Y-%m-%d}"


# /corrections/ and its feed -------------------------------------------------


def test_corrections_page_lists_notes_newest_first_linking_each_story(client):
    now = timezone.now()
    older = CorrectionFactory(created_at=now - datetime.timedelta(days=2))
    newer = CorrectionFactory(created_at=now - datetime.timedelta(hours=1))
    note = CorrectionFactory(editors_note=True, created_at=now)

    response = client.get(CORRECTIONS_URL)

    assert response.status_code == 200
    assert "articles/correction_list.html" in [t.name for t in response.templates]
    assert list(response.context["object_list"]) == [note, newer, older]
    content = response.content.decode()
    assert "<h1" in content and "تصحيحات</h1>" in content
    for correction in (older, newer, note):
        assert correction.text in content
        assert correction.article.headline in content
        assert f'href="{correction.get_absolute_url()}"' in content
    assert f'href="{FEED_URL}"' in content


def test_corrections_page_without_corrections_says_so(client):
    ArticleFactory()

    response = client.get(CORRECTIONS_URL)

    assert response.status_code == 200
    assert "لا تصحيحات منشورة بعد." in response.text


@pytest.mark.parametrize("state", STATES)
def test_corrections_of_unpublished_stories_never_appear(client, state):
    visible = CorrectionFactory(text="تصحيح ظاهر.")
    hidden = CorrectionFactory(
        article=ArticleFactory(**{state: True}, headline="قصة غير منشورة"),
        text="تصحيح على قصة غير منشورة.",
    )

    page = client.get(CORRECTIONS_URL)
    feed = parse_feed(client.get(FEED_URL))

    assert list(page.context["object_list"]) == [visible]
    for content in (page.text, client.get(FEED_URL).content.decode()):
        assert hidden.text not in content
        assert "قصة غير منشورة" not in content
    assert [entry.description for entry in feed.entries] == ["تصحيح ظاهر."]


def test_corrections_feed_lists_each_note_with_its_story_and_date(client, settings):
    article = ArticleFactory(headline="الحكومة تعلن الموازنة")
    correction = CorrectionFactory(article=article, text="العجز 3٪ لا 5٪.")

    feed = parse_feed(client.get(FEED_URL))

    assert feed.feed.language == "ar"
    assert feed.feed.title.endswith("تصحيحات")
    (entry,) = feed.entries
    assert entry.title == "تصحيح: الحكومة تعلن الموازنة"
    assert entry.description == "العجز 3٪ لا 5٪."
    assert entry.link == f"{settings.SITE_URL}{correction.get_absolute_url()}"
    assert entry.published_parsed is not None


def test_corrections_page_and_feed_are_public_and_keyed(client):
    CorrectionFactory()

    for url in (CORRECTIONS_URL, FEED_URL):
        response = client.get(url)
        assert "public" in response["Cache-Control"]
        assert "list-corrections" in response["Surrogate-Key"].split()
        assert "Set-Cookie" not in response.headers
        assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get(CORRECTIONS_URL)["Last-Modified"]


@pytest.mark.parametrize("page", ["2", "0", "-1", "abc", "1.5", "99999999999999999999"])
def test_page_out_of_range_or_junk_answers_404(client, page):
    CorrectionFactory()

    assert client.get(CORRECTIONS_URL, {"page": page}).status_code == 404


def test_corrections_page_is_paginated(client, settings):
    settings.SITE_URL = "https://news.example"
    for _ in range(25):
        CorrectionFactory()

    response = client.get(CORRECTIONS_URL, {"page": "2"})

    assert response.status_code == 200
    assert len(response.context["object_list"]) == 5
    assert 'href="https://news.example/corrections/?page=2"' in response.text


def test_corrections_page_query_budget(client, django_assert_max_num_queries):
    section = SectionFactory()
    author = AuthorFactory()
    for n in range(45):
        article = ArticleFactory(section=section, authors=[author], tags=[f"وسم {n}"])
        CorrectionFactory(article=article, editors_note=n % 3 == 0)
    CorrectionFactory(article=ArticleFactory(draft=True))

    for query in ({}, {"page": "2"}, {"page": "3"}):
        # The next due story (cache lifetime), count, page, the sections menu.
        with django_assert_max_num_queries(4):
            response = client.get(CORRECTIONS_URL, query)
        assert response.status_code == 200


def test_corrections_is_a_reserved_section_slug(editor):
    response = editor.post(
        "/admin/articles/section/add/",
        {"name": "تصحيحات", "slug": "corrections", "position": "1"},
    )

    assert response.status_code == 200
    assert "محجوز" in errors_of(response)


# Purging ----------------------------------------------------------------------


def test_adding_editing_and_deleting_a_correction_purges_story_and_list(
    edge, committed
):
    with committed():
        article = ArticleFactory()
    edge.drain()
    expected = {f"article-{article.pk}", "list-corrections", "list-latest"}

    with committed():
        correction = CorrectionFactory(article=article)
    assert edge.next_purge() == expected
    with committed():
        correction.text = "نص معدّل."
        correction.save()
    assert edge.next_purge() == expected
    with committed():
        correction.delete()
    assert edge.next_purge() == expected
    assert edge.nothing_more()


def test_a_correction_made_in_the_admin_purges_the_corrections_list(
    editor, edge, committed
):
    with committed():
        article = ArticleFactory()
    edge.drain()

    with committed():
        editor.post(
            change_url(article),
            story_data(article, corrections=[{"kind": "correction", "text": "صح."}]),
        )

    assert {f"article-{article.pk}", "list-corrections"} <= edge.next_purge()
    assert edge.nothing_more()


def test_withdrawing_or_renaming_a_corrected_story_purges_the_corrections_list(
    edge, committed
):
    with committed():
        corrected = CorrectionFactory().article
        plain = ArticleFactory()
    edge.drain()

    with committed():
        corrected.withdraw()
    assert "list-corrections" in edge.next_purge()
    with committed():
        plain.headline = "عنوان جديد"
        plain.save()
    assert "list-corrections" not in edge.next_purge()


def test_last_modified_header_is_an_http_date(client):
    # The page's Last-Modified is the latest of its notes and stories' edits.
    correction = CorrectionFactory()
    article = correction.article

    response = client.get(CORRECTIONS_URL)

    latest = max(correction.created_at, article.updated_at)
    assert response["Last-Modified"] == http_date(latest.timestamp())
