"""Live pages as readers and machines get them: the updates newest first,
key points on top, the document open pages poll, the feed, the structured
data, the badge, the news sitemap and the purge (articles/live.py)."""

import json
import re
from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.live import POLL_UPDATES, end_coverage
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    LiveUpdateFactory,
    PictureFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_story():
    return ArticleFactory(
        live=True,
        headline="تغطية مباشرة: الانتخابات البلدية",
        published_at=timezone.now() - timedelta(hours=3),
    )


def updates_at(article, *minutes_ago, **fields):
    now = timezone.now()
    return [
        LiveUpdateFactory(
            article=article, published_at=now - timedelta(minutes=m), **fields
        )
        for m in minutes_ago
    ]


def poll(client, article, **headers):
    return client.get(reverse("articles:live_updates", args=[article.pk]), **headers)


def json_ld(html):
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.S
    )
    return [json.loads(block) for block in blocks]


# The page -----------------------------------------------------------------


def test_the_live_page_shows_updates_newest_first_each_at_its_own_anchor(
    client, live_story
):
    old, new = updates_at(live_story, 30, 2)
    waiting = LiveUpdateFactory(
        article=live_story, pending=True, body="<p>لم يُراجع</p>"
    )

    html = client.get(live_story.get_absolute_url()).content.decode()

    assert html.index(f'id="update-{new.pk}"') < html.index(f'id="update-{old.pk}"')
    assert f'href="#update-{new.pk}"' in html
    assert "لم يُراجع" not in html
    assert f"update-{waiting.pk}" not in html
    assert "مباشر" in html
    assert reverse("articles:live_updates", args=[live_story.pk]) in html
    assert "js/live.js" in html


def test_key_points_are_pinned_in_a_summary_above_the_story(client, live_story):
    LiveUpdateFactory(article=live_story, title="فتح مراكز الاقتراع", is_key_point=True)
    point = LiveUpdateFactory(
        article=live_story, body="<p>نسبة المشاركة 41% حتى الظهر</p>", is_key_point=True
    )
    LiveUpdateFactory(article=live_story, body="<p>تحديث عادي</p>")

    html = client.get(live_story.get_absolute_url()).content.decode()

    summary = html[html.index('class="live-summary"') : html.index("story__body")]
    assert "فتح مراكز الاقتراع" in summary
    assert f'href="#update-{point.pk}"' in summary
    assert "نسبة المشاركة 41% حتى الظهر" in summary
    assert "تحديث عادي" not in summary


def test_an_update_body_is_sanitised_and_its_pictures_render(client, live_story):
    picture = PictureFactory()
    picture.renditions = {
        "4x3": [{"name": "p.webp", "width": 960, "height": 720}],
        "16x9": [{"name": "p169.webp", "width": 960, "height": 540}],
    }
    picture.save()
    LiveUpdateFactory(
        article=live_story,
        body=(
            '<p onclick="steal()">صور من الميدان<script>alert(1)</script></p>'
            f'<figure class="picture" data-picture="{picture.pk}"></figure>'
        ),
    )

    html = client.get(live_story.get_absolute_url()).content.decode()

    assert "صور من الميدان" in html
    assert "alert(1)" not in html
    assert "steal()" not in html
    assert "p.webp" in html or "p169.webp" in html


def test_a_long_live_page_renders_in_a_fixed_number_of_queries(
    client, live_story, django_assert_max_num_queries
):
    picture = PictureFactory()
    for n in range(30):
        LiveUpdateFactory(
            article=live_story,
            author=AuthorFactory(),
            body=f'<p>تحديث {n}</p><figure class="picture" data-picture="{picture.pk}"></figure>',
            is_key_point=n % 5 == 0,
        )

    with django_assert_max_num_queries(16):
        response = client.get(live_story.get_absolute_url())
    assert response.content.decode().count('class="live-update') >= 30


def test_an_ordinary_story_has_no_live_parts(client):
    article = ArticleFactory()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "data-live-url" not in html
    assert "live.js" not in html
    assert json_ld(html)[0]["@type"] == "NewsArticle"


def test_an_ended_coverage_says_so_and_stops_asking(client, live_story):
    updates_at(live_story, 5)
    end_coverage(live_story)

    html = client.get(live_story.get_absolute_url()).content.decode()

    assert "انتهت التغطية المباشرة في" in html
    assert "data-live-url" not in html
    assert "live.js" not in html


# The document open pages poll ---------------------------------------------


def test_the_polled_document_holds_the_newest_updates_as_the_page_shows_them(
    client, live_story
):
    updates = updates_at(live_story, *range(POLL_UPDATES + 5, 0, -1))
    LiveUpdateFactory(article=live_story, pending=True)

    response = poll(client, live_story)

    assert response.status_code == 200
    data = response.json()
    assert data["ended"] is False
    assert data["limit"] == POLL_UPDATES
    newest = list(reversed(updates))[:POLL_UPDATES]
    assert [u["id"] for u in data["updates"]] == [u.pk for u in newest]
    first = data["updates"][0]
    assert f'id="update-{newest[0].pk}"' in first["html"]
    # The page compares the two to know what was edited.
    assert f'data-stamp="{first["stamp"]}"' in first["html"]


def test_the_polled_document_is_shared_and_purged_with_the_story(client, live_story):
    response = poll(client, live_story)

    cache_control = response["Cache-Control"]
    assert "public" in cache_control
    assert "s-maxage" in cache_control
    assert f"article-{live_story.pk}" in response["Surrogate-Key"].split()
    assert "Set-Cookie" not in response
    assert "Cookie" not in response.get("Vary", "")
    assert response["Last-Modified"]
    # Pollers revalidate: nothing new, nothing sent.
    again = poll(client, live_story, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_a_published_update_reaches_the_polled_document_and_the_page_at_once(
    client, live_story
):
    poll(client, live_story)  # both now in the page cache
    client.get(live_story.get_absolute_url())

    update = LiveUpdateFactory(article=live_story, title="إعلان النتائج الأولية")

    assert update.pk in [u["id"] for u in poll(client, live_story).json()["updates"]]
    assert (
        "إعلان النتائج الأولية"
        in client.get(live_story.get_absolute_url()).content.decode()
    )


def test_edited_and_deleted_updates_change_the_document(client, live_story):
    kept, edited, deleted = updates_at(live_story, 3, 2, 1)
    before = {u["id"]: u["stamp"] for u in poll(client, live_story).json()["updates"]}

    edited.body = "<p>نص مصحح</p>"
    edited.save()
    deleted.delete()

    after = {u["id"]: u for u in poll(client, live_story).json()["updates"]}
    assert deleted.pk not in after
    assert after[edited.pk]["stamp"] != before[edited.pk]
    assert "نص مصحح" in after[edited.pk]["html"]
    assert after[kept.pk]["stamp"] == before[kept.pk]


def test_the_document_says_when_coverage_ended(client, live_story):
    poll(client, live_story)
    end_coverage(live_story)
    assert poll(client, live_story).json()["ended"] is True


@pytest.mark.parametrize(
    "article",
    [
        lambda: ArticleFactory(),  # not a live page
        lambda: ArticleFactory(live=True, draft=True),
        lambda: ArticleFactory(live=True, scheduled=True),
        lambda: ArticleFactory(live=True, withdrawn=True),
    ],
)
def test_no_document_for_what_readers_cannot_see(client, article):
    assert poll(client, article()).status_code == 404


def test_junk_addresses_answer_404_not_500(client):
    for path in ("/live/abc/updates/", "/live/99999999/updates/", "/live/1/rss/"):
        assert client.get(path).status_code == 404


def test_the_english_interface_polls_its_own_document(client, live_story):
    updates_at(live_story, 1)
    html = client.get("/en" + live_story.get_absolute_url()).content.decode()
    assert f"/en/live/{live_story.pk}/updates/" in html
    data = client.get(f"/en/live/{live_story.pk}/updates/").json()
    assert 'lang="ar"' in data["updates"][0]["html"]  # Arabic text in English pages


# Structured data, feed, badge, sitemap ---------------------------------------


def test_live_blog_posting_structured_data(client, live_story):
    first, latest = updates_at(live_story, 20, 1)
    latest.title = "إغلاق مراكز الاقتراع"
    latest.save()

    data = json_ld(client.get(live_story.get_absolute_url()).content.decode())[0]

    assert data["@type"] == "LiveBlogPosting"
    start = datetime.fromisoformat(data["coverageStartTime"])
    assert start == live_story.published_at
    assert "coverageEndTime" not in data
    entries = data["liveBlogUpdate"]
    assert [e["headline"] for e in entries][0] == "إغلاق مراكز الاقتراع"
    assert entries[0]["@type"] == "BlogPosting"
    assert entries[0]["url"].endswith(f"#update-{latest.pk}")
    assert entries[1]["url"].endswith(f"#update-{first.pk}")
    assert "datePublished" in entries[0] and "articleBody" in entries[1]

    end_coverage(live_story)
    data = json_ld(client.get(live_story.get_absolute_url()).content.decode())[0]
    assert "coverageEndTime" in data


def test_the_feed_of_updates_links_each_to_its_anchor(client, live_story):
    update = LiveUpdateFactory(
        article=live_story, title="أول النتائج", body="<p>فاز <b>أ</b></p>"
    )
    LiveUpdateFactory(article=live_story, pending=True, title="مسودة")

    response = client.get(reverse("articles:live_feed", args=[live_story.pk]))

    assert response.status_code == 200
    assert f"article-{live_story.pk}" in response["Surrogate-Key"].split()
    channel = ElementTree.fromstring(response.content).find("channel")
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["أول النتائج"]
    assert (
        items[0]
        .findtext("link")
        .endswith(f"{live_story.get_absolute_url()}#update-{update.pk}")
    )
    assert items[0].findtext("link").startswith("http")
    assert "<b>" not in items[0].findtext("description")


def test_cards_and_lists_carry_the_live_badge_while_coverage_runs(client, live_story):
    section = live_story.section
    for path in ("/", section.get_absolute_url()):
        assert 'class="live-badge"' in client.get(path).content.decode(), path

    end_coverage(live_story)

    for path in ("/", section.get_absolute_url()):
        assert 'class="live-badge"' not in client.get(path).content.decode(), path


def test_the_news_sitemap_keeps_a_running_live_page_past_two_days(client):
    section = SectionFactory()
    old_live = ArticleFactory(
        live=True, section=section, published_at=timezone.now() - timedelta(days=4)
    )
    old_story = ArticleFactory(
        section=section, published_at=timezone.now() - timedelta(days=4)
    )

    xml = client.get("/sitemap-news.xml").content.decode()
    assert old_live.get_absolute_url() in xml
    assert old_story.get_absolute_url() not in xml

    end_coverage(old_live, when=timezone.now() - timedelta(days=3))
    assert (
        old_live.get_absolute_url()
        not in client.get("/sitemap-news.xml").content.decode()
    )


def test_a_published_update_purges_the_live_page_at_the_edge(edge, committed):
    with committed():
        story = ArticleFactory(live=True)
    edge.drain()

    with committed():
        LiveUpdateFactory(article=story)
    assert edge.next_purge() == {f"article-{story.pk}"}

    with committed():
        LiveUpdateFactory(article=story, pending=True)
    assert edge.nothing_more()


def test_live_is_a_reserved_slug():
    from django.core.exceptions import ValidationError

    from articles.models import validate_not_reserved

    with pytest.raises(ValidationError):
        validate_not_reserved("live")
