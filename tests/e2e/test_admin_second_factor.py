"""A new editor signs in to the back office: password, an authenticator app
set up from the page's secret, recovery codes; later, a code from the app, a
mistyped one, and a recovery code when the phone is elsewhere."""

import re
import time
from base64 import b32decode

from django.contrib.auth.models import Group
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.factories import UserFactory

from .conftest import DESKTOP

EMAIL, PASSWORD = "new.editor@example.com", "editor-pass-2026"


def app_code(secret, *, steps=0):
    """What an authenticator app shows for the secret the page printed."""
    key = b32decode(secret.replace(" ", ""))
    return f"{totp(key, t0=-steps * 30):06d}" if steps else f"{totp(key):06d}"


def password_step(page, url):
    page.goto(url("/admin/articles/article/"))
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.locator("input[name=username]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[type=submit]").click()


def test_an_editor_sets_up_an_app_then_signs_in_with_a_code(
    page, url, shot, context, assert_rtl_no_sideways_scroll
):
    editor = UserFactory(email=EMAIL, password=PASSWORD, is_staff=True, verified=True)
    editor.groups.add(Group.objects.get(name="المحررون"))
    page.set_viewport_size(DESKTOP)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    # A request the next page's navigation cancels is no failure.
    page.on(
        "requestfailed",
        lambda r: (
            None
            if "ERR_ABORTED" in (r.failure or "")
            else problems.append(f"failed: {r.url} {r.failure}")
        ),
    )

    # First sign-in: no app yet, so the page sets one up.
    password_step(page, url)
    expect(page).to_have_url(re.compile(r"/admin/second-factor/setup/"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    qr = page.locator("svg.nr-qr")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 150  # big enough to scan
    secret = page.locator(".nr-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4}){7}", secret)
    shot("admin-second-factor-setup-desktop")
    assert_rtl_no_sideways_scroll()  # a phone's width too

    page.locator("input[name=code]").fill(app_code(secret))
    page.locator("input[type=submit]").click()

    # Ten recovery codes, once; then the story list the editor asked for.
    expect(page).to_have_url(re.compile(r"/admin/second-factor/recovery-codes/"))
    codes = page.locator(".nr-recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    shot("admin-second-factor-recovery-codes-desktop")
    page.get_by_role("link", name="حفظتها، تابع").click()
    expect(page).to_have_url(re.compile(r"/admin/articles/article/$"))
    expect(page.locator("#user-tools")).to_contain_text("التحقق بخطوتين")

    # Next time: the password, then the code step.
    context.clear_cookies()
    password_step(page, url)
    expect(page).to_have_url(re.compile(r"/admin/second-factor/\?next="))
    expect(page.locator("input[name=code]")).to_be_focused()
    shot("admin-second-factor-code-desktop")
    wrong = "000000" if app_code(secret) != "000000" else "111111"
    page.locator("input[name=code]").fill(wrong)
    page.locator("input[type=submit]").click()
    expect(page.locator(".errornote")).to_contain_text("الرمز غير صحيح")
    shot("admin-second-factor-wrong-code-desktop")
    time.sleep(1.1)  # the app's backoff after a wrong code

    # The phone is elsewhere: a recovery code, typed as printed.
    page.locator("input[name=code]").fill(codes[0])
    page.locator("input[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/articles/article/$"))
    expect(page.locator(".messagelist")).to_contain_text(
        "رموز الاسترداد الباقية لديك: 9."
    )

    # And with the app again, from another browser session.
    context.clear_cookies()
    password_step(page, url)
    page.locator("input[name=code]").fill(app_code(secret, steps=1))
    page.locator("input[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/articles/article/$"))
    assert problems == []
