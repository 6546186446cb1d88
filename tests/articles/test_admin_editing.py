"""Two editors on one story (articles/editing): a save from a form opened
before someone else's save is refused with who, when and what changed, and
the soft lock tells editors who has the story open."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.editing.conflicts import paragraph_diff
from articles.models import Article, ArticleLock
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    SectionFactory,
    UserFactory,
)
from tests.second_factor import pass_second_factor

from .admin_forms import CHANGELIST_URL, article_data, change_url, errors_of

pytestmark = pytest.mark.django_db

EDITOR_NAME = "محررة الأخبار"  # tests/conftest.py's editor_user
OTHER_NAME = "رئيس التحرير"
# Midday today, on a frozen clock (the `clock` fixture); editors read times
# in the newsroom's zone, as hh:mm.
SAVED_AT = timezone.now().replace(hour=11, minute=5, second=0, microsecond=0)


def hhmm(moment):
    return timezone.localtime(moment).strftime("%H:%M")


AT_SAVE = hhmm(SAVED_AT)
A_MINUTE_LATER = hhmm(SAVED_AT + timedelta(minutes=1))


def _client_for(user):
    client = Client()
    client.force_login(user)
    pass_second_factor(client, user)
    client.user = user
    return client


@pytest.fixture
def other_editor(db):
    user = UserFactory(is_staff=True, verified=True, name=OTHER_NAME)
    user.groups.add(Group.objects.get(name="المحررون"))
    return _client_for(user)


@pytest.fixture
def story(db):
    # Written before both the frozen clock's saves and any real-time save,
    # so its first version is the oldest whatever the time of day the tests
    # run (after SAVED_AT, it came out newer than the frozen saves).
    written_at = min(SAVED_AT, timezone.now()) - timedelta(hours=1)
    with time_machine.travel(written_at, tick=False):
        return ArticleFactory(
            draft=True,
            headline="العنوان الأول",
            standfirst="موجز أول.",
            body="<p>الفقرة الأولى.</p><p>الفقرة الثانية.</p>",
        )


@pytest.fixture
def clock():
    with time_machine.travel(SAVED_AT, tick=False) as traveller:
        yield traveller


def opened_version(response):
    return response.context["adminform"].form["version"].value()


def page_of(response):
    return response.context["edit_lock"]["page"]


def lock_url(article, action):
    return f"/admin/articles/article/{article.pk}/editing/{action}/"


def save(client, article, version, **fields):
    """POST the change form, fields not given left as the story has them."""
    untouched = {"kicker": article.kicker, "slug": article.slug}
    data = article_data(
        article.section, version=str(version), **{**untouched, **fields}
    )
    return client.post(change_url(article), data)


# The version check ------------------------------------------------------


def test_saving_over_a_newer_version_is_refused_with_who_when_and_what_changed(
    editor, other_editor, story, clock
):
    mine = editor.get(change_url(story))
    theirs = other_editor.get(change_url(story))
    assert opened_version(mine) == opened_version(theirs) == story.version

    saved = save(
        editor,
        story,
        opened_version(mine),
        headline="العنوان بعد التصحيح",
        standfirst="موجز أول.",
        body="<p>الفقرة الأولى.</p><p>الفقرة الثانية وقد صُححت.</p>",
    )
    assert saved.status_code == 302
    clock.shift(60)
    refused = save(
        other_editor,
        story,
        opened_version(theirs),
        headline="عنوان المحرر الثاني",
        standfirst="موجز كتبه المحرر الثاني.",
        body="<p>نص كتبه المحرر الثاني.</p>",
    )

    assert refused.status_code == 200
    message = errors_of(refused)
    assert f"«{EDITOR_NAME}»" in message
    assert AT_SAVE in message
    conflict = refused.context["adminform"].form.edit_conflict
    changes = {change.label: change for change in conflict.changes}
    assert set(changes) == {"العنوان", "النص"}
    assert (changes["العنوان"].before, changes["العنوان"].after) == (
        "العنوان الأول",
        "العنوان بعد التصحيح",
    )
    assert changes["النص"].paragraphs == (
        ("removed", "الفقرة الثانية."),
        ("added", "الفقرة الثانية وقد صُححت."),
    )
    page = refused.content.decode()
    assert '<ins><span class="nr-diff__sign">أُضيف:</span> الفقرة الثانية وقد' in page
    # Nothing of theirs is lost: the form still holds what they wrote...
    form = refused.context["adminform"].form
    assert form["headline"].value() == "عنوان المحرر الثاني"
    assert form["standfirst"].value() == "موجز كتبه المحرر الثاني."
    assert "نص كتبه المحرر الثاني" in page
    # ...and nothing of the first editor's was overwritten.
    story.refresh_from_db()
    assert story.headline == "العنوان بعد التصحيح"
    assert story.history.first().history_user == editor.user


def test_the_diff_names_bylines_tags_and_related_stories_changed_since(
    editor, other_editor, story, clock
):
    byline = AuthorFactory(name="سلمى الكاتبة")
    earlier = ArticleFactory(headline="القصة السابقة")
    theirs = other_editor.get(change_url(story))
    snapshot = theirs.context["adminform"].form["opened_relations"].value()

    saved = save(
        editor,
        story,
        story.version,
        headline=story.headline,
        standfirst=story.standfirst,
        body=story.body,
        tags="مياه، طاقة",
        authors=[byline],
        related=[earlier],
    )
    assert saved.status_code == 302, errors_of(saved)
    refused = save(
        other_editor, story, opened_version(theirs), opened_relations=snapshot
    )

    assert refused.status_code == 200
    conflict = refused.context["adminform"].form.edit_conflict
    changes = {c.label: (c.before, c.after) for c in conflict.changes}
    assert changes == {
        "الكتّاب": ("—", "سلمى الكاتبة"),
        "الوسوم": ("—", "طاقة، مياه"),
        "عناوين ذات صلة": ("—", "القصة السابقة"),
    }
    assert "<ins>طاقة، مياه</ins>" in refused.content.decode()


@pytest.mark.parametrize("snapshot", ["", "junk", "a:b:c", "x" * 5000])
def test_a_missing_or_forged_relations_snapshot_only_narrows_the_diff(
    editor, other_editor, story, snapshot
):
    theirs = other_editor.get(change_url(story))
    save(
        editor,
        story,
        story.version,
        headline="عنوان جديد",
        standfirst=story.standfirst,
        body=story.body,
        tags="مياه",
    )

    refused = save(
        other_editor, story, opened_version(theirs), opened_relations=snapshot
    )

    assert refused.status_code == 200
    conflict = refused.context["adminform"].form.edit_conflict
    assert [c.label for c in conflict.changes] == ["العنوان"]


def test_a_freshly_opened_form_saves(editor, other_editor, story):
    first = editor.get(change_url(story))
    save(editor, story, opened_version(first), headline="نسخة أولى")

    reopened = other_editor.get(change_url(story))
    response = save(
        other_editor, story, opened_version(reopened), headline="نسخة ثانية"
    )

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.headline == "نسخة ثانية"


def test_saving_over_reviewed_changes_needs_the_version_that_was_reviewed(
    editor, other_editor, story
):
    stale = opened_version(other_editor.get(change_url(story)))
    save(editor, story, opened_version(editor.get(change_url(story))), headline="أ")
    refused = save(other_editor, story, stale, headline="ب")
    reviewed = refused.context["adminform"].form.edit_conflict.current_version
    assert f'name="overwrite_version" value="{reviewed}"' in refused.content.decode()

    # Someone saves again after the review: that is a new conflict.
    save(editor, story, reviewed, headline="ج")
    again = save(other_editor, story, stale, headline="ب", overwrite_version=reviewed)
    assert again.status_code == 200
    story.refresh_from_db()
    assert story.headline == "ج"

    latest = again.context["adminform"].form.edit_conflict.current_version
    response = save(
        other_editor, story, stale, headline="ب", overwrite_version=str(latest)
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.headline == "ب"


def test_the_diff_shows_labels_not_stored_values(editor, other_editor, story):
    politics = SectionFactory(name="سياسة")
    stale = opened_version(other_editor.get(change_url(story)))
    data = article_data(
        politics,
        kicker=story.kicker,
        slug=story.slug,
        headline=story.headline,
        standfirst=story.standfirst,
        body=story.body,
        status="review",
        version=str(stale),
    )
    assert editor.post(change_url(story), data).status_code == 302

    refused = save(other_editor, story, stale, headline=story.headline)

    changes = {
        c.label: (c.before, c.after)
        for c in refused.context["adminform"].form.edit_conflict.changes
    }
    assert changes["الحالة"] == ("مسودة", "قيد المراجعة")
    assert changes["القسم"] == (story.section.name, "سياسة")


def test_a_bulk_action_counts_as_a_newer_version(editor, other_editor, story):
    stale = opened_version(other_editor.get(change_url(story)))
    editor.post(
        CHANGELIST_URL, {"action": "mark_breaking", "_selected_action": [story.pk]}
    )

    refused = save(other_editor, story, stale, headline=story.headline)

    assert refused.status_code == 200
    assert f"«{EDITOR_NAME}»" in errors_of(refused)
    changes = refused.context["adminform"].form.edit_conflict.changes
    assert [(c.label, c.before, c.after) for c in changes] == [("عاجل", "لا", "نعم")]


def test_saves_from_stale_copies_still_get_distinct_versions(story, clock):
    one, two = Article.objects.get(pk=story.pk), Article.objects.get(pk=story.pk)

    one.save()
    two.save()  # same clock tick, same starting version

    story.refresh_from_db()
    assert story.version == 3
    assert list(story.history.values_list("version", flat=True)) == [3, 2, 1]
    assert two.version == 3  # read back from the database, not guessed


def test_a_save_by_no_one_in_particular_is_put_down_to_another_editor(editor, story):
    stale = opened_version(editor.get(change_url(story)))
    story.headline = "عنوان من مهمة في الخلفية"
    story.save()  # no request, so no history_user

    refused = save(editor, story, stale, headline="عنوان المحرر")

    assert "«محرر آخر»" in errors_of(refused)


def test_a_change_of_markup_alone_is_named_as_such():
    assert paragraph_diff("<p>نص الخبر</p>", "<p><strong>نص الخبر</strong></p>") == (
        ("format", "تغيّر التنسيق وحده، لا النص."),
    )


def test_bad_version_in_the_form_is_a_form_error(editor, story):
    response = save(editor, story, "abc", headline="عنوان")

    assert response.status_code == 200
    story.refresh_from_db()
    assert story.headline == "العنوان الأول"


# The soft lock ----------------------------------------------------------


def test_the_second_editor_sees_who_is_editing_on_the_form_and_in_the_list(
    editor, other_editor, story, clock
):
    first = editor.get(change_url(story))
    assert first.context["edit_lock"]["state"].mine
    assert 'data-edit-lock role="status"' in first.content.decode()

    second = other_editor.get(change_url(story))

    banner = f"«{EDITOR_NAME}» يحرر هذه القصة منذ {AT_SAVE}"
    assert banner in second.content.decode()
    assert banner not in editor.get(change_url(story)).content.decode()
    listing = other_editor.get(CHANGELIST_URL).content.decode()
    assert f'<span class="nr-editing" title="{banner}">✎ {EDITOR_NAME}</span>' in (
        listing
    )


def test_the_change_list_reads_locks_without_a_query_per_row(
    editor, other_editor, django_assert_max_num_queries
):
    stories = ArticleFactory.create_batch(6)
    editor.get(change_url(stories[0]))
    with CaptureQueriesContext(connection) as captured:
        other_editor.get(CHANGELIST_URL)
    one_locked = len(captured)  # now: the next request clears the log
    for article in stories[1:]:
        editor.get(change_url(article))

    with django_assert_max_num_queries(one_locked):
        listing = other_editor.get(CHANGELIST_URL)

    assert listing.content.decode().count('class="nr-editing"') == 6


def test_the_change_form_loads_the_lock_script_from_a_file(editor, story):
    page = editor.get(change_url(story)).content.decode()

    assert "/static/js/admin-editing.js" in page
    assert f'data-heartbeat-url="{lock_url(story, "heartbeat")}"' in page


def test_heartbeats_keep_the_lock_and_a_silent_page_loses_it(
    editor, other_editor, story, clock
):
    page = page_of(editor.get(change_url(story)))
    for _minute in range(5):
        clock.shift(60)
        beat = editor.post(lock_url(story, "heartbeat"), {"page": page})
        assert beat.json()["mine"] is True

    assert f"«{EDITOR_NAME}»" in other_editor.get(change_url(story)).content.decode()

    clock.shift(ArticleLock.EXPIRES_AFTER + timedelta(seconds=1))
    after = other_editor.get(change_url(story))

    assert after.context["edit_lock"]["state"].mine
    assert f"«{EDITOR_NAME}» يحرر" not in after.content.decode()
    assert ArticleLock.objects.get(article=story).user == other_editor.user
    # The first editor's page learns who has it now; not a take-over.
    late = editor.post(lock_url(story, "heartbeat"), {"page": page}).json()
    assert (late["mine"], late["holder"], late["taken_over"]) == (
        False,
        OTHER_NAME,
        False,
    )
    assert f"«{OTHER_NAME}» يحرر هذه القصة" in late["message"]


def test_an_expired_lock_disappears_from_the_change_list(
    editor, other_editor, story, clock
):
    editor.get(change_url(story))
    clock.shift(ArticleLock.EXPIRES_AFTER + timedelta(seconds=1))

    assert 'class="nr-editing"' not in other_editor.get(CHANGELIST_URL).content.decode()


def test_taking_over_is_reported_to_the_first_editor(
    editor, other_editor, story, clock
):
    first_page = page_of(editor.get(change_url(story)))
    second_page = page_of(other_editor.get(change_url(story)))
    clock.shift(60)

    taken = other_editor.post(lock_url(story, "take"), {"page": second_page})

    assert taken.status_code == 200
    assert taken.json()["mine"] is True
    lock = ArticleLock.objects.get(article=story)
    assert (lock.user, lock.page, lock.taken_from) == (
        other_editor.user,
        second_page,
        editor.user,
    )
    clock.shift(10)
    beat = editor.post(lock_url(story, "heartbeat"), {"page": first_page}).json()
    assert beat["taken_over"] is True
    assert beat["holder"] == OTHER_NAME
    assert beat["since"] == A_MINUTE_LATER
    assert (
        f"تولّى «{OTHER_NAME}» تحرير هذه القصة الساعة {A_MINUTE_LATER}"
        in beat["message"]
    )
    # The heartbeat doesn't take the story back.
    assert ArticleLock.objects.get(article=story).user == other_editor.user


def test_leaving_the_page_releases_the_lock(editor, other_editor, story):
    page = page_of(editor.get(change_url(story)))

    released = editor.post(lock_url(story, "release"), {"page": page})

    assert released.json() == {"released": True}
    assert not ArticleLock.objects.exists()
    second = other_editor.get(change_url(story))
    assert second.context["edit_lock"]["state"].mine


def test_a_late_release_from_a_page_already_left_keeps_the_next_page_s_lock(
    editor, story
):
    old_page = page_of(editor.get(change_url(story)))
    new_page = page_of(editor.get(change_url(story)))  # e.g. after "save and continue"

    late = editor.post(lock_url(story, "release"), {"page": old_page})

    assert late.json() == {"released": False}
    assert ArticleLock.objects.get(article=story).page == new_page


def test_saving_and_leaving_the_form_frees_the_story(editor, story):
    response = save(
        editor, story, opened_version(editor.get(change_url(story))), headline="جديد"
    )

    assert response.status_code == 302
    assert not ArticleLock.objects.filter(article=story).exists()


def test_save_and_continue_keeps_the_story(editor, story):
    version = opened_version(editor.get(change_url(story)))

    save(editor, story, version, headline="جديد", _continue="1")

    assert ArticleLock.objects.get(article=story).user == editor.user


def test_heartbeat_says_when_someone_saved_since_the_form_was_opened(
    editor, other_editor, story, clock
):
    mine = editor.get(change_url(story))
    theirs = other_editor.get(change_url(story))
    save(other_editor, story, opened_version(theirs), headline="تعديل من زميل")

    beat = editor.post(
        lock_url(story, "heartbeat"),
        {"page": page_of(mine), "version": opened_version(mine)},
    ).json()

    assert beat["stale"] is True
    assert f"«{OTHER_NAME}»" in beat["saved_message"]
    assert AT_SAVE in beat["saved_message"]


# Who may, and what the endpoints accept --------------------------------


@pytest.mark.parametrize("action", ["heartbeat", "take", "release"])
def test_lock_endpoints_refuse_users_who_may_not_change_the_story(
    writer, editor_user, action
):
    published = ArticleFactory(created_by=editor_user)

    response = writer.post(lock_url(published, action), {"page": "a" * 32})

    assert response.status_code == 403
    assert response.json()["error"] == "لا تملك صلاحية تعديل هذه القصة."
    assert not ArticleLock.objects.exists()


def test_view_only_staff_see_the_lock_but_cannot_hold_it(editor, story):
    viewer = UserFactory(is_staff=True, name="مراجع")
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    viewer_client = _client_for(viewer)
    editor.get(change_url(story))

    page = viewer_client.get(change_url(story))

    assert f"«{EDITOR_NAME}» يحرر" in page.content.decode()
    assert "data-heartbeat-url" not in page.content.decode()
    response = viewer_client.post(lock_url(story, "take"), {"page": "b" * 32})
    assert response.status_code == 403
    assert ArticleLock.objects.get(article=story).user == editor.user


def test_lock_endpoints_send_visitors_to_the_login_page(client, reader, story):
    for visitor in (client, reader):
        response = visitor.post(lock_url(story, "heartbeat"), {"page": "a" * 32})
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_lock_endpoints_need_the_csrf_token(editor_user, story):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor_user)

    response = strict.post(lock_url(story, "heartbeat"), {"page": "a" * 32})

    assert response.status_code == 403
    assert not ArticleLock.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"page": ""},
        {"page": "short"},
        {"page": "g" * 32},
        {"page": "a" * 33},
        {"page": "<script>alert(1)</script>"},
        {"page": "a" * 32, "version": "abc"},
        {"page": "a" * 32, "version": "-4"},
        {"page": "a" * 32, "version": "9" * 40},
    ],
)
@pytest.mark.parametrize("action", ["heartbeat", "take", "release"])
def test_junk_input_is_a_400_with_a_reason(editor, story, action, data):
    response = editor.post(lock_url(story, action), data)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"].strip()
    assert not ArticleLock.objects.exists()


def test_lock_endpoints_answer_post_only(editor, story):
    response = editor.get(lock_url(story, "heartbeat"))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["error"]


@pytest.mark.parametrize("pk", [999999, 10**30])
def test_a_missing_story_is_a_json_404(editor, pk):
    response = editor.post(
        f"/admin/articles/article/{pk}/editing/heartbeat/", {"page": "a" * 32}
    )

    assert response.status_code == 404
    assert response.json()["error"]
