"""The breaking strip: one shared fragment that every page but the home page
fetches (articles.views.breaking, static/js/site.js), purged as `breaking`."""

import re

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import validate_not_reserved
from tests.articles.admin_forms import CHANGELIST_URL
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

PLACEHOLDER = 'data-breaking-url="'


def hours_ago(hours):
    return timezone.now() - timezone.timedelta(hours=hours)


def strip_headlines(content):
    return re.findall(r"<li><a [^>]*>([^<]+)</a></li>", content)


def test_it_lists_published_breaking_stories_newest_first_at_most_three(client):
    for hours in (5, 4, 3, 2):
        ArticleFactory(
            is_breaking=True, headline=f"عاجل {hours}", published_at=hours_ago(hours)
        )
    ArticleFactory(headline="ليس عاجلًا")
    ArticleFactory(draft=True, is_breaking=True, headline="مسودة عاجلة")
    ArticleFactory(withdrawn=True, is_breaking=True, headline="عاجل مسحوب")
    ArticleFactory(scheduled=True, is_breaking=True, headline="عاجل مجدول")

    response = client.get("/breaking/")

    assert response.status_code == 200
    content = response.content.decode()
    assert strip_headlines(content) == ["عاجل 2", "عاجل 3", "عاجل 4"]
    assert 'class="breaking"' in content
    assert "عاجل</h2>" in content


def test_its_links_and_language_follow_the_page(client):
    story = ArticleFactory(is_breaking=True, headline="زلزال في الشمال")

    with translation.override("ar"):
        story_url = story.get_absolute_url()

    arabic = client.get("/breaking/").content.decode()
    english = client.get("/en/breaking/").content.decode()

    assert f'<a href="{story_url}">زلزال في الشمال</a>' in arabic  # inherits rtl
    assert f'<a href="/en{story_url}" lang="ar" dir="rtl">زلزال' in english
    assert "عاجل</h2>" not in english  # the label is in English


def test_it_is_an_empty_page_when_nothing_is_breaking(client):
    ArticleFactory()
    ArticleFactory(draft=True, is_breaking=True)

    for url in ("/breaking/", "/en/breaking/"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.content == b""
        assert "public" in response["Cache-Control"]


def test_it_is_shared_briefly_and_named_breaking(client):
    ArticleFactory(is_breaking=True)

    response = client.get("/breaking/")

    cache_control = response["Cache-Control"]
    assert "public" in cache_control
    s_maxage = int(re.search(r"s-maxage=(\d+)", cache_control).group(1))
    assert 0 < s_maxage <= 60
    assert "breaking" in response["Surrogate-Key"].split()
    assert not response.cookies
    assert "cookie" not in response.get("Vary", "").lower()


def test_it_never_outlives_the_next_scheduled_story(client):
    ArticleFactory(is_breaking=True)
    ArticleFactory(
        is_breaking=True,
        scheduled=True,
        published_at=timezone.now() + timezone.timedelta(seconds=20),
    )

    cache_control = client.get("/breaking/")["Cache-Control"]

    assert int(re.search(r"s-maxage=(\d+)", cache_control).group(1)) <= 20


def test_it_is_the_same_bytes_for_every_reader(client, reader):
    ArticleFactory(is_breaking=True, headline="خبر عاجل")
    for url in ("/breaking/", "/en/breaking/"):
        with time_machine.travel(timezone.now(), tick=False):
            cache.clear()
            signed_in = reader.get(url)
            cache.clear()
            anonymous = client.get(url)
        assert signed_in.content == anonymous.content, url
        assert signed_in["Cache-Control"] == anonymous["Cache-Control"], url


@pytest.mark.parametrize(
    "query", ["?a=1", "?page=-1&x=%ff", "?%00=%ZZ", "?q=" + "x" * 3000]
)
def test_junk_query_strings_never_fail(client, query):
    ArticleFactory(is_breaking=True)

    assert client.get("/breaking/" + query).status_code == 200


def test_every_public_page_but_the_home_page_carries_the_placeholder(client):
    section = SectionFactory()
    author = AuthorFactory()
    article = ArticleFactory(section=section, tags=["أسواق"], is_breaking=True)
    article.authors.add(author)
    pages = [
        section.get_absolute_url(),
        article.get_absolute_url(),
        "/en" + article.get_absolute_url(),
        article.tags.first().get_absolute_url(),
        author.get_absolute_url(),
        reverse("articles:opinion"),
        reverse("articles:corrections"),
        reverse("articles:search") + "?q=أسواق",
        reverse("articles:page", kwargs={"slug": "terms"}),
        "/en/privacy/",
    ]
    for url in pages:
        content = client.get(url).content.decode()
        assert content.count(PLACEHOLDER) == 1, url
    assert f'{PLACEHOLDER}/en/breaking/"' in client.get("/en/opinion/").content.decode()

    for url in ("/", "/en/"):
        content = client.get(url).content.decode()
        assert PLACEHOLDER not in content, url
        assert content.count('class="breaking"') == 1, url  # inline, once


def test_the_origin_cache_keeps_it_until_the_strip_changes(client):
    story = ArticleFactory(is_breaking=True, headline="عاجل أول")
    first = client.get("/breaking/")
    second = client.get("/breaking/")
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")

    story.is_breaking = False
    story.save()

    assert client.get("/breaking/").content == b""


def test_breaking_is_a_reserved_section_slug():
    with pytest.raises(ValidationError):
        validate_not_reserved("breaking")


# Purges ---------------------------------------------------------------------


@pytest.fixture
def breaking_story(edge, committed):
    with committed():
        article = ArticleFactory(is_breaking=True)
    edge.drain()
    return article


def test_editing_a_breaking_story_purges_the_strip(edge, committed, breaking_story):
    with committed():
        breaking_story.headline = "عنوان عاجل مصحح"
        breaking_story.save()

    assert "breaking" in edge.next_purge()


def test_unmarking_a_breaking_story_purges_the_strip(edge, committed, breaking_story):
    with committed():
        breaking_story.is_breaking = False
        breaking_story.save()

    assert "breaking" in edge.next_purge()


def test_unmarking_from_the_admin_purges_the_strip(
    edge, committed, editor, breaking_story
):
    with committed():
        response = editor.post(
            CHANGELIST_URL,
            {"action": "unmark_breaking", "_selected_action": [breaking_story.pk]},
        )
    assert response.status_code == 302

    assert "breaking" in edge.next_purge()


def test_marking_from_the_admin_purges_the_strip(edge, committed, editor):
    with committed():
        story = ArticleFactory()
    edge.drain()

    with committed():
        editor.post(
            CHANGELIST_URL,
            {"action": "mark_breaking", "_selected_action": [story.pk]},
        )

    assert "breaking" in edge.next_purge()


def test_withdrawing_a_breaking_story_purges_the_strip(edge, committed, breaking_story):
    with committed():
        breaking_story.withdraw()

    assert "breaking" in edge.next_purge()


def test_publishing_a_breaking_story_purges_the_strip(edge, committed):
    with committed():
        story = ArticleFactory(draft=True, is_breaking=True)
    edge.drain()

    with committed():
        story.publish()

    assert "breaking" in edge.next_purge()


def test_deleting_a_breaking_story_purges_the_strip(edge, committed, breaking_story):
    with committed():
        breaking_story.delete()

    assert "breaking" in edge.next_purge()


def test_an_ordinary_story_leaves_the_strip_alone(edge, committed):
    with committed():
        story = ArticleFactory()
    assert "breaking" not in edge.next_purge()

    with committed():
        story.headline = "عنوان جديد"
        story.save()

    assert "breaking" not in edge.next_purge()
