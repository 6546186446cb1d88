"""A reader adds a passkey on the account page, signs out, and signs in with
it from the login page: Chromium with a virtual authenticator (the DevTools
protocol's WebAuthn domain), the site's own script (static/js/passkeys.js)."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from accounts.models import Passkey
from tests.factories import UserFactory

SCREENSHOTS = Path("/tmp/shotspasskeys")


@pytest.fixture
def authenticator(context, page):
    """A platform authenticator with user verification (a fingerprint,
    say), which holds discoverable credentials."""
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    cdp.authenticator_id = added["authenticatorId"]
    return cdp


@pytest.fixture
def relying_party(settings, live_server):
    # The live server's origin stands for SITE_URL's.
    settings.PASSKEY_RP_ID = urlsplit(live_server.url).hostname
    settings.PASSKEY_ORIGINS = [live_server.url]


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_reader_adds_a_passkey_then_signs_in_with_it(
    page, url, log_in, authenticator, relying_party
):
    reader = UserFactory(email="layla@example.com", name="ليلى", verified=True)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    log_in(reader)

    # The account page: no passkey yet; the form suggests this browser's name.
    page.goto(url("/account/"))
    add = page.locator("[data-passkey-add]")
    expect(add).to_be_visible()
    expect(page.locator("[data-passkey-unsupported]")).to_be_hidden()
    name = add.locator("input[name=name]")
    expect(name).to_have_value(re.compile(r"Chrome"))
    name.fill("هاتفي")
    add.get_by_role("button", name="أضف مفتاح مرور").click()

    expect(page.locator(".passkey__name")).to_have_text("هاتفي")
    expect(page.get_by_text("أضفنا مفتاح المرور «هاتفي».")).to_be_visible()
    passkey = Passkey.objects.get(user=reader)
    assert passkey.last_used_at is None
    credentials = authenticator.send(
        "WebAuthn.getCredentials", {"authenticatorId": authenticator.authenticator_id}
    )["credentials"]
    assert len(credentials) == 1
    assert credentials[0]["isResidentCredential"]
    page.locator("#passkeys").scroll_into_view_if_needed()
    screenshot(page, "account-passkeys-ar-phone")

    # Sign out, and back: the address field offers the passkey to the
    # browser's autofill (conditional mediation), which the virtual
    # authenticator, always present, accepts at once.
    sign_out(page, url)
    page.goto(url("/account/login/?next=/account/"))
    expect(page.locator("input[name=username]")).to_have_attribute(
        "autocomplete", "username webauthn"
    )
    expect(page).to_have_url(url("/account/"))
    expect(page.locator("h1")).to_have_text("حسابي")
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
    expect(page.locator(".passkey__dates")).not_to_contain_text("لم يُستخدم بعد")

    # A browser without autofill for passkeys: the button asks for one.
    sign_out(page, url)
    page.add_init_script(
        "PublicKeyCredential.isConditionalMediationAvailable ="
        " () => Promise.resolve(false);"
    )
    page.goto(url("/account/login/?next=/account/saved/"))
    button = page.get_by_role("button", name="ادخل بمفتاح مرور")
    expect(button).to_be_visible()
    expect(page).to_have_url(re.compile(r"/account/login/"))
    screenshot(page, "login-ar-phone")
    button.click()
    expect(page).to_have_url(url("/account/saved/"))
    assert Passkey.objects.get(pk=passkey.pk).sign_count >= passkey.sign_count
    assert problems == []


def sign_out(page, url):
    page.get_by_role("button", name="خروج").click()
    page.wait_for_url(url("/"))
