"""Live pages in a browser: an update posted at the desk appears on an open
reader page within the polling window, without moving the text a reader who
scrolled down is reading (static/js/live.js)."""

from datetime import timedelta

from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from articles.live import end_coverage
from tests.factories import ArticleFactory, LiveUpdateFactory, UserFactory
from tests.second_factor import pass_second_factor

from .conftest import DESKTOP

# Open pages ask every 8 s; the promise is "about 10 seconds".
WITHIN_MS = 12_000


def live_story(count=0):
    story = ArticleFactory(
        live=True,
        headline="تغطية مباشرة: العاصفة تضرب الساحل",
        published_at=timezone.now() - timedelta(hours=2),
    )
    now = timezone.now()
    for n in range(count):
        LiveUpdateFactory(
            article=story,
            title=f"تحديث رقم {n + 1}",
            body="<p>" + "تفاصيل من الميدان عن حركة السير والإغاثة. " * 12 + "</p>",
            published_at=now - timedelta(minutes=count - n),
        )
    return story


def editor_page(browser, live_server):
    user = UserFactory(is_staff=True, verified=True, name="محررة المناوبة")
    user.groups.add(Group.objects.get(name="المحررون"))
    client = Client()
    client.force_login(user)
    pass_second_factor(client, user)
    context = browser.new_context(viewport=DESKTOP, locale="ar")
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def test_an_update_posted_at_the_desk_appears_on_an_open_reader_page(
    page, browser, url, live_server, axe, shot
):
    story = live_story(count=3)
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.goto(url(story))
    expect(page.locator(".live-update")).to_have_count(3)

    desk = editor_page(browser, live_server)
    desk.goto(url(f"/admin/articles/liveupdate/desk/{story.pk}/"))
    desk_errors = []
    desk.on("pageerror", lambda error: desk_errors.append(error))
    desk.locator("input[name=title]").fill("انقطاع الكهرباء عن ثلاثة أحياء")
    desk.locator(".ProseMirror[contenteditable=true]").first.fill(
        "أعلنت شركة الكهرباء انقطاع التيار عن ثلاثة أحياء ساحلية."
    )
    desk.locator("input[name=is_key_point]").check()
    desk.locator("input[type=submit][value='انشر التحديث']").click()
    expect(desk.locator(".messagelist")).to_contain_text("نُشر التحديث.")
    assert desk_errors == []
    desk.context.close()

    newest = page.locator(".live-update").first
    expect(newest).to_contain_text("انقطاع الكهرباء عن ثلاثة أحياء", timeout=WITHIN_MS)
    expect(page.locator(".live-update")).to_have_count(4)
    # A key point: the summary on top gains it too.
    expect(page.locator(".live-summary")).to_contain_text("انقطاع الكهرباء")
    # The reader at the top gets it in place, not behind a button.
    expect(page.locator(".live__new")).to_have_count(0)
    assert axe() == []
    assert errors == []
    shot("live-page-phone")


def test_a_reader_who_scrolled_down_keeps_their_place_and_gets_a_button(page, url):
    story = live_story(count=8)
    page.goto(url(story))
    sixth = story.live_updates.order_by("-published_at")[5]
    reading = page.locator(f"#update-{sixth.pk}")
    reading.scroll_into_view_if_needed()
    page.evaluate("() => window.scrollBy(0, 40)")
    before = reading.bounding_box()["y"]

    LiveUpdateFactory(article=story, title="عاجل: إغلاق الميناء")

    button = page.locator(".live__new")
    expect(button).to_be_visible(timeout=WITHIN_MS)
    expect(button).to_have_text("تحديث جديد")
    # What the reader was reading has not moved.
    assert abs(reading.bounding_box()["y"] - before) < 2

    button.click()
    first = page.locator(".live-update").first
    expect(first).to_contain_text("عاجل: إغلاق الميناء")
    expect(first).to_be_in_viewport()
    expect(button).to_have_count(0)


def test_edits_and_deletions_reach_open_pages_and_the_end_stops_polling(page, url):
    story = live_story(count=3)
    page.goto(url(story))
    updates = page.locator(".live-update")
    expect(updates).to_have_count(3)
    first, _, last = list(story.live_updates.order_by("published_at"))

    last.title = "تحديث مصحح"
    last.save()
    first.delete()

    expect(updates.first).to_contain_text("تحديث مصحح", timeout=WITHIN_MS)
    expect(updates).to_have_count(2)

    end_coverage(story)
    expect(page.locator(".live__ended")).to_be_visible(timeout=WITHIN_MS)
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/updates/" in r.url else None)
    page.wait_for_timeout(10_000)
    assert asked == []


def set_hidden(page, hidden):
    page.evaluate(
        """hidden => {
            for (const [name, value] of [["hidden", hidden],
                                         ["visibilityState", hidden ? "hidden" : "visible"]]) {
                Object.defineProperty(document, name, {configurable: true, get: () => value});
            }
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        hidden,
    )


def test_a_hidden_tab_asks_rarely_and_catches_up_when_shown(page, url):
    story = live_story(count=1)
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/updates/" in r.url else None)
    page.goto(url(story))
    page.wait_for_load_state("networkidle")

    set_hidden(page, True)
    page.wait_for_timeout(500)  # a request already on its way may finish
    asked.clear()
    page.wait_for_timeout(17_000)  # two visible intervals
    assert asked == []

    LiveUpdateFactory(article=story, title="وصول فرق الإغاثة")
    set_hidden(page, False)
    expect(page.locator(".live-update").first).to_contain_text(
        "وصول فرق الإغاثة", timeout=3_000
    )
