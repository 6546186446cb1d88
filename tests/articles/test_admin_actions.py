"""Safer editorial actions, through the admin's own views: restoring a revision
brings back content only, the list tells scheduled stories apart, and the
history reads in Arabic."""

import datetime
import re

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from articles.models import Article
from tests.factories import ArticleFactory

from .admin_forms import ADD_URL, CHANGELIST_URL, article_data, change_url, errors_of

pytestmark = pytest.mark.django_db


def history_url(article):
    return f"/admin/articles/article/{article.pk}/history/"


def revert_url(record):
    return f"/admin/articles/article/{record.id}/history/{record.history_id}/"


def action(client, name, *articles):
    return client.post(
        CHANGELIST_URL,
        {"action": name, "_selected_action": [a.pk for a in articles]},
    )


def local(value):
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# Restoring a revision -------------------------------------------------------


def test_restoring_a_withdrawn_story_brings_back_its_text_and_keeps_it_withdrawn(
    editor,
):
    section = ArticleFactory().section
    response = editor.post(
        ADD_URL, article_data(section, headline="العنوان الأول", status="published")
    )
    assert response.status_code == 302, errors_of(response)
    article = Article.objects.get(headline="العنوان الأول")
    published_at = article.published_at
    first = article.history.earliest("history_date")
    editor.post(
        change_url(article),
        article_data(
            section,
            headline="العنوان الثاني",
            status="published",
            published_at_0=timezone.localtime(published_at).strftime("%Y-%m-%d"),
            published_at_1=timezone.localtime(published_at).strftime("%H:%M:%S"),
        ),
    )
    action(editor, "withdraw_selected", article)
    article.refresh_from_db()
    assert (article.headline, article.status) == ("العنوان الثاني", "withdrawn")

    form = editor.get(revert_url(first))

    assert form.status_code == 200
    content = form.content.decode()
    assert "العنوان الأول" in content
    # The publication fields show today's state, read-only.
    assert 'name="status"' not in content and 'name="published_at_0"' not in content
    assert "مسحوب" in content
    assert "الاستعادة تعيد محتوى هذه النسخة فقط" in content
    assert 'value="استعادة المحتوى"' in content

    # Whatever the browser sends for them, the publication fields stay.
    response = editor.post(
        revert_url(first),
        article_data(section, headline="العنوان الأول", status="published"),
        follow=True,
    )

    assert response.redirect_chain[-1][0] == change_url(article)
    article.refresh_from_db()
    assert article.headline == "العنوان الأول"
    assert article.status == Article.Status.WITHDRAWN
    assert article.published_at == published_at
    assert not article.is_published()
    (message,) = messages_of(response)
    assert "استُعيد محتوى «العنوان الأول» من نسخة سابقة" in message
    assert "ما زال المقال مسحوبًا" in message and "انشره من جديد" in message
    assert article.history.first().history_change_reason == "استعادة نسخة سابقة"

    # Publishing again is its own, explicit, action.
    action(editor, "publish_selected", article)
    article.refresh_from_db()
    assert article.is_published()


def test_restoring_leaves_the_schedule_breaking_flag_and_lead_story_alone(editor):
    article = ArticleFactory(headline="نسخة قديمة", is_breaking=True, is_lead=True)
    old = article.history.get()
    article.headline = "نسخة جديدة"
    article.is_breaking = article.is_lead = False
    article.published_at = timezone.now() + datetime.timedelta(days=2)
    article.save()
    lead = ArticleFactory(is_lead=True)

    response = editor.post(
        revert_url(old),
        article_data(article.section, headline="نسخة قديمة", is_lead="on"),
        follow=True,
    )

    article.refresh_from_db()
    assert article.headline == "نسخة قديمة"
    assert not article.is_breaking and not article.is_lead
    assert article.is_scheduled()
    lead.refresh_from_db()
    assert lead.is_lead  # not retired by an old version's flag
    (message,) = messages_of(response)
    assert f"ما زال المقال مجدولًا للنشر في {local(article.published_at)}" in message


def test_restoring_a_live_story_says_readers_see_the_restored_text(editor):
    article = ArticleFactory(headline="قبل")
    old = article.history.get()
    article.headline = "بعد"
    article.save()

    response = editor.post(
        revert_url(old), article_data(article.section, headline="قبل"), follow=True
    )

    article.refresh_from_db()
    assert article.headline == "قبل" and article.is_published()
    (message,) = messages_of(response)
    assert "فالقراء يرون المحتوى المستعاد الآن" in message


def test_revert_page_speaks_arabic(editor):
    article = ArticleFactory()

    content = editor.get(revert_url(article.history.get())).content.decode()

    assert "استعادة محتوى نسخة سابقة" in content
    assert "Historical" not in content and "Revert" not in content


# The change list -------------------------------------------------------------


def row_of(content, headline):
    rows = re.findall(r"<tr>.*?</tr>", content, re.S)
    (row,) = [row for row in rows if headline in row]
    return row


def test_changelist_shows_scheduled_stories_as_scheduled_with_their_time(editor):
    scheduled = ArticleFactory(scheduled=True, headline="خبر الغد")
    ArticleFactory(headline="خبر اليوم")
    ArticleFactory(withdrawn=True, headline="خبر مسحوب")

    content = editor.get(CHANGELIST_URL).content.decode()

    status = re.compile(r'<td class="field-publication_status">(.*?)</td>', re.S)
    assert status.search(row_of(content, "خبر الغد")).group(1) == (
        f"مجدولة للنشر في {local(scheduled.published_at)}"
    )
    assert status.search(row_of(content, "خبر اليوم")).group(1) == "منشور"
    assert status.search(row_of(content, "خبر مسحوب")).group(1) == "مسحوب"


def test_changelist_can_still_be_sorted_by_status(editor):
    ArticleFactory(headline="منشور أولًا")
    ArticleFactory(draft=True, headline="مسودة")
    columns = list(editor.get(CHANGELIST_URL).context["cl"].list_display)

    response = editor.get(
        CHANGELIST_URL, {"o": str(columns.index("publication_status"))}
    )

    assert [a.headline for a in response.context["cl"].result_list] == [
        "مسودة",  # "draft" sorts before "published"
        "منشور أولًا",
    ]


# The history -------------------------------------------------------------------


def test_history_shows_labels_local_arabic_dates_and_a_dash_for_nothing(editor):
    article = ArticleFactory(draft=True, headline="قصة في المسودة")

    action(editor, "publish_selected", article)
    action(editor, "mark_breaking", article)
    article.refresh_from_db()

    response = editor.get(history_url(article))

    assert response.status_code == 200
    changes = " ".join(
        re.findall(r"<li>\s*<strong>.*?</li>", response.content.decode(), re.S)
    )
    changes = re.sub(r"\s+", " ", changes)
    # Field labels, choice labels, "—" for nothing, a local date in Arabic.
    assert "<strong>الحالة:</strong> مسودة &nbsp;&rarr;&nbsp;&nbsp;منشور" in changes
    assert (
        "<strong>وقت النشر:</strong> — &nbsp;&rarr;&nbsp;&nbsp;"
        f"{local(article.published_at)}"
    ) in changes
    assert "<strong>عاجل:</strong> لا &nbsp;&rarr;&nbsp;&nbsp;نعم" in changes
    for raw in ("None", "draft", "published", "True", "False", "+00:00"):
        assert raw not in changes
    # Every save moves the updated time; each row has its date already.
    assert "عُدّل في" not in changes


def test_history_rows_without_an_editor_or_reason_show_a_dash(editor):
    article = ArticleFactory()  # saved outside the admin: no user, no reason

    content = editor.get(history_url(article)).content.decode()

    assert ">None<" not in re.sub(r"\s+", "", content)
    assert "بلا" not in content
