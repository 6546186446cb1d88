"""The back office keeps search documents current and searches like /search/."""

import pytest
from django.urls import reverse

from articles.models import Article
from articles.search.documents import update_search_document
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

from ..admin_forms import ADD_URL, CHANGELIST_URL, article_data, change_url, errors_of

pytestmark = pytest.mark.django_db

SEARCH = reverse("articles:search")


def found(client, query):
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    return [r["article"] for r in response.context.get("results") or []]


def test_publishing_in_the_admin_makes_the_story_searchable_with_tags_and_byline(
    editor, client
):
    section = SectionFactory()
    author = AuthorFactory(name="سلمى الحسيني")
    data = article_data(
        section,
        authors=[author],
        headline="الأسلحة النووية على طاولة المفاوضات",
        tags="الطاقة الذرية",
        status="published",
    )
    response = editor.post(ADD_URL, data)
    assert response.status_code == 302, errors_of(response)
    article = Article.objects.get(headline="الأسلحة النووية على طاولة المفاوضات")

    assert found(client, "الاسلحه النوويه") == [article]
    assert found(client, "الذريه") == [article]
    assert found(client, "الحسيني") == [article]


def test_editing_in_the_admin_updates_the_document(editor, client):
    article = ArticleFactory(headline="عنوان أول عن الموانئ")
    update_search_document(article)
    data = article_data(
        article.section,
        headline="عنوان جديد عن المطارات",
        status="published",
        published_at_0=article.published_at.strftime("%Y-%m-%d"),
        published_at_1=article.published_at.strftime("%H:%M:%S"),
    )
    response = editor.post(change_url(article), data)
    assert response.status_code == 302, errors_of(response)

    assert found(client, "الموانئ") == []
    assert found(client, "المطارات") == [article]


def test_changelist_search_tolerates_arabic_spelling_variants(editor):
    draft = ArticleFactory(headline="مكافحة التصحر في الواحات", draft=True)
    update_search_document(draft)
    ArticleFactory(headline="خبر آخر")
    response = editor.get(CHANGELIST_URL, {"q": "مكافحه التصحر"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [draft]
