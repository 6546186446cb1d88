"""A post from another site in a story: nothing leaves the site until the
reader asks for it."""

from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.factories import ArticleFactory

YOUTUBE_ID = "dQw4w9WgXcQ"


def test_an_embed_requests_nothing_from_its_provider_until_clicked(
    page, url, live_server
):
    article = ArticleFactory(
        body=f"<p>مقدمة.</p><p>https://youtu.be/{YOUTUBE_ID}</p><p>خاتمة.</p>"
    )
    site = urlsplit(live_server.url).netloc

    def off_site(address):
        return urlsplit(address).netloc != site

    requested = []
    page.on("request", lambda request: requested.append(request.url))
    # The test never reaches the provider, even after the click.
    page.route(off_site, lambda route: route.abort())

    page.goto(url(article))
    button = page.get_by_role("button", name="اعرض المحتوى من «يوتيوب»")
    expect(button).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert [address for address in requested if off_site(address)] == []
    assert page.locator("iframe").count() == 0

    # The page's policy lets the frame ask for the player (aborted above).
    with page.expect_request(f"https://www.youtube-nocookie.com/embed/{YOUTUBE_ID}"):
        button.click()

    frame = page.locator("figure.embed iframe")
    expect(frame).to_have_attribute(
        "src", f"https://www.youtube-nocookie.com/embed/{YOUTUBE_ID}"
    )
    expect(frame).to_have_attribute("title", "فيديو على يوتيوب")
