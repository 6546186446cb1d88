import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

from .admin_forms import ADD_URL, CHANGELIST_URL, article_data, change_url, errors_of

pytestmark = pytest.mark.django_db


def _writers_draft(writer, **overrides):
    section = SectionFactory()
    data = article_data(section, headline="مسودة الكاتب", **overrides)
    response = writer.post(ADD_URL, data)
    assert response.status_code == 302, errors_of(response)
    return Article.objects.get(headline="مسودة الكاتب")


def test_writer_saves_a_draft_with_a_byline(writer, writer_user):
    author = AuthorFactory()

    article = _writers_draft(writer, authors=[author])

    assert article.status == Article.Status.DRAFT
    assert article.created_by == writer_user
    assert list(article.authors.all()) == [author]


def test_writer_submits_own_draft_for_review(writer):
    article = _writers_draft(writer)

    response = writer.post(
        change_url(article),
        article_data(article.section, headline=article.headline, status="review"),
    )

    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


def test_writer_submits_drafts_for_review_with_the_bulk_action(writer):
    article = _writers_draft(writer)

    writer.post(
        CHANGELIST_URL,
        {"action": "submit_for_review", "_selected_action": [article.pk]},
    )

    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


@pytest.mark.parametrize("status", ["published", "withdrawn"])
def test_writer_forging_an_editorial_status_gets_an_error(writer, status):
    article = _writers_draft(writer)

    response = writer.post(
        change_url(article),
        article_data(article.section, headline="عنوان معدل", status=status),
    )

    assert response.status_code == 200
    assert "لا تملك صلاحية النشر" in errors_of(response)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.headline == "مسودة الكاتب"


def test_writer_cannot_create_a_published_article(writer):
    section = SectionFactory()

    response = writer.post(ADD_URL, article_data(section, status="published"))

    assert response.status_code == 200
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "forged",
    [
        {"published_at_0": "2030-01-01", "published_at_1": "08:00:00"},
        {"is_breaking": "on"},
        {"is_lead": "on"},
        {"live_writers_publish": "on"},
    ],
)
def test_writer_forging_a_schedule_or_flag_gets_an_error(writer, forged):
    article = _writers_draft(writer)

    response = writer.post(
        change_url(article),
        article_data(article.section, headline="عنوان معدل", **forged),
    )

    assert response.status_code == 200
    assert "قرارات تحريرية" in errors_of(response)
    article.refresh_from_db()
    assert article.headline == "مسودة الكاتب"
    assert article.published_at is None
    assert not article.is_breaking and not article.is_lead
    assert not article.live_writers_publish


def test_writer_cannot_edit_someone_elses_article(writer, editor_user):
    article = ArticleFactory(draft=True, created_by=editor_user, headline="الأصل")

    page = writer.get(change_url(article))
    response = writer.post(
        change_url(article), article_data(article.section, headline="تعديل")
    )

    assert page.status_code == 200  # read-only view
    assert 'name="headline"' not in page.content.decode()
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.headline == "الأصل"


def test_writer_cannot_edit_own_article_once_published(writer, writer_user):
    article = ArticleFactory(created_by=writer_user, headline="منشور")

    response = writer.post(
        change_url(article), article_data(article.section, headline="تعديل")
    )

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.headline == "منشور"


@pytest.mark.parametrize(
    "action",
    ["publish_selected", "withdraw_selected", "mark_breaking", "unmark_breaking"],
)
def test_writer_cannot_run_editorial_bulk_actions(writer, writer_user, action):
    draft = ArticleFactory(draft=True, created_by=writer_user)
    live = ArticleFactory(created_by=writer_user, is_breaking=True)

    writer.post(
        CHANGELIST_URL,
        {"action": action, "_selected_action": [draft.pk, live.pk]},
    )

    draft.refresh_from_db()
    live.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    assert live.status == Article.Status.PUBLISHED
    assert live.is_breaking


def test_writer_sees_no_editorial_actions(writer):
    ArticleFactory()

    response = writer.get(CHANGELIST_URL)

    choices = dict(response.context["action_form"].fields["action"].choices)
    assert "publish_selected" not in choices
    assert "submit_for_review" in choices


def test_writer_cannot_restore_a_revision_of_someone_elses_article(writer, editor_user):
    article = ArticleFactory(draft=True, created_by=editor_user, headline="الأصل")
    version = article.history.first()

    response = writer.post(
        f"/admin/articles/article/{article.pk}/history/{version.pk}/",
        article_data(article.section, headline="محاولة"),
    )

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.headline == "الأصل"


def test_writer_cannot_delete_articles(writer, writer_user):
    article = _writers_draft(writer)

    response = writer.post(
        f"/admin/articles/article/{article.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


def test_editor_may_schedule(editor):
    section = SectionFactory()
    when = timezone.localtime() + timezone.timedelta(days=2)

    response = editor.post(
        ADD_URL,
        article_data(
            section,
            status="published",
            published_at_0=when.strftime("%Y-%m-%d"),
            published_at_1=when.strftime("%H:%M:%S"),
        ),
    )

    assert response.status_code == 302, errors_of(response)
    article = Article.objects.get()
    assert article.is_scheduled()
    assert not Article.objects.published().exists()


def test_writer_filters_the_list_to_their_own_articles(writer, writer_user):
    own = ArticleFactory(draft=True, created_by=writer_user)
    ArticleFactory()

    response = writer.get(CHANGELIST_URL, {"mine": "1"})

    assert list(response.context["cl"].result_list) == [own]


# Restoring a revision, as a writer ---------------------------------------------
# The revert view (django-simple-history's) saves through the same form and
# save_model as the change form: the same rules must hold there.


def _revert_url(record):
    return f"/admin/articles/article/{record.id}/history/{record.history_id}/"


def _writers_story_with_two_revisions(writer):
    article = _writers_draft(writer)
    first = article.history.earliest("history_date")
    writer.post(
        change_url(article), article_data(article.section, headline="الصيغة الثانية")
    )
    article.refresh_from_db()
    assert article.headline == "الصيغة الثانية"
    return article, first


@pytest.mark.parametrize(
    "forged",
    [
        {"published_at_0": "2030-01-01", "published_at_1": "08:00:00"},
        {"is_breaking": "on"},
        {"is_lead": "on"},
    ],
)
def test_writer_restoring_with_a_forged_schedule_or_flag_gets_an_error(writer, forged):
    article, first = _writers_story_with_two_revisions(writer)
    lead = ArticleFactory(is_lead=True)

    response = writer.post(
        _revert_url(first),
        article_data(article.section, headline="مسودة الكاتب", **forged),
    )

    assert response.status_code == 200
    assert "قرارات تحريرية" in errors_of(response)
    article.refresh_from_db()
    assert article.headline == "الصيغة الثانية"  # nothing restored
    assert article.published_at is None
    assert not article.is_breaking and not article.is_lead
    lead.refresh_from_db()
    assert lead.is_lead


def test_writer_restoring_with_a_forged_status_leaves_it_as_it_is(writer):
    article, first = _writers_story_with_two_revisions(writer)

    response = writer.post(
        _revert_url(first),
        article_data(article.section, headline="مسودة الكاتب", status="published"),
    )

    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.headline == "مسودة الكاتب"
    assert article.status == Article.Status.DRAFT
    assert article.published_at is None


def test_writer_restoring_a_revision_an_editor_flagged_keeps_todays_flags(
    writer, editor
):
    article = _writers_draft(writer, status="review")
    flagged = {"status": "review", "is_lead": "on", "is_breaking": "on"}
    when = {"published_at_0": "2030-01-01", "published_at_1": "08:00:00"}
    response = editor.post(
        change_url(article),
        article_data(article.section, headline="مسودة الكاتب", **flagged, **when),
    )
    assert response.status_code == 302, errors_of(response)
    flagged_revision = article.history.first()
    assert flagged_revision.is_lead and flagged_revision.is_breaking
    editor.post(
        change_url(article),
        article_data(article.section, headline="بلا أعلام", status="review"),
    )
    lead = ArticleFactory(is_lead=True)

    response = writer.post(
        _revert_url(flagged_revision),
        article_data(article.section, headline="مسودة الكاتب"),
    )

    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.headline == "مسودة الكاتب"
    assert article.status == Article.Status.REVIEW
    assert article.published_at is None
    assert not article.is_breaking and not article.is_lead
    lead.refresh_from_db()
    assert lead.is_lead


@pytest.mark.parametrize("how", ["restore", "change form"])
def test_a_writers_save_never_retires_the_front_pages_lead(writer, writer_user, how):
    # The writer's story carries the lead flag already (an editor's choice,
    # made outside the admin's form: seed data, the shell, an import), while
    # the front page leads with another story.
    article = ArticleFactory(
        in_review=True, created_by=writer_user, is_lead=True, headline="قبل"
    )
    old = article.history.get()
    article.headline = "بعد"
    article.save()
    lead = ArticleFactory(is_lead=True)

    url = _revert_url(old) if how == "restore" else change_url(article)
    response = writer.post(
        url, article_data(article.section, headline="قبل", status="review")
    )

    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.headline == "قبل" and article.is_lead
    lead.refresh_from_db()
    assert lead.is_lead
