"""A first visit in a real browser: save through sign-up, confirm the address
from the mail app (another browser), land back on the article, which says it
was saved; the site pages the sign-up links to; the reader's data."""

import json
import re
from urllib.parse import urlsplit

from django.core import mail
from playwright.sync_api import expect

from accounts.models import SavedArticle, User
from accounts.newsletters.models import Newsletter, Subscription
from tests.factories import UserFactory

from .conftest import ARTIFACTS, DESKTOP, PHONE


def test_save_through_sign_up_then_the_mail_apps_browser_lands_on_the_article(
    page, browser, url, newsroom, live_server, shot
):
    article = newsroom.lead
    page.goto(url(article))
    page.locator(".story__tools .toggle-button--save").click()
    page.get_by_role("link", name="أنشئ حسابًا").last.click()
    expect(page.locator("h1")).to_have_text("أنشئ حسابك")

    # The consent line links the terms it records.
    consent = page.locator("label[for=id_consent]")
    expect(consent.get_by_role("link", name="شروط الاستخدام")).to_have_attribute(
        "href", "/terms/"
    )
    expect(consent.get_by_role("link", name="سياسة الخصوصية")).to_have_attribute(
        "href", "/privacy/"
    )
    page.get_by_label("الاسم").fill("سلمى يوسف")
    page.get_by_label("البريد الإلكتروني").fill("salma@example.com")
    page.get_by_label("كلمة المرور").fill("zaytoun-wa-teen-2026")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="أنشئ الحساب").click()
    expect(page).to_have_url(url(article))
    expect(page.locator(".messages")).to_contain_text("أرسلنا رسالة")
    user = User.objects.get(email="salma@example.com")
    assert user.terms_version == 1

    # The link opens in the phone's mail app: another browser, no session.
    [message] = [m for m in mail.outbox if "salma@example.com" in m.to]
    link = re.search(r"https?://\S+/account/verify-email/\S+?/", message.body)
    assert link, message.body
    mail_app = browser.new_context(viewport=PHONE, locale="ar")
    other = mail_app.new_page()
    other.goto(live_server.url + urlsplit(link.group(0)).path)
    other.get_by_role("button", name="أكّد بريدي وادخل").click()

    expect(other).to_have_url(url(article))
    messages = other.locator(".messages")
    expect(messages).to_contain_text("تأكدنا من بريدك الإلكتروني")
    expect(messages).to_contain_text("حفظنا المقال في قائمة محفوظاتك")
    expect(other.locator(".story__tools button[aria-pressed]")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(other.locator("[data-account-nav]")).to_contain_text("سلمى")
    other.evaluate("window.scrollTo(0, 0)")
    other.screenshot(path=str(_artifact("first-visit-saved-phone")))
    assert SavedArticle.objects.filter(user=user, article=article).exists()
    mail_app.close()


def test_site_pages_read_right_to_left_from_the_footer(
    page, url, newsroom, shot, axe, assert_rtl_no_sideways_scroll
):
    page.goto(url("/"))
    page.locator(".site-footer").get_by_role("link", name="شروط الاستخدام").click()

    expect(page).to_have_url(url("/terms/"))
    expect(page.locator("h1")).to_have_text("شروط الاستخدام")
    expect(page.locator(".site-page__version")).to_contain_text("الإصدار 1")
    assert_rtl_no_sideways_scroll()
    assert axe() == []
    shot("site-page-terms-phone", full_page=True)

    page.goto(url("/en/privacy/"))
    expect(page.locator("h1")).to_have_text("Privacy policy")
    assert page.get_attribute("html", "dir") == "ltr"


def test_the_reader_reads_and_downloads_their_data(
    page, url, newsroom, log_in, shot, axe, assert_rtl_no_sideways_scroll
):
    reader = UserFactory(verified=True, name="نور", terms_version=1)
    SavedArticle.objects.create(user=reader, article=newsroom.lead)
    newsletter = Newsletter.objects.first()
    Subscription.objects.create(
        user=reader,
        newsletter=newsletter,
        source=Subscription.Source.SIGNUP,
        confirmed_at=reader.email_verified_at,
    )
    log_in(reader)

    page.goto(url("/account/"))
    page.get_by_role("link", name="اطّلع على بياناتك ونزّلها").click()

    expect(page.locator("h1")).to_have_text("بياناتك")
    expect(page.locator("main")).to_contain_text(newsroom.lead.headline)
    expect(page.locator("main")).to_contain_text(newsletter.name)
    assert_rtl_no_sideways_scroll()
    assert axe() == []
    shot("my-data-phone", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="نزّل بياناتك (JSON)").click()
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert data["email"]["address"] == reader.email
    assert [s["headline"] for s in data["saved_articles"]] == [newsroom.lead.headline]


def _artifact(name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"


def test_an_editor_rewrites_a_page_in_the_admins_editor(page, url, newsroom, shot):
    from articles.models import SitePage

    from .test_admin_journey import admin_login, staff

    staff("pages@example.com", "pages-pass-2026", "المحررون")
    about = SitePage.objects.get(slug="about")
    page.set_viewport_size(DESKTOP)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    admin_login(page, url, "pages@example.com", "pages-pass-2026")

    page.goto(url(f"/admin/articles/sitepage/{about.pk}/change/"))
    editors = page.locator(".ProseMirror[contenteditable=true]")
    expect(editors).to_have_count(2)  # Arabic and English
    # The toolbar speaks Arabic, and offers no story blocks.
    expect(page.locator(".prose-menubar").first).not_to_contain_text("صورة")
    editors.first.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("نرحب بملاحظاتكم دائمًا.")
    shot("admin-site-page-desktop")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_be_visible()

    about.refresh_from_db()
    assert "نرحب بملاحظاتكم دائمًا." in about.body
    assert about.version == 2
    assert not [e for e in errors if "Content Security Policy" in e]
    page.goto(url("/about/"))
    expect(page.locator(".site-page__body")).to_contain_text("نرحب بملاحظاتكم دائمًا.")
