"""axe-core finds nothing serious or critical on the pages readers use."""

from accounts import services
from tests.factories import CorrectionFactory, UserFactory

from .conftest import DESKTOP, PHONE


def test_reader_pages_have_no_serious_accessibility_violations(
    page, url, newsroom, axe, log_in, shot
):
    CorrectionFactory(article=newsroom.lead)  # the story page shows its notes
    anonymous = {
        "home": "/",
        "section": newsroom.politics.get_absolute_url(),
        "article": newsroom.lead.get_absolute_url(),
        "tag": newsroom.tag.get_absolute_url(),
        "author": newsroom.author.get_absolute_url(),
        "corrections": "/corrections/",
        "search": "/search/?q=الطاقة",
        "empty search": "/search/?q=كلمة-لا-توجد",
        "sign-up": "/account/signup/",
        "login": "/account/login/",
    }
    reader = UserFactory(verified=True, name="نور")
    services.save_article(user=reader, article=newsroom.lead)
    services.follow(user=reader, kind="section", target=newsroom.politics)
    services.follow(user=reader, kind="author", target=newsroom.author)
    signed_in = {
        "saved articles": "/account/saved/",
        "for-you": "/for-you/",
        "article (signed in)": newsroom.related.get_absolute_url(),
        "newsletters": "/account/newsletters/",
        "following": "/account/following/",
    }

    violations = {}

    def check(pages):
        for name, path in pages.items():
            response = page.goto(url(path))
            assert response.status == 200, f"{name}: {response.status}"
            if found := axe():
                violations[name] = found

    check(anonymous)
    # The desktop layout has its own grid, navigation and hit targets.
    page.set_viewport_size(DESKTOP)
    check({f"{name} (desktop)": anonymous[name] for name in ("home", "article")})
    page.set_viewport_size(PHONE)
    log_in(reader)
    check(signed_in)
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
