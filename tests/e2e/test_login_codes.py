"""Signing in with an e-mailed code on a phone: from a save, through the
login page's "email me a code", back on the article, saved; and the same
message's link, opened in the mail app's browser."""

import re
from pathlib import Path
from urllib.parse import urlsplit

from django.core import mail
from playwright.sync_api import expect

from accounts.models import SavedArticle
from tests.factories import UserFactory

from .conftest import PHONE

SHOTS = Path("/tmp/shotscodes")
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _last_mail_to(email):
    [message] = [m for m in mail.outbox if email in m.to][-1:]
    return message


def test_a_reader_saves_an_article_by_signing_in_with_a_code(
    page, url, newsroom, axe, assert_rtl_no_sideways_scroll
):
    user = UserFactory(email="nour@example.com", name="نور الهدى", verified=True)
    article = newsroom.lead
    page.goto(url(article))
    page.locator(".story__tools .toggle-button--save").click()
    page.get_by_role("link", name="لديّ حساب: دخول").click()
    expect(page.locator("h1")).to_have_text("تسجيل الدخول")

    page.get_by_role("link", name="أرسل لي رمزًا").click()
    expect(page.locator("h1")).to_have_text("الدخول برمز")
    expect(page.locator(".auth-notice")).to_contain_text(article.headline)
    page.get_by_label("البريد الإلكتروني").fill(user.email)
    page.get_by_role("button", name="أرسل لي رمزًا").click()

    expect(page.locator("h1")).to_have_text("اكتب رمز الدخول")
    expect(page.locator(".auth-page bdi")).to_have_text(user.email)
    code_field = page.get_by_label("الرمز")
    expect(code_field).to_be_focused()
    expect(code_field).to_have_attribute("autocomplete", "one-time-code")
    expect(code_field).to_have_attribute("inputmode", "numeric")
    assert_rtl_no_sideways_scroll()
    assert axe() == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "login-code-enter-phone-ar.png"))

    # A wrong code first: the page says so and keeps the reader on it.
    [code] = re.findall(r"^(\d{6})$", _last_mail_to(user.email).body, re.M)
    code_field.fill(f"{(int(code) + 1) % 10**6:06d}")
    page.get_by_role("button", name="ادخل", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text("غير صحيح")
    page.screenshot(path=str(SHOTS / "login-code-wrong-phone-ar.png"))

    # Then the right one, as an Arabic keyboard types it.
    page.get_by_label("الرمز").fill(code.translate(ARABIC_DIGITS))
    page.get_by_role("button", name="ادخل", exact=True).click()
    expect(page).to_have_url(url(article))
    expect(page.locator(".messages")).to_contain_text("حفظنا المقال")
    expect(page.locator(".story__tools button[aria-pressed]")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("[data-account-nav]")).to_contain_text("نور")
    assert SavedArticle.objects.filter(user=user, article=article).exists()


def test_the_link_in_the_message_signs_in_only_with_its_button(
    page, browser, url, live_server
):
    user = UserFactory(email="karim@example.com", name="كريم", verified=True)
    page.goto(url("/account/login/code/"))
    page.get_by_label("البريد الإلكتروني").fill(user.email)
    page.get_by_role("button", name="أرسل لي رمزًا").click()
    expect(page.locator("h1")).to_have_text("اكتب رمز الدخول")

    link = re.search(
        r"https?://\S+/account/login/link/\S+?/", _last_mail_to(user.email).body
    )
    assert link
    path = urlsplit(link.group(0)).path

    SHOTS.mkdir(parents=True, exist_ok=True)
    mail_app = browser.new_context(viewport=PHONE, locale="ar")
    other = mail_app.new_page()
    # A scanner's fetch, then the reader's: neither spends the link.
    assert other.request.get(live_server.url + path).status == 200
    other.goto(live_server.url + path)
    expect(other.locator("h1")).to_have_text("الدخول إلى حسابك")
    expect(other.locator("[data-account-nav]")).not_to_contain_text("كريم")
    other.screenshot(path=str(SHOTS / "login-link-phone-ar.png"))
    other.get_by_role("button", name="ادخل إلى حسابي").click()
    expect(other).to_have_url(url("/"))
    expect(other.locator("[data-account-nav]")).to_contain_text("كريم")

    # Used: the same link again is a dead link.
    again = other.goto(live_server.url + path)
    assert again.status == 400
    mail_app.close()
