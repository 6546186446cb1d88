"""Pictures, galleries and posts inside a story: put in place in the editor,
swiped through on a phone."""

from django.contrib.auth.models import Group
from playwright.sync_api import expect

from articles.images import make_renditions
from articles.models import Article
from tests.factories import ArticleFactory, PictureFactory, UserFactory

from .conftest import DESKTOP
from .test_admin_journey import pick_autocomplete

YOUTUBE = "https://youtu.be/dQw4w9WgXcQ"
HEADLINE = "الميناء يستقبل أكبر سفينة حاويات"


def library_pictures(count):
    pictures = [
        PictureFactory(caption=f"لقطة رقم {n} من الميناء", credit="وكالة الأنباء")
        for n in range(1, count + 1)
    ]
    for picture in pictures:
        make_renditions(picture)
    return pictures


def choose_in_library(page, picture):
    """Pick `picture` in the media library's lookup popup (Django admin's)."""
    with page.expect_popup() as opened:
        page.get_by_role("button", name="اختر من المكتبة").click()
    popup = opened.value
    # Django's popup closes itself once it has handed the id over.
    popup.locator(f"a[data-popup-opener='{picture.pk}']").first.click()


def test_an_editor_puts_a_gallery_and_a_post_in_a_story(
    page, url, newsroom, log_in, shot
):
    editor = UserFactory(is_staff=True, verified=True, name="رئيسة التحرير")
    editor.groups.add(Group.objects.get(name="المحررون"))
    first, second, third = library_pictures(3)
    log_in(editor)
    page.set_viewport_size(DESKTOP)

    page.goto(url("/admin/articles/article/add/"))
    page.locator("input[name=headline]").fill(HEADLINE)
    pick_autocomplete(page, page.locator(".field-section"), newsroom.politics.name)
    toolbar = page.locator(".field-body .prose-menubar")
    # The editor's own buttons speak Arabic too.
    expect(toolbar.locator("[data-name=bold]")).to_have_attribute("title", "غامق")
    page.locator(".ProseMirror[contenteditable=true]").first.click()
    page.keyboard.type("رست السفينة فجر اليوم.")

    # A gallery: two pictures chosen in the library, one typed by number.
    toolbar.get_by_role("button", name="صورة أو معرض من المكتبة").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("صور من المكتبة")
    ids = dialog.get_by_label("أرقام الصور")
    choose_in_library(page, first)
    expect(ids).to_have_value(str(first.pk))
    choose_in_library(page, second)
    expect(ids).to_have_value(f"{first.pk},{second.pk}")
    ids.press("End")
    ids.type(f"، {third.pk}")
    dialog.get_by_role("button", name="أدرج").click()
    gallery = page.locator(".ProseMirror .nr-block--picture")
    expect(gallery).to_contain_text("معرض صور (3)")
    expect(gallery.locator("img")).to_have_count(3)
    expect(gallery).to_contain_text("لقطة رقم 2 من الميناء — وكالة الأنباء")

    # A post from another site, by its address.
    toolbar.get_by_role("button", name="تضمين منشور").click()
    page.locator("dialog[open]").get_by_label("رابط المنشور").fill(YOUTUBE)
    page.locator("dialog[open]").get_by_role("button", name="أدرج").click()
    embed = page.locator(".ProseMirror .nr-block--embed")
    expect(embed).to_contain_text("يُتحقَّق منه عند الحفظ")

    page.locator("input[name=_continue]").first.click()
    expect(page.locator(".messagelist")).to_be_visible()

    article = Article.objects.get(headline=HEADLINE)
    assert (
        f'<figure class="picture" data-picture="{first.pk},{second.pk},{third.pk}">'
        in article.body
    )
    assert 'data-provider="youtube" data-id="dQw4w9WgXcQ"' in article.body
    # Opened again, the blocks are in place, the post now recognised.
    expect(embed).to_contain_text("منشور من يوتيوب")
    expect(gallery.locator("img")).to_have_count(3)
    assert all(
        gallery.locator("img").evaluate_all("imgs => imgs.map(i => i.naturalWidth)")
    )
    gallery.scroll_into_view_if_needed()
    shot("admin-editor-blocks-desktop")


def swipe(page, box, distance, steps=10):
    """A finger drawn across the middle of `box`, `distance` pixels to the
    right, through Chromium's touch input (what a phone sends), at a finger's
    pace: a frame between moves, so a loaded machine still sees a drag."""
    session = page.context.new_cdp_session(page)
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    touch = "Input.dispatchTouchEvent"
    session.send(touch, {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, steps + 1):
        page.wait_for_timeout(16)
        point = {"x": x + distance * step / steps, "y": y}
        session.send(touch, {"type": "touchMove", "touchPoints": [point]})
    session.send(touch, {"type": "touchEnd", "touchPoints": []})
    session.detach()


def swipe_until(page, strip, distance, arrived):
    """Swipe, and swipe again as a reader would if a busy machine dropped the
    gesture (the strip did not move at all); then wait for `arrived`."""
    for _ in range(3):
        before = strip.evaluate("s => s.scrollLeft")
        swipe(page, strip.bounding_box(), distance)
        page.wait_for_timeout(1000)
        if strip.evaluate("s => s.scrollLeft") != before:
            break
    page.wait_for_function(arrived)


def test_a_gallery_swipes_picture_by_picture_on_a_phone(browser, url, live_server):
    pictures = library_pictures(3)
    ids = ",".join(str(p.pk) for p in pictures)
    article = ArticleFactory(
        body=f'<p>مقدمة.</p><figure class="picture" data-picture="{ids}"></figure>'
    )
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    page.goto(url(article))
    page.wait_for_load_state("networkidle")
    strip = page.locator(".gallery__strip")
    strip.scroll_into_view_if_needed()
    items = page.locator(".gallery__item")
    expect(items).to_have_count(3)

    def in_view(index):
        return items.nth(index).evaluate(
            """item => {
                const box = item.getBoundingClientRect();
                return box.left >= -1 && box.right <= window.innerWidth + 1;
            }"""
        )

    assert in_view(0) and not in_view(1)
    # The strip scrolls, not the page.
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth"
    )

    # A finger swiping from left to right: in a right-to-left strip the next
    # picture comes in from the left, and the strip snaps to it.
    swipe_until(
        page,
        strip,
        150,
        """() => {
            const strip = document.querySelector('.gallery__strip');
            const item = document.querySelectorAll('.gallery__item')[1];
            const a = strip.getBoundingClientRect(), b = item.getBoundingClientRect();
            return Math.abs(a.right - b.right) < 2;
        }""",
    )
    assert in_view(1) and not in_view(0)
    expect(items.nth(1)).to_contain_text("2 من 3")
    expect(items.nth(1)).to_contain_text("لقطة رقم 2 من الميناء")

    # And back.
    swipe_until(
        page,
        strip,
        -150,
        "() => document.querySelector('.gallery__strip').scrollLeft === 0",
    )
    assert in_view(0) and not in_view(1)
    context.close()
