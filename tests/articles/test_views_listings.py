import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.articles.reader_data import front_page_data
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

STATES = ("draft", "in_review", "withdrawn", "scheduled")


def hidden_articles(**fields):
    return [
        ArticleFactory(headline=f"مخفي {state}", **{state: True}, **fields)
        for state in STATES
    ]


def assert_lists_only_published(response, visible, hidden, elsewhere=()):
    """`hidden` (unpublished) appear nowhere; `elsewhere` not in the list."""
    assert response.status_code == 200
    listed = list(response.context["object_list"])
    assert set(visible) <= set(listed)
    content = response.content.decode()
    for article in hidden:
        assert article not in listed
        assert article.headline not in content
    for article in elsewhere:
        assert article not in listed


def test_section_page_lists_its_published_articles(client):
    section = SectionFactory(name="اقتصاد", slug="اقتصاد")
    visible = [ArticleFactory(section=section) for _ in range(3)]
    elsewhere = ArticleFactory(headline="خبر من قسم آخر")

    response = client.get(section.get_absolute_url())

    assert_lists_only_published(
        response, visible, hidden_articles(section=section), [elsewhere]
    )
    content = response.content.decode()
    assert content.count("<h1") == 1 and "اقتصاد</h1>" in content
    assert reverse("articles:section_feed", kwargs={"section": section.slug}) in content


def test_section_with_no_articles_says_so(client):
    section = SectionFactory()

    response = client.get(section.get_absolute_url())

    assert response.status_code == 200
    assert "لم يُنشر في هذا القسم شيء بعد" in response.content.decode()


def test_unknown_section_answers_404(client):
    assert client.get("/قسم-لا-وجود-له/").status_code == 404


def test_tag_page_lists_published_articles_with_the_tag(client):
    visible = [ArticleFactory(tags=["انتخابات"]) for _ in range(2)]
    hidden = hidden_articles(tags=["انتخابات"])
    tag = visible[0].tags.get()

    response = client.get(tag.get_absolute_url())

    assert_lists_only_published(response, visible, hidden)
    assert "انتخابات</h1>" in response.content.decode()


def test_unknown_tag_answers_404(client):
    assert client.get("/tag/لا-يوجد/").status_code == 404


def test_author_page_shows_bio_and_their_published_articles(client):
    author = AuthorFactory(name="ريم الحسن", bio="مراسلة الشؤون الاقتصادية في عمّان.")
    visible = [ArticleFactory(authors=[author]) for _ in range(2)]
    hidden = [
        ArticleFactory(authors=[author], headline=f"مخفي {state}", **{state: True})
        for state in STATES
    ]
    other = ArticleFactory(headline="لكاتب آخر")

    response = client.get(author.get_absolute_url())

    assert_lists_only_published(response, visible, hidden, [other])
    content = response.content.decode()
    assert "ريم الحسن</h1>" in content
    assert "مراسلة الشؤون الاقتصادية" in content


@pytest.mark.parametrize("state", [None, *STATES])
def test_author_with_no_published_story_answers_404(client, state):
    author = AuthorFactory(name="كاتب لم يُنشر له شيء")
    if state:
        ArticleFactory(authors=[author], **{state: True})

    response = client.get(author.get_absolute_url())

    assert response.status_code == 404
    assert "كاتب لم يُنشر له شيء" not in response.content.decode()


@pytest.mark.parametrize("state", STATES)
def test_tag_on_no_published_story_answers_404(client, state):
    ArticleFactory(tags=["وسم المسودة"], **{state: True})

    response = client.get("/tag/وسم-المسودة/")

    assert response.status_code == 404
    assert "وسم المسودة" not in response.content.decode()


def test_tag_and_author_pages_open_once_their_story_is_published(client):
    author = AuthorFactory()
    draft = ArticleFactory(draft=True, tags=["وسم المسودة"], authors=[author])
    tag = draft.tags.get()
    assert client.get(tag.get_absolute_url()).status_code == 404

    draft.publish()

    for url in (tag.get_absolute_url(), author.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200, url
        assert list(response.context["object_list"]) == [draft]


def test_tag_and_author_pages_close_when_their_story_is_withdrawn(client):
    author = AuthorFactory()
    article = ArticleFactory(tags=["وسم عابر"], authors=[author])
    urls = [article.tags.get().get_absolute_url(), author.get_absolute_url()]
    assert [client.get(url).status_code for url in urls] == [200, 200]

    article.withdraw()

    assert [client.get(url).status_code for url in urls] == [404, 404]


def test_a_scheduled_storys_tag_and_author_stay_hidden_until_it_is_due(client):
    author = AuthorFactory()
    due = timezone.now() + timezone.timedelta(hours=2)
    article = ArticleFactory(tags=["وسم الغد"], authors=[author], published_at=due)
    urls = [article.tags.get().get_absolute_url(), author.get_absolute_url()]

    with time_machine.travel(due - timezone.timedelta(minutes=1), tick=False):
        assert [client.get(url).status_code for url in urls] == [404, 404]
    with time_machine.travel(due, tick=False):
        assert [client.get(url).status_code for url in urls] == [200, 200]


def test_unknown_author_answers_404(client):
    assert client.get("/author/لا-أحد/").status_code == 404


def test_opinion_page_lists_only_published_columns(client):
    columns = [ArticleFactory(opinion=True) for _ in range(2)]
    news = ArticleFactory(headline="خبر عادي ليس رأيًا")
    hidden = [
        ArticleFactory(opinion=True, headline=f"رأي مخفي {state}", **{state: True})
        for state in STATES
    ]

    response = client.get(reverse("articles:opinion"))

    assert_lists_only_published(response, columns, hidden, [news])


@pytest.mark.parametrize("page", ["3", "0", "-1", "abc", "1.5", "99999999999999999999"])
def test_page_out_of_range_or_junk_answers_404(client, page):
    section = SectionFactory()
    for _ in range(25):
        ArticleFactory(section=section)

    for url in (section.get_absolute_url(), reverse("articles:opinion")):
        assert client.get(url, {"page": page}).status_code == 404


def test_second_page_is_paginated_and_canonical_names_it(client, settings):
    settings.SITE_URL = "https://news.example"
    section = SectionFactory()
    for _ in range(25):
        ArticleFactory(section=section)

    response = client.get(section.get_absolute_url(), {"page": "2"})

    assert response.status_code == 200
    assert len(response.context["object_list"]) == 5
    content = response.content.decode()
    assert f'href="https://news.example{section.get_absolute_url()}?page=2"' in content
    assert 'rel="prev"' in content


def test_listings_are_public_and_cacheable(client):
    section = SectionFactory()
    ArticleFactory(section=section)

    response = client.get(section.get_absolute_url())

    assert "public" in response["Cache-Control"]
    assert response["Last-Modified"]
    assert (
        client.get(
            section.get_absolute_url(), HTTP_IF_NONE_MATCH=response["ETag"]
        ).status_code
        == 304
    )


def test_listing_query_budgets_on_300_articles(client, django_assert_max_num_queries):
    articles = front_page_data(300)
    article = articles[7]
    urls = [
        article.section.get_absolute_url(),
        article.tags.first().get_absolute_url(),
        article.authors.first().get_absolute_url(),
        reverse("articles:opinion"),
        article.section.get_absolute_url() + "?page=3",
    ]

    for url in urls:
        with django_assert_max_num_queries(8):
            response = client.get(url)
        assert response.status_code == 200, url
