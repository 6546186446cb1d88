"""A scheduled story shows on every page that lists it as soon as it is due,
though those pages were cached before: nothing is purged at that moment, so
no cached copy may outlive it (articles.cache.public_page)."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

HEADLINE = "خبر مجدول يحل موعده"


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def test_a_scheduled_story_shows_on_every_cached_page_once_due(client, clock):
    section = SectionFactory(name="اقتصاد", slug="اقتصاد")
    author = AuthorFactory(name="ريم العطار", slug="ريم-العطار")
    # Published stories keep the tag and author pages public before it is due.
    other = ArticleFactory(section=section, tags=["أسواق"], authors=[author])
    due = timezone.now() + datetime.timedelta(seconds=100)
    story = ArticleFactory(
        section=section,
        headline=HEADLINE,
        tags=["أسواق"],
        authors=[author],
        published_at=due,
    )
    with translation.override("ar"):
        story_url = story.get_absolute_url()
        pages = {
            "home": "/",
            "home, English": "/en/",
            "section": section.get_absolute_url(),
            "tag": other.tags.get().get_absolute_url(),
            "author": author.get_absolute_url(),
            "latest (opinion page's rail)": reverse("articles:opinion"),
            "more from the section (a story page)": other.get_absolute_url(),
            "feed": reverse("articles:feed"),
            "section feed": reverse("articles:section_feed", args=[section.slug]),
            "news sitemap": reverse("sitemap-news"),
            "articles sitemap": "/sitemap-articles.xml",
        }

    def shows_story(response):
        text = response.content.decode()
        return HEADLINE in text or story_url in text

    last_modified = {}
    for name, url in pages.items():
        client.get(url)
        cached = client.get(url)
        assert cached.status_code == 200, name
        assert cached["X-Page-Cache"] == "hit", name
        assert not shows_story(cached), name
        last_modified[name] = cached.get("Last-Modified")

    clock.move_to(due + datetime.timedelta(seconds=1))

    for name, url in pages.items():
        assert shows_story(client.get(url)), name
        # A cache that revalidates with the date alone must not hear "304
        # Not Modified": the page changed when the story came due, though
        # nobody edited anything then.
        if last_modified[name]:
            response = client.get(
                url, headers={"if-modified-since": last_modified[name]}
            )
            assert response.status_code == 200, name


def test_a_page_rendered_the_second_before_a_story_is_due_is_not_kept(client, clock):
    due = timezone.now() + datetime.timedelta(milliseconds=500)
    ArticleFactory(headline=HEADLINE, published_at=due)

    response = client.get("/")
    assert HEADLINE not in response.text
    assert "s-maxage=0" in response["Cache-Control"]
    clock.move_to(due)

    assert HEADLINE in client.get("/").text
