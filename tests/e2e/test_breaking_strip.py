"""The breaking strip, as a browser fetches it into a story page (site.js)."""

from pathlib import Path

import pytest

from tests.factories import ArticleFactory

SHOTS = Path("/tmp/shotsbreaking")


def test_a_story_page_shows_the_breaking_strip_after_load(
    page, url, newsroom, axe, shot
):
    ArticleFactory(
        section=newsroom.politics, is_breaking=True, headline="انفجار قرب الميناء"
    )
    errors = []
    page.on("pageerror", lambda error: errors.append(error))

    page.goto(url(newsroom.lead))

    strip = page.locator("[data-breaking-url] > section.breaking")
    strip.wait_for()
    assert strip.locator("li").all_inner_texts() == ["انفجار قرب الميناء"]
    # Above the story, under the header.
    story_top = page.locator("h1").first.bounding_box()["y"]
    assert strip.bounding_box()["y"] < story_top
    assert axe() == []
    assert errors == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "article-breaking-phone.png"))
    shot("article-breaking-phone")

    page.goto(url("/en" + newsroom.lead.get_absolute_url()))
    english = page.locator("[data-breaking-url] > section.breaking")
    english.wait_for()
    assert english.locator("a").get_attribute("lang") == "ar"

    page.goto(url("/"))  # the home page has it inline, once
    page.wait_for_load_state("networkidle")
    assert page.locator("section.breaking").count() == 1


def test_nothing_is_inserted_without_a_breaking_story(page, url, newsroom):
    with page.expect_response("**/breaking/") as fetched:
        page.goto(url(newsroom.lead))
    assert fetched.value.status == 200
    page.wait_for_load_state("networkidle")

    placeholder = page.locator("[data-breaking-url]")
    assert placeholder.inner_html() == ""
    assert placeholder.bounding_box() is None or (
        placeholder.bounding_box()["height"] == 0
    )


def test_a_failed_fetch_leaves_the_page_as_it_was(page, url, newsroom):
    ArticleFactory(section=newsroom.politics, is_breaking=True)
    page.route("**/breaking/", lambda route: route.abort())
    errors = []
    page.on("pageerror", lambda error: errors.append(error))

    page.goto(url(newsroom.lead))
    page.wait_for_load_state("networkidle")

    assert page.locator("[data-breaking-url]").inner_html() == ""
    assert errors == []


def test_a_strip_arriving_after_the_reader_scrolled_does_not_move_the_text(
    page, url, newsroom
):
    ArticleFactory(section=newsroom.politics, is_breaking=True)
    held = []
    # Answered once the reader has scrolled.
    page.route("**/breaking/", lambda route: held.append(route))
    page.goto(url(newsroom.lead))
    page.evaluate("() => window.scrollTo(0, 400)")
    assert page.evaluate("() => window.scrollY") > 0
    heading = page.locator("h1").first
    before = heading.bounding_box()["y"]

    held[0].continue_()
    page.locator("[data-breaking-url] > section.breaking").wait_for()

    assert heading.bounding_box()["y"] == pytest.approx(before, abs=1)
