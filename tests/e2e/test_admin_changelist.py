"""The article list on a 1366 px laptop: headlines readable, scheduled stories
told apart, with the menu and the filters open (Django's defaults)."""

from playwright.sync_api import expect

from tests.factories import ArticleFactory

from .conftest import DESKTOP

HEADLINE = (
    "مجلس الوزراء يقر خطة وطنية لتحديث شبكات المياه في المدن الكبرى خلال خمس سنوات"
)


def test_headlines_are_readable_and_scheduled_stories_say_so_at_1366px(
    page, url, log_in, editor_user, shot
):
    for n in range(6):
        ArticleFactory(headline=f"{HEADLINE} ({n})", authors=[])
    ArticleFactory(scheduled=True, headline="خبر مجدول لصباح الغد")
    log_in(editor_user)
    page.set_viewport_size(DESKTOP)

    page.goto(url("/admin/articles/article/"))

    expect(page.locator("#nav-sidebar")).to_be_visible()
    expect(page.locator("#changelist-filter")).to_be_visible()
    headline = page.locator("#result_list thead th.column-headline")
    assert headline.evaluate("th => th.getBoundingClientRect().width") >= 220
    # No sideways scrolling to reach the last columns.
    results = page.locator("#changelist .results")
    assert results.evaluate("r => r.scrollWidth <= r.clientWidth")
    expect(page.locator("#result_list")).to_contain_text("مجدولة للنشر في")
    shot("admin-article-list-1366")
