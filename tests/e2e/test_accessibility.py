"""axe-core finds nothing, whatever the impact, on the pages readers use, in
Arabic and in English."""

import pytest

from accounts import services
from articles.models import SitePage
from tests.articles.reader_data import columnist
from tests.factories import ArticleFactory, CorrectionFactory, UserFactory

from .conftest import DESKTOP, PHONE
from .site_data import story_with_every_block


@pytest.mark.parametrize("prefix", ["", "/en"], ids=["arabic", "english"])
def test_reader_pages_have_no_accessibility_violations(
    page, url, newsroom, axe, log_in, shot, prefix
):
    CorrectionFactory(article=newsroom.lead)  # the story page shows its notes
    story = story_with_every_block(newsroom.economy, newsroom.author)
    opinion = ArticleFactory(
        section=newsroom.politics,
        opinion=True,
        headline="لماذا تتأخر الإصلاحات",
        authors=[columnist(name="هدى الكاتبة", slug="هدى-الكاتبة")],
    )
    withdrawn = ArticleFactory(section=newsroom.politics, headline="خبر سيسحب")
    withdrawn.withdraw()
    anonymous = {
        "home": ("/", 200),
        "section": (newsroom.politics.get_absolute_url(), 200),
        "article": (newsroom.lead.get_absolute_url(), 200),
        "article with every block": (story.get_absolute_url(), 200),
        "opinion article": (opinion.get_absolute_url(), 200),
        "tag": (newsroom.tag.get_absolute_url(), 200),
        "author": (newsroom.author.get_absolute_url(), 200),
        "opinion": ("/opinion/", 200),
        "corrections": ("/corrections/", 200),
        "search": ("/search/?q=الطاقة", 200),
        "corrected search": ("/search/?q=الطاقه المتجدده", 200),
        "empty search": ("/search/?q=كلمة-لا-توجد", 200),
        **{f"site page {slug}": (f"/{slug}/", 200) for slug in SitePage.Slug},
        "404": ("/no-such-page/", 404),
        "410 withdrawn": (withdrawn.get_absolute_url(), 410),
        "sign-up": ("/account/signup/", 200),
        "login": ("/account/login/", 200),
        "password reset": ("/account/password/reset/", 200),
        "save prompt": (f"/account/save/{newsroom.lead.pk}/", 200),
        "follow prompt": (f"/account/following/author/{newsroom.author.pk}/", 200),
    }
    reader = UserFactory(verified=True, name="نور")
    services.save_article(user=reader, article=newsroom.lead)
    services.follow(user=reader, kind="section", target=newsroom.politics)
    services.follow(user=reader, kind="author", target=newsroom.author)
    signed_in = {
        "account": ("/account/", 200),
        "saved articles": ("/account/saved/", 200),
        "for-you": ("/for-you/", 200),
        "article (signed in)": (newsroom.related.get_absolute_url(), 200),
        "newsletters": ("/account/newsletters/", 200),
        "following": ("/account/following/", 200),
        "change e-mail": ("/account/email/", 200),
        "password change": ("/account/password/", 200),
        "delete account": ("/account/delete/", 200),
        "my data": ("/account/data/", 200),
    }

    violations = {}

    def check(pages, wait_until="load"):
        for name, (path, status) in pages.items():
            response = page.goto(url(prefix + path), wait_until=wait_until)
            assert response.status == status, f"{name}: {response.status}"
            if found := axe():
                violations[name] = found

    check(anonymous)
    # The desktop layout has its own grid, navigation and hit targets.
    page.set_viewport_size(DESKTOP)
    check(
        {
            f"{name} (desktop)": anonymous[name]
            for name in ("home", "article", "article with every block")
        }
    )
    page.set_viewport_size(PHONE)
    log_in(reader)
    # What signing in sets, so the script draws the signed-in header; checked
    # once the script's requests are done.
    page.context.add_cookies([{"name": "reader_state", "value": "1", "url": url("/")}])
    check(signed_in, wait_until="networkidle")
    if not prefix:
        page.goto(url("/for-you/"))
        shot("for-you-phone")
    assert violations == {}


def test_tap_targets_are_at_least_24_pixels_on_a_phone(page, url, newsroom, log_in):
    # WCAG 2.5.8: what a thumb presses, measured as the browser lays it out.
    small = {}

    def measure(name, selector):
        sizes = page.locator(selector).evaluate_all(
            """nodes => nodes.filter(n => n.offsetParent !== null).map(n => {
                const box = n.getBoundingClientRect();
                return [Math.round(box.width), Math.round(box.height)];
            })"""
        )
        assert sizes, name
        too_small = [size for size in sizes if min(size) < 24]
        if too_small:
            small[name] = too_small

    page.goto(url("/"))
    measure("account links", "[data-account-nav] a")
    measure("card section links", ".card__section")
    page.goto(url("/account/signup/"))
    measure("sign-up checkboxes", "input[type=checkbox]")
    log_in(UserFactory(verified=True, name="نور"))
    # What signing in sets, so the script asks the state endpoint.
    page.context.add_cookies([{"name": "reader_state", "value": "1", "url": url("/")}])
    page.goto(url("/"))
    # Drawn by the script from the state endpoint.
    page.get_by_role("button", name="خروج").wait_for()
    measure("signed-in links", "[data-account-nav] a")
    measure("sign-out button", "[data-account-nav] button")

    assert small == {}
