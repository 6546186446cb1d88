"""A writer files a story in the back office; an editor publishes it."""

import re

from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.models import User
from articles.models import Article
from tests.factories import UserFactory
from tests.second_factor import authenticator_app, code_for

from .conftest import DESKTOP
from .site_data import jpeg_bytes

HEADLINE = "افتتاح أكبر محطة لتحلية مياه البحر في المنطقة"
BODY_TEXT = "بدأت المحطة الجديدة تزويد مئتي ألف منزل بالمياه العذبة صباح اليوم."


def staff(email, password, group):
    user = UserFactory(
        email=email, password=password, is_staff=True, verified=True, name=email
    )
    user.groups.add(Group.objects.get(name=group))
    authenticator_app(user)
    return user


def admin_login(page, url, email, password):
    page.goto(url("/admin/login/?next=/admin/"))
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("input[type=submit], button[type=submit]").first.click()
    # The second factor: the code the staff member's app shows.
    device = authenticator_app(User.objects.get(email=email))
    page.locator("input[name=code]").fill(code_for(device))
    page.locator("input[type=submit]").first.click()
    expect(page.locator("#user-tools")).to_be_visible()


def pick_autocomplete(page, container, text):
    """Choose `text` in a Django admin autocomplete (select2) inside `container`."""
    container.locator(".select2-selection").click()
    page.locator(".select2-search__field").last.fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def test_writer_submits_a_story_and_an_editor_publishes_it(
    page, url, newsroom, shot, tmp_path, context
):
    writer = staff("writer@example.com", "writer-pass-2026", "الكتّاب")
    staff("editor@example.com", "editor-pass-2026", "المحررون")
    photo = tmp_path / "desalination.jpg"
    photo.write_bytes(jpeg_bytes(dark="#023047", light="#8ecae6"))
    page.set_viewport_size(DESKTOP)

    # The writer files the story.
    admin_login(page, url, "writer@example.com", "writer-pass-2026")
    page.goto(url("/admin/articles/article/add/"))
    page.locator("input[name=headline]").fill(HEADLINE)
    page.locator("textarea[name=standfirst]").fill(
        "المحطة تعمل بالطاقة الشمسية بالكامل."
    )
    editor = page.locator(".ProseMirror[contenteditable=true]").first
    editor.click()
    page.keyboard.type(BODY_TEXT)
    page.locator("input[name=image]").set_input_files(str(photo))
    page.locator("input[name=image_alt]").fill("خزانات المحطة على شاطئ البحر")
    pick_autocomplete(page, page.locator(".field-section"), newsroom.politics.name)
    page.locator("input[name=tags]").fill("مياه، الطاقة المتجددة")
    related_row = page.locator("#related_links-group tr.form-row").first
    pick_autocomplete(page, related_row, newsroom.related.headline[:12])

    # No way to publish: only "draft" and "in review", and no publish action.
    status = page.locator("select[name=status]")
    options = status.locator("option").evaluate_all(
        "options => options.map(option => option.value)"
    )
    assert sorted(options) == [Article.Status.DRAFT, Article.Status.REVIEW]
    status.select_option(Article.Status.REVIEW)
    page.evaluate("window.scrollTo(0, 0)")
    shot("admin-article-desktop")
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist")).to_be_visible()

    article = Article.objects.get(headline=HEADLINE)
    assert article.status == Article.Status.REVIEW
    assert article.created_by == writer
    assert BODY_TEXT in article.body
    assert {t.name for t in article.tags.all()} == {"مياه", "الطاقة المتجددة"}
    assert article.picture and article.picture.renditions
    assert list(article.related.all()) == [newsroom.related]
    # The list the writer lands on offers no publishing action either...
    actions = page.locator("select[name=action] option").evaluate_all(
        "options => options.map(option => option.value)"
    )
    assert "submit_for_review" in actions
    assert "publish_selected" not in actions
    # ...nor does the submitted story's page.
    page.goto(url(f"/admin/articles/article/{article.pk}/change/"))
    expect(page.locator("option[value=published]")).to_have_count(0)

    # The editor publishes it from the list.
    context.clear_cookies()
    admin_login(page, url, "editor@example.com", "editor-pass-2026")
    page.goto(url("/admin/articles/article/?status__exact=review"))
    page.locator(f"input[name=_selected_action][value='{article.pk}']").check()
    page.locator("select[name=action]").select_option("publish_selected")
    page.locator("button[name=index], input[name=index]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("نُشر")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED

    # Readers see it at once on the home page and in its section.
    context.clear_cookies()
    page.goto(url("/"))
    expect(page.locator("main")).to_contain_text(HEADLINE)
    page.goto(url(newsroom.politics))
    page.locator("main a", has_text=HEADLINE).first.click()
    expect(page).to_have_url(re.compile(rf"/{article.pk}-"))
    expect(page.locator(".story__body")).to_contain_text(BODY_TEXT)
    assert page.locator(".story__figure img").evaluate("img => img.naturalWidth") > 0
