"""The view beacon, as a browser sends it from a real article page."""

from articles import popularity
from articles.models import ArticleDailyViews

# Headless Chromium names itself HeadlessChrome, which the beacon (rightly)
# takes for a tool; a reader's phone browser does not.
PHONE_BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)


def test_reading_an_article_counts_one_view_with_the_pages_token(
    browser, url, newsroom
):
    article = newsroom.lead
    context = browser.new_context(user_agent=PHONE_BROWSER, locale="ar")
    page = context.new_page()

    with page.expect_response("**/view/?token=*") as beacon:
        page.goto(url(article))
    assert beacon.value.status == 204
    with page.expect_response("**/view/?token=*"):
        page.reload()  # the same reader again: not counted twice
    context.close()

    popularity.flush_view_counts()
    assert ArticleDailyViews.objects.get(article=article).views == 1
