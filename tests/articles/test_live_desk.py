"""The live desk in the admin: posting, reviewing, editing, deleting and
ending the coverage, with the stories' publish rules
(articles/editing/live_desk.py)."""

import pytest
from django.urls import reverse

from articles.models import Article, LiveUpdate
from tests.factories import ArticleFactory, AuthorFactory, LiveUpdateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    return ArticleFactory(live=True, headline="تغطية مباشرة للعاصفة")


def desk(article):
    return reverse("admin:articles_liveupdate_desk", args=[article.pk])


def post_update(client, article, **data):
    fields = {"action": "post", "title": "", "body": "<p>وصلت العاصفة إلى الساحل</p>"}
    return client.post(desk(article), {**fields, **data}, follow=True)


def page_of(client, article):
    return client.get(article.get_absolute_url()).content.decode()


def test_an_editor_posts_an_update_that_readers_see_at_once(
    editor, editor_user, client, story
):
    author = AuthorFactory(user=editor_user, name="محررة الأخبار")
    client.get(story.get_absolute_url())  # cached before the update

    response = post_update(
        editor, story, title="إغلاق الطريق الساحلي", is_key_point="on"
    )

    assert response.status_code == 200
    assert "نُشر التحديث." in response.content.decode()
    update = story.live_updates.get()
    assert update.status == LiveUpdate.Status.PUBLISHED
    assert update.published_at is not None
    assert update.author == author
    assert update.created_by == editor_user
    assert update.is_key_point
    html = page_of(client, story)
    assert "إغلاق الطريق الساحلي" in html
    assert "وصلت العاصفة إلى الساحل" in html


def test_the_desk_shows_the_form_the_updates_and_the_coverage_button(editor, story):
    LiveUpdateFactory(article=story, title="تحديث سابق")
    html = editor.get(desk(story)).content.decode()
    assert 'name="body"' in html
    assert "تحديث سابق" in html
    assert "أنهِ التغطية المباشرة" in html
    assert "انشر التحديث" in html


def test_a_writers_update_waits_for_an_editor(writer, editor, client, story):
    response = post_update(writer, story, body="<p>خبر لم يُراجع بعد</p>")

    assert "أُرسل التحديث إلى المحرر للمراجعة." in response.content.decode()
    update = story.live_updates.get()
    assert update.status == LiveUpdate.Status.PENDING
    assert update.published_at is None
    assert "خبر لم يُراجع بعد" not in page_of(client, story)

    # The writer cannot publish it; the editor can, from the desk.
    refused = writer.post(desk(story), {"action": "publish", "update": update.pk})
    assert refused.status_code == 403
    editor.post(desk(story), {"action": "publish", "update": update.pk})
    update.refresh_from_db()
    assert update.status == LiveUpdate.Status.PUBLISHED
    assert "خبر لم يُراجع بعد" in page_of(client, story)


def test_an_editor_can_let_writers_publish_on_a_live_page(writer, client, story):
    story.live_writers_publish = True
    story.save()

    post_update(writer, story, body="<p>مباشرة من الكاتب</p>")

    assert story.live_updates.get().status == LiveUpdate.Status.PUBLISHED
    assert "مباشرة من الكاتب" in page_of(client, story)


def test_writers_edit_their_own_waiting_updates_and_nothing_else(
    writer, writer_user, editor_user, story
):
    own = LiveUpdateFactory(article=story, pending=True, created_by=writer_user)
    own_published = LiveUpdateFactory(article=story, created_by=writer_user)
    editors = LiveUpdateFactory(article=story, created_by=editor_user)

    def change(update):
        return reverse("admin:articles_liveupdate_change", args=[update.pk])

    def delete(update):
        return reverse("admin:articles_liveupdate_delete", args=[update.pk])

    response = writer.post(
        change(own), {"title": "", "body": "<p>نص منقح</p>"}, follow=True
    )
    assert response.redirect_chain[-1][0] == desk(story)
    own.refresh_from_db()
    assert own.body == "<p>نص منقح</p>"

    for update in (own_published, editors):
        writer.post(change(update), {"title": "", "body": "<p>عبث</p>"})
        update.refresh_from_db()
        assert "عبث" not in update.body
        writer.post(delete(update), {"post": "yes"})
        assert LiveUpdate.objects.filter(pk=update.pk).exists()


def test_an_editor_edits_and_deletes_any_update(editor, client, story):
    update = LiveUpdateFactory(article=story, body="<p>رقم خاطئ</p>")
    change = reverse("admin:articles_liveupdate_change", args=[update.pk])

    editor.post(
        change, {"title": "", "body": "<p>الرقم الصحيح</p>", "is_key_point": "on"}
    )
    html = page_of(client, story)
    assert "الرقم الصحيح" in html and "رقم خاطئ" not in html

    response = editor.post(
        reverse("admin:articles_liveupdate_delete", args=[update.pk]),
        {"post": "yes"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == desk(story)
    assert not LiveUpdate.objects.filter(pk=update.pk).exists()
    assert "الرقم الصحيح" not in page_of(client, story)


def test_ending_and_resuming_the_coverage(editor, writer, client, story):
    assert writer.post(desk(story), {"action": "end"}).status_code == 403

    editor.post(desk(story), {"action": "end"})
    story.refresh_from_db()
    assert story.live_ended_at is not None
    assert not story.live_running

    response = post_update(editor, story)
    assert "انتهت التغطية؛ استأنفها أولًا لتضيف تحديثًا." in response.content.decode()
    assert not story.live_updates.exists()

    editor.post(desk(story), {"action": "resume"})
    story.refresh_from_db()
    assert story.live_running


@pytest.mark.parametrize(
    "body", ["", "<p></p>", "<p>   </p>", "<script>alert(1)</script>"]
)
def test_an_empty_update_is_refused_with_a_message(editor, story, body):
    response = post_update(editor, story, body=body)
    assert response.status_code == 200
    assert "اكتب نص التحديث أو أدرج صورة أو منشورًا." in response.content.decode()
    assert not story.live_updates.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "explode"},
        {"action": "publish", "update": "abc"},
        {"action": "publish", "update": "999999"},
        {"action": "post", "title": "ع" * 500, "body": "<p>نص</p>"},
    ],
)
def test_junk_posts_get_a_message_not_a_500(editor, story, data):
    response = editor.post(desk(story), data, follow=True)
    assert response.status_code == 200
    assert not story.live_updates.exists()


def test_a_story_that_is_not_live_takes_no_updates(editor):
    article = ArticleFactory()
    response = post_update(editor, article)
    assert response.status_code == 403
    assert not LiveUpdate.objects.exists()


def test_readers_and_strangers_never_reach_the_desk(client, reader, story):
    for who in (client, reader):
        response = who.post(desk(story), {"action": "post", "body": "<p>اختراق</p>"})
        assert response.status_code in (302, 403)
    assert not LiveUpdate.objects.exists()
    assert Article.objects.get(pk=story.pk).live_ended_at is None


def test_the_article_form_links_to_the_desk(editor, story):
    html = editor.get(
        reverse("admin:articles_article_change", args=[story.pk])
    ).content.decode()
    assert desk(story) in html
