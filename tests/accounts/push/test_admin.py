"""Editors send a story as a push alert from the admin; writers cannot."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.newsletters.models import Newsletter, NewsletterIssue
from accounts.push.models import PushAlert
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:push_pushalert_add")
CHANGELIST = reverse("admin:push_pushalert_changelist")
BREAKING = reverse("admin:newsletters_newsletterissue_breaking")


@pytest.fixture
def story(db):
    return ArticleFactory(headline="انقطاع الكهرباء عن العاصمة", is_breaking=True)


@pytest.fixture
def breaking_list(db):
    return Newsletter.objects.get_or_create(
        slug="عاجل-اختبار",
        defaults={"name": "عاجل", "cadence": Newsletter.Cadence.BREAKING},
    )[0]


def test_an_editor_sends_a_story_as_a_push_alert(
    vapid, push_service, subscribed, editor, story, django_capture_on_commit_callbacks
):
    [browser] = subscribed(1)

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(ADD, {"article": story.pk})

    assert response.status_code == 302
    alert = PushAlert.objects.get()
    assert alert.article == story
    assert alert.created_by == editor.user
    assert len(push_service.messages_for(browser)) == 1
    page = editor.get(CHANGELIST).content.decode()
    assert alert.title in page
    assert '<td class="field-sent_count">1</td>' in page


def test_a_story_is_pushed_once(vapid, editor, story):
    editor.post(ADD, {"article": story.pk})

    response = editor.post(ADD, {"article": story.pk})

    assert response.status_code == 200
    assert "أُرسل تنبيه فوري لهذا المقال من قبل." in response.content.decode()
    assert PushAlert.objects.count() == 1


@pytest.mark.parametrize("junk", ["abc", "-1", "9" * 30, "", "99999"])
def test_junk_article_ids_are_form_errors(vapid, editor, junk):
    response = editor.post(ADD, {"article": junk})

    assert response.status_code == 200
    assert not PushAlert.objects.exists()


def test_a_draft_cannot_be_pushed(vapid, editor):
    draft = ArticleFactory(draft=True)

    response = editor.post(ADD, {"article": draft.pk})

    assert response.status_code == 200
    assert not PushAlert.objects.exists()


def test_a_writer_cannot_send_or_see_alerts(vapid, writer, story):
    assert writer.get(ADD).status_code == 403
    assert writer.post(ADD, {"article": story.pk}).status_code == 403
    assert writer.get(CHANGELIST).status_code == 403
    assert not PushAlert.objects.exists()


def test_alerts_cannot_be_edited_or_deleted(vapid, admin_client, story):
    admin_client.post(ADD, {"article": story.pk})
    alert = PushAlert.objects.get()
    change = reverse("admin:push_pushalert_change", args=[alert.pk])
    delete = reverse("admin:push_pushalert_delete", args=[alert.pk])

    admin_client.post(change, {"title": "غير ذلك"})
    admin_client.post(delete, {"post": "yes"})

    alert.refresh_from_db()
    assert alert.title != "غير ذلك"


def test_the_admin_says_when_push_is_not_configured(editor, story):
    page = editor.get(CHANGELIST).content.decode()
    assert "التنبيهات الفورية غير مهيأة" in page

    response = editor.get(ADD, follow=True)
    assert response.redirect_chain[-1][0] == CHANGELIST
    assert "التنبيهات الفورية غير مهيأة" in response.content.decode()


def test_the_breaking_alert_page_can_also_push(
    vapid,
    push_service,
    subscribed,
    editor,
    story,
    breaking_list,
    django_capture_on_commit_callbacks,
):
    [browser] = subscribed(1)
    assert "أرسل أيضًا تنبيهًا فوريًا" in editor.get(BREAKING).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        editor.post(BREAKING, {"article": story.pk, "also_push": "on"})

    assert NewsletterIssue.objects.filter(newsletter=breaking_list).exists()
    assert PushAlert.objects.get().article == story
    assert len(push_service.messages_for(browser)) == 1


def test_the_breaking_alert_page_pushes_nothing_unless_asked(
    vapid, editor, story, breaking_list
):
    editor.post(BREAKING, {"article": story.pk})

    assert NewsletterIssue.objects.exists()
    assert not PushAlert.objects.exists()


def test_the_push_checkbox_needs_the_publish_permission(
    vapid, editor, editor_user, story, breaking_list
):
    editor_user.groups.clear()
    editor_user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="newsletters",
            codename__in=["add_newsletterissue", "view_newsletterissue"],
        )
    )

    page = editor.get(BREAKING).content.decode()
    editor.post(BREAKING, {"article": story.pk, "also_push": "on"})

    assert "أرسل أيضًا تنبيهًا فوريًا" not in page
    assert not PushAlert.objects.exists()


def test_the_push_checkbox_is_hidden_when_push_is_off(editor, breaking_list):
    assert "أرسل أيضًا تنبيهًا فوريًا" not in editor.get(BREAKING).content.decode()


def test_resuming_an_unfinished_alert_sends_the_rest(
    vapid, push_service, subscribed, editor, story, django_capture_on_commit_callbacks
):
    browsers = subscribed(3)
    editor.post(ADD, {"article": story.pk})  # the task never ran (no commit)
    alert = PushAlert.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        editor.post(CHANGELIST, {"action": "resume", "_selected_action": [alert.pk]})

    alert.refresh_from_db()
    assert alert.status == PushAlert.Status.SENT
    assert len(push_service.delivered) == len(browsers)
