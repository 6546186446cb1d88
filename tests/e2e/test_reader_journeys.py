"""What a reader does on the site, in a real browser, at phone and desktop sizes."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import SavedArticle, User
from accounts.newsletters.delivery import deliver_issue
from accounts.newsletters.models import (
    IssueArticle,
    Newsletter,
    NewsletterIssue,
    Subscription,
)
from tests.factories import UserFactory

from .conftest import DESKTOP, PHONE

VIEWPORTS = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])


def size_name(size):
    return "phone" if size == PHONE else "desktop"


@VIEWPORTS
def test_reader_follows_lead_story_tag_author_and_related_headline(
    page, url, newsroom, shot, assert_rtl_no_sideways_scroll, size
):
    page.set_viewport_size(size)
    name = size_name(size)
    lead, related = newsroom.lead, newsroom.related

    page.goto(url("/"))
    assert_rtl_no_sideways_scroll()
    page.locator(".front__lead .card__title a").click()

    expect(page).to_have_url(url(lead))
    expect(page.locator("h1")).to_have_text(lead.headline)
    expect(page.locator(".story__body")).to_contain_text("ما الذي تتضمنه الخطة؟")
    # The picture loaded (its rendition is served, not a broken image).
    assert page.locator(".story__figure img").evaluate("img => img.naturalWidth") > 0
    shot(f"article-{name}")
    assert_rtl_no_sideways_scroll()

    page.locator(".story__tags a", has_text="الطاقة المتجددة").click()
    expect(page).to_have_url(url(newsroom.tag))
    expect(page.locator("h1")).to_have_text("الطاقة المتجددة")
    expect(page.locator("main")).to_contain_text(related.headline)
    assert_rtl_no_sideways_scroll()
    shot(f"tag-{name}")
    page.go_back()

    page.locator(".story .byline a", has_text=newsroom.author.name).click()
    expect(page).to_have_url(url(newsroom.author))
    expect(page.locator("h1")).to_contain_text(newsroom.author.name)
    expect(page.locator("main")).to_contain_text(lead.headline)
    assert_rtl_no_sideways_scroll()
    shot(f"author-{name}")
    page.go_back()

    page.locator(".related a", has_text=related.headline).first.click()
    expect(page).to_have_url(url(related))
    expect(page.locator("h1")).to_have_text(related.headline)
    assert_rtl_no_sideways_scroll()

    page.goto(url(newsroom.politics))
    expect(page.locator("main")).to_contain_text(lead.headline)
    assert_rtl_no_sideways_scroll()
    shot(f"section-{name}")


def test_anonymous_save_survives_signup_and_toggles_in_place(
    page, url, newsroom, shot, live_server
):
    article = newsroom.lead
    page.goto(url(article))
    page.locator(".story__tools .toggle-button--save").click()

    # The prompt explains why an account is needed, then sign-up.
    expect(page.locator("h1")).to_have_text("احفظ هذا المقال لتقرأه لاحقًا")
    page.get_by_role("link", name="أنشئ حسابًا").last.click()
    expect(page.locator("h1")).to_have_text("أنشئ حسابك")
    page.get_by_label("الاسم").fill("هالة يوسف")
    page.get_by_label("البريد الإلكتروني").fill("hala@example.com")
    page.get_by_label("كلمة المرور").fill("zaytoun-wa-teen-2026")
    page.locator("input[name=consent]").check()
    page.evaluate("window.scrollTo(0, 0)")
    shot("signup-phone")
    page.get_by_role("button", name="أنشئ الحساب").click()

    # Back on the article, not signed in yet: the answer must be the same
    # for an address that already has an account.
    expect(page).to_have_url(url(article))
    expect(page.locator(".messages")).to_contain_text("أرسلنا رسالة")
    expect(page.locator("[data-account-nav]")).not_to_contain_text("هالة")
    user = User.objects.get(email="hala@example.com")
    assert user.email_verified_at is None
    assert not SavedArticle.objects.filter(user=user).exists()

    # The link in the e-mail confirms the address, signs her in and saves the
    # article she asked for, back where she was. The page is the one every
    # reader gets; the state endpoint fills in the reader.
    [message] = [m for m in mail.outbox if "hala@example.com" in m.to]
    link = re.search(r"https?://\S+/account/verify-email/\S+?/", message.body)
    assert link, message.body
    page.goto(live_server.url + urlsplit(link.group(0)).path)
    page.get_by_role("button", name="أكّد بريدي وادخل").click()
    expect(page).to_have_url(url(article))
    expect(page.locator(".messages")).to_contain_text("تأكدنا من بريدك الإلكتروني")
    save_button = page.locator(".story__tools button[aria-pressed]")
    expect(save_button).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-account-nav]")).to_contain_text("هالة")
    expect(page.locator(".invite")).to_be_hidden()
    user.refresh_from_db()
    assert user.email_verified_at is not None

    page.goto(url("/account/saved/"))
    expect(page.locator("main")).to_contain_text(article.headline)
    shot("saved-phone")

    page.locator("main a", has_text=article.headline).first.click()
    expect(page).to_have_url(url(article))
    expect(save_button).to_have_attribute("aria-pressed", "true")

    # Unsave in place: the page is not reloaded (the marker survives).
    page.evaluate("window.__noReload = 'still here'")
    save_button.click()
    expect(save_button).to_have_attribute("aria-pressed", "false")
    expect(save_button).not_to_have_attribute("aria-busy", "true")
    assert page.evaluate("window.__noReload") == "still here"
    assert not SavedArticle.objects.filter(user=user, article=article).exists()

    # And back again, still in place.
    save_button.click()
    expect(save_button).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.__noReload") == "still here"
    assert SavedArticle.objects.filter(user=user, article=article).exists()

    # Signing out from the menu the script drew (its form carries the token).
    page.get_by_role("button", name="خروج").click()
    expect(page.locator("[data-account-nav]")).to_contain_text("دخول")
    expect(page.locator(".story__tools a.toggle-button--save")).to_have_count(0)


def test_without_script_a_signed_in_reader_saves_through_the_prompt_page(
    browser, url, newsroom, live_server
):
    user = UserFactory(email="noscript@example.com")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(url("/account/login/"))
    page.get_by_label("البريد الإلكتروني").fill(user.email)
    page.get_by_label("كلمة المرور").fill("correct-horse-battery")
    page.locator("main form button[type=submit]").click()

    article = newsroom.lead
    page.goto(url(article))
    page.locator(".story__tools a.toggle-button--save").click()  # a plain link
    expect(page.locator("h1")).to_have_text("احفظ هذا المقال لتقرأه لاحقًا")
    page.locator("main button[aria-pressed=false]").click()

    expect(page.locator(".messages")).to_contain_text("حُفظ المقال")
    expect(page.locator("main button[aria-pressed=true]")).to_be_visible()
    assert SavedArticle.objects.filter(user=user, article=article).exists()
    page.get_by_role("link", name="عُد إلى الصفحة").click()
    expect(page).to_have_url(url(article))
    context.close()


@VIEWPORTS
def test_search_finds_a_headline_typed_without_hamza_and_with_haa(
    page, url, newsroom, shot, assert_rtl_no_sideways_scroll, size
):
    page.set_viewport_size(size)
    target = newsroom.search_target
    page.goto(url("/"))
    search_box = page.locator("#site-search-q")
    # "الأسواق المالية" as people often type it: bare alif, ه for ة.
    search_box.fill("الاسواق الماليه")
    search_box.press("Enter")

    expect(page).to_have_url(re.compile(r"/search/\?q="))
    first = page.locator(".search-result__title a").first
    expect(first).to_have_text(target.headline)
    assert_rtl_no_sideways_scroll()
    shot(f"search-{size_name(size)}")
    first.click()
    expect(page).to_have_url(url(target))
    expect(page.locator("h1")).to_have_text(target.headline)


def test_reader_manages_newsletters_and_unsubscribes_from_an_email(
    page, url, log_in, shot, live_server, newsroom
):
    reader = UserFactory(verified=True, name="مريم", email="maryam@example.com")
    log_in(reader)
    daily = Newsletter.objects.create(
        name="حصاد المساء",
        slug="حصاد-المساء",
        description="أهم أخبار الليلة في رسالة واحدة قبل السابعة صباحًا.",
        cadence=Newsletter.Cadence.DAILY,
    )
    weekly = Newsletter.objects.create(
        name="قراءات الأسبوع",
        slug="قراءات-الأسبوع",
        description="تحليلات ومقالات رأي مختارة كل جمعة.",
        cadence=Newsletter.Cadence.WEEKLY,
    )

    page.goto(url("/account/newsletters/"))
    expect(page.locator("h1")).to_have_text("النشرات البريدية")
    page.get_by_label(daily.name, exact=True).check()
    page.get_by_label(weekly.name, exact=True).check()
    page.get_by_role("button", name="حفظ الاختيارات").click()
    expect(page.get_by_label(daily.name, exact=True)).to_be_checked()
    shot("newsletters-phone")
    live = Subscription.objects.live().filter(user=reader)
    assert set(live.values_list("newsletter", flat=True)) == {daily.pk, weekly.pk}

    # Change of mind: the weekly letter goes.
    page.get_by_label(weekly.name, exact=True).uncheck()
    page.get_by_role("button", name="حفظ الاختيارات").click()
    expect(page.get_by_label(weekly.name, exact=True)).not_to_be_checked()
    assert list(live.values_list("newsletter", flat=True)) == [daily.pk]

    # An issue of the daily letter is delivered...
    issue = NewsletterIssue.objects.create(
        newsletter=daily, subject="موجز الصباح", intro="صباح الخير."
    )
    IssueArticle.objects.create(issue=issue, article=newsroom.lead, position=0)
    mail.outbox.clear()
    deliver_issue(issue)
    [message] = [m for m in mail.outbox if reader.email in m.to]
    unsubscribe = re.search(r"https?://\S+/newsletters/unsubscribe/\S+?/", message.body)
    assert unsubscribe, message.body

    # ...and its link asks before it unsubscribes (a GET changes nothing).
    page.context.clear_cookies()
    page.goto(live_server.url + urlsplit(unsubscribe.group(0)).path)
    expect(page.locator("h1")).to_have_text("إلغاء الاشتراك")
    expect(page.locator("main")).to_contain_text(daily.name)
    assert live.exists()
    shot("unsubscribe-phone")
    page.get_by_role("button", name="نعم، ألغِ اشتراكي").click()
    expect(page.locator("main")).to_contain_text("أُلغي اشتراكك")
    assert not live.exists()
