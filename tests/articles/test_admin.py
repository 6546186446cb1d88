import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, RelatedArticle, Section, Tag
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

from .admin_forms import (
    ADD_URL,
    CHANGELIST_URL,
    article_data,
    change_url,
    errors_of,
    upload,
)

pytestmark = pytest.mark.django_db


def test_editor_creates_and_publishes_an_article_with_tags_image_and_related(
    editor, committed
):
    section = SectionFactory(name="العالم العربي", slug="العالم-العربي")
    first, second = AuthorFactory(), AuthorFactory()
    older = ArticleFactory(section=section)
    oldest = ArticleFactory(section=section)
    data = article_data(
        section,
        authors=[second, first],
        related=[oldest, older],
        headline="قمة عربية في عمّان تبحث الأمن الغذائي",
        tags="الأمن الغذائي، الجامعة العربية, عمّان",
        status="published",
        image=upload(),
        image_alt="وزراء الخارجية في القاعة",
    )

    with committed():  # renditions are made once the story is saved
        response = editor.post(ADD_URL, data)

    assert response.status_code == 302, errors_of(response)
    article = Article.objects.get(headline="قمة عربية في عمّان تبحث الأمن الغذائي")
    assert article.is_published()
    assert article.slug == "قمة-عربية-في-عمان-تبحث-الأمن-الغذائي"
    assert article.created_by == editor.user
    assert sorted(article.tags.values_list("name", flat=True)) == sorted(
        ["الأمن الغذائي", "الجامعة العربية", "عمّان"]
    )
    assert [link.author for link in article.articleauthor_set.all()] == [
        second,
        first,
    ]
    assert [link.to_article for link in article.related_links.all()] == [
        oldest,
        older,
    ]
    assert set(article.picture.renditions) == {"16x9", "4x3", "1x1"}
    assert article.picture.alt == "وزراء الخارجية في القاعة"
    assert article.picture.uploaded_by == editor.user
    assert article.history.count() >= 1


def test_reserved_section_slug_is_refused_with_a_form_error(editor):
    response = editor.post(
        "/admin/articles/section/add/",
        {"name": "بحث", "slug": "search", "position": "1", "description": ""},
    )

    assert response.status_code == 200
    assert "محجوز" in errors_of(response)
    assert not Section.objects.filter(slug="search").exists()


@pytest.mark.parametrize(
    "action, field, before, after",
    [
        ("publish_selected", "status", "draft", "published"),
        ("withdraw_selected", "status", "published", "withdrawn"),
        ("mark_breaking", "is_breaking", False, True),
        ("unmark_breaking", "is_breaking", True, False),
    ],
)
def test_editor_bulk_actions_change_the_selected_articles(
    editor, action, field, before, after
):
    kwargs = {"draft": True} if before == "draft" else {}
    if field == "is_breaking":
        kwargs["is_breaking"] = before
    articles = ArticleFactory.create_batch(2, **kwargs)
    untouched = ArticleFactory(**kwargs)

    response = editor.post(
        CHANGELIST_URL,
        {"action": action, "_selected_action": [a.pk for a in articles]},
    )

    assert response.status_code == 302
    for article in articles:
        article.refresh_from_db()
        assert getattr(article, field) == after
    untouched.refresh_from_db()
    assert getattr(untouched, field) == before


def test_bulk_publish_keeps_a_revision_with_the_editor(editor, editor_user):
    article = ArticleFactory(draft=True)

    editor.post(
        CHANGELIST_URL,
        {"action": "publish_selected", "_selected_action": [article.pk]},
    )

    latest = article.history.first()
    assert latest.status == "published"
    assert latest.history_user == editor_user
    assert latest.history_change_reason == "نشر (إجراء جماعي)"


def test_earlier_revision_can_be_restored_through_the_history_views(editor):
    section = SectionFactory()
    editor.post(ADD_URL, article_data(section, headline="العنوان الأول"))
    article = Article.objects.get()
    editor.post(change_url(article), article_data(section, headline="العنوان الثاني"))
    article.refresh_from_db()
    assert article.headline == "العنوان الثاني"
    first_version = article.history.earliest("history_date")

    history = editor.get(f"/admin/articles/article/{article.pk}/history/")
    assert history.status_code == 200
    revert_url = f"/admin/articles/article/{article.pk}/history/{first_version.pk}/"
    form = editor.get(revert_url)
    assert form.status_code == 200
    assert "العنوان الأول" in form.content.decode()
    response = editor.post(revert_url, article_data(section, headline="العنوان الأول"))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.headline == "العنوان الأول"
    reasons = list(article.history.values_list("history_change_reason", flat=True))
    assert reasons == ["استعادة نسخة سابقة", "تعديل", "إنشاء"]


def test_choosing_a_new_lead_story_retires_the_previous_one(editor):
    previous = ArticleFactory(is_lead=True)
    section = SectionFactory()

    editor.post(ADD_URL, article_data(section, status="published", is_lead="on"))

    previous.refresh_from_db()
    assert not previous.is_lead
    assert Article.objects.filter(is_lead=True).count() == 1


def test_preview_shows_a_draft_to_staff(editor):
    article = ArticleFactory(draft=True, headline="مسودة لم تنشر بعد")

    response = editor.get(f"/admin/articles/article/{article.pk}/preview/")

    assert response.status_code == 200
    assert "articles/article_detail.html" in [t.name for t in response.templates]
    assert "مسودة لم تنشر بعد" in response.content.decode()
    assert "no-cache" in response["Cache-Control"]


def test_preview_is_a_404_for_readers_and_anonymous_visitors(client, reader):
    article = ArticleFactory(draft=True)
    url = f"/admin/articles/article/{article.pk}/preview/"

    assert client.get(url).status_code == 404
    assert reader.get(url).status_code == 404


def test_preview_of_a_missing_article_is_a_404(editor):
    assert editor.get("/admin/articles/article/999999/preview/").status_code == 404


def test_search_finds_articles_by_headline_standfirst_and_body(editor):
    ArticleFactory(headline="مهرجان السينما")
    ArticleFactory(headline="خبر آخر", body="<p>تفاصيل عن مهرجان المسرح</p>")
    ArticleFactory(headline="خبر ثالث")

    response = editor.get(CHANGELIST_URL, {"q": "مهرجان"})

    assert response.context["cl"].result_count == 2


@pytest.mark.parametrize(
    "params",
    [
        {"status__exact": "bogus"},
        {"visibility": "scheduled"},
        {"published_at__year": "abc"},
        {"section__id__exact": "x"},
        {"o": "99"},
        {"q": "<script>"},
    ],
)
def test_changelist_survives_junk_parameters(editor, params):
    ArticleFactory()

    response = editor.get(CHANGELIST_URL, params)

    assert response.status_code in (200, 302)


def test_scheduled_filter_lists_only_future_publications(editor):
    scheduled = ArticleFactory(scheduled=True)
    ArticleFactory()

    response = editor.get(CHANGELIST_URL, {"visibility": "scheduled"})

    assert list(response.context["cl"].result_list) == [scheduled]


def _queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _articles(count):
    authors = AuthorFactory.create_batch(2)
    for index in range(count):
        article = ArticleFactory(
            authors=authors, tags=[f"وسم {index % 3}"], is_breaking=index % 2 == 0
        )
        article.image_renditions = {
            "1x1": [{"width": 320, "height": 320, "name": f"a/{index}.webp"}]
        }
        article.save()


@pytest.mark.parametrize(
    "url, make",
    [
        (CHANGELIST_URL, _articles),
        (
            "/admin/articles/section/",
            lambda n: [ArticleFactory(section=SectionFactory()) for _ in range(n)],
        ),
        (
            "/admin/articles/author/",
            lambda n: [ArticleFactory(authors=[AuthorFactory()]) for _ in range(n)],
        ),
        (
            "/admin/articles/tag/",
            lambda n: [ArticleFactory(tags=[f"وسم رقم {i}"]) for i in range(n)],
        ),
    ],
)
def test_changelists_do_not_grow_queries_with_rows(
    editor, django_assert_max_num_queries, url, make
):
    make(5)
    with_five = _queries_for(editor, url)
    make(45)

    with django_assert_max_num_queries(with_five):
        response = editor.get(url)

    assert response.status_code == 200
    assert response.context["cl"].result_count == (
        50 if url != "/admin/articles/tag/" else Tag.objects.count()
    )


def test_counts_of_published_articles_ignore_drafts_and_scheduled(editor):
    section = SectionFactory(name="رياضة", slug="رياضة")
    ArticleFactory.create_batch(2, section=section, tags=["كرة القدم"])
    ArticleFactory(section=section, draft=True, tags=["كرة القدم"])
    ArticleFactory(section=section, scheduled=True, tags=["كرة القدم"])

    sections = editor.get("/admin/articles/section/")
    tags = editor.get("/admin/articles/tag/")

    row = next(s for s in sections.context["cl"].result_list if s.pk == section.pk)
    assert row.published_articles == 2
    assert tags.context["cl"].result_list[0].published_articles == 2


def test_related_headline_autocomplete_offers_published_articles(editor):
    ArticleFactory(headline="خبر منشور عن الانتخابات")
    ArticleFactory(headline="مسودة عن الانتخابات", draft=True)

    response = editor.get(
        "/admin/autocomplete/",
        {
            "term": "الانتخابات",
            "app_label": "articles",
            "model_name": "relatedarticle",
            "field_name": "to_article",
        },
    )

    assert response.status_code == 200
    texts = [r["text"] for r in response.json()["results"]]
    assert texts == ["خبر منشور عن الانتخابات"]


def test_a_published_article_without_time_gets_one(editor):
    section = SectionFactory()
    before = timezone.now()

    editor.post(ADD_URL, article_data(section, status="published"))

    assert Article.objects.get().published_at >= before.replace(microsecond=0)


def test_related_article_cannot_point_to_itself(editor):
    article = ArticleFactory()
    data = article_data(
        article.section,
        headline=article.headline,
        status="published",
        published_at_0=timezone.localtime(article.published_at).strftime("%Y-%m-%d"),
        published_at_1=timezone.localtime(article.published_at).strftime("%H:%M:%S"),
        related=[article],
    )

    response = editor.post(change_url(article), data)

    assert response.status_code == 200
    assert not RelatedArticle.objects.exists()


def test_saving_an_untouched_form_keeps_the_exact_publish_time(editor):
    article = ArticleFactory()
    shown = timezone.localtime(article.published_at)

    editor.post(
        change_url(article),
        article_data(
            article.section,
            headline=article.headline,
            status="published",
            published_at_0=shown.strftime("%Y-%m-%d"),
            published_at_1=shown.strftime("%H:%M:%S"),
        ),
    )

    before = article.published_at
    article.refresh_from_db()
    assert article.published_at == before


def test_breaking_story_becomes_a_draft_alert_issue_in_one_click(editor):
    from accounts.newsletters.models import NewsletterIssue

    story = ArticleFactory(is_breaking=True, headline="زلزال يضرب الساحل")

    response = editor.post(
        CHANGELIST_URL,
        {"action": "create_breaking_alert", "_selected_action": [story.pk]},
        follow=True,
    )

    issue = NewsletterIssue.objects.get(items__article=story)
    assert issue.newsletter.cadence == "breaking"
    assert issue.status == NewsletterIssue.Status.DRAFT
    assert "زلزال يضرب الساحل" in issue.subject
    assert (
        f"/newsletters/newsletterissue/{issue.pk}/change/" in response.content.decode()
    )


def test_writers_are_not_offered_the_breaking_alert_action(writer):
    response = writer.get(CHANGELIST_URL)

    assert "create_breaking_alert" not in response.content.decode()
