import time

import pytest
import time_machine
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from newsroom.middleware import PageCacheMiddleware
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def section():
    return SectionFactory(name="اقتصاد", slug="اقتصاد")


def test_anonymous_page_is_served_from_the_cache_the_second_time(
    client, section, django_assert_num_queries
):
    ArticleFactory(section=section, headline="الأسواق تترقب قرار الفائدة")

    first = client.get("/")
    with django_assert_num_queries(0):
        second = client.get("/")

    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "public" in second["Cache-Control"]
    assert "s-maxage=300" in second["Cache-Control"]
    assert "stale-while-revalidate" not in second["Cache-Control"]


def test_cached_page_answers_a_conditional_get_with_304(client, section):
    ArticleFactory(section=section)
    etag = client.get("/")["ETag"]

    response = client.get("/", headers={"if-none-match": etag})

    assert response.status_code == 304


@pytest.mark.parametrize("path", ["/", "/اقتصاد/", "/rss/"])
def test_publishing_shows_on_the_next_request(client, section, path):
    client.get(path)
    draft = ArticleFactory(section=section, draft=True, headline="خبر عاجل جديد")
    assert "خبر عاجل جديد" not in client.get(path).content.decode()

    draft.publish()

    assert "خبر عاجل جديد" in client.get(path).content.decode()


def test_editing_and_withdrawing_change_cached_pages_at_once(client, section):
    article = ArticleFactory(section=section, headline="عنوان أول")
    url = article.get_absolute_url()
    assert "عنوان أول" in client.get("/").content.decode()
    client.get(url)

    article.headline = "عنوان مصحح"
    article.save()
    assert "عنوان مصحح" in client.get("/").content.decode()
    assert "عنوان مصحح" in client.get(url).content.decode()

    article.withdraw()
    assert "عنوان مصحح" not in client.get("/").content.decode()
    assert client.get(url).status_code == 410  # gone, not served from the cache


def test_scheduled_article_appears_when_due_without_clearing_anything(client, section):
    due = timezone.now() + timezone.timedelta(seconds=1.2)
    ArticleFactory(section=section, headline="خبر مجدول", published_at=due)
    assert "خبر مجدول" not in client.get("/").content.decode()

    time.sleep(max(0, (due - timezone.now()).total_seconds()) + 0.1)

    assert "خبر مجدول" in client.get("/").content.decode()


def test_signed_in_reader_gets_the_shared_page_without_a_query(
    client, reader, section, django_assert_num_queries
):
    ArticleFactory(section=section)
    first = client.get("/")  # stored while rendered for an anonymous reader

    with django_assert_num_queries(0):  # no session, no user, no page
        response = reader.get("/")

    assert response["X-Page-Cache"] == "hit"
    assert response.content == first.content


def test_a_page_first_rendered_for_a_reader_is_shared_with_everyone(
    client, reader, section
):
    ArticleFactory(section=section)
    reader.get("/")

    response = client.get("/")

    assert response["X-Page-Cache"] == "hit"
    assert reader.user.get_short_name() not in response.content.decode()


def test_english_and_arabic_pages_are_cached_apart(client, section):
    client.get("/")

    response = client.get("/en/")

    assert response["X-Page-Cache"] == "miss"
    assert 'lang="en"' in response.content.decode()


def test_pages_that_set_cookies_or_are_private_are_not_stored(client):
    client.get("/account/login/")

    assert "X-Page-Cache" not in client.get("/account/login/")


def test_a_hit_says_how_old_it_is_so_no_cache_keeps_it_past_its_time(client, section):
    ArticleFactory(section=section)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.get("/")
        traveller.shift(100)
        response = client.get("/")

    assert response["X-Page-Cache"] == "hit"
    assert response["Age"] == "100"
    assert "s-maxage=300" in response["Cache-Control"]


def test_pages_live_no_longer_than_until_the_next_scheduled_story(client, section):
    ArticleFactory(section=section)
    ArticleFactory(
        section=section, published_at=timezone.now() + timezone.timedelta(seconds=90)
    )

    response = client.get("/")

    max_age = dict(
        d.strip().split("=") for d in response["Cache-Control"].split(",") if "=" in d
    )
    assert 88 <= int(max_age["s-maxage"]) <= 90
    assert max_age["max-age"] == "30"


@pytest.mark.parametrize("mistake", ["cookie", "vary"])
def test_a_public_page_gone_personal_by_mistake_reaches_no_shared_cache(mistake):
    # A view marked public that sets or varies on a cookie must not have
    # that answer stored by the page cache nor by the edge.
    def view(request):
        response = HttpResponse("page")
        response["Cache-Control"] = "public, max-age=30, s-maxage=300"
        response["Surrogate-Key"] = "list-latest"
        if mistake == "cookie":
            response.set_cookie("sessionid", "abc")
        else:
            response["Vary"] = "Cookie"
        return response

    middleware = PageCacheMiddleware(view)
    response = middleware(RequestFactory().get("/"))

    assert response["Cache-Control"] == "private, no-cache"
    assert "Surrogate-Key" not in response
    assert "X-Page-Cache" not in middleware(RequestFactory().get("/"))


def test_links_shared_with_tracking_parameters_use_the_cached_page(
    client, section, django_assert_num_queries
):
    # Every click from a social network carries its own fbclid or utm_* tags:
    # they must not each render the page, nor land in what others are served.
    ArticleFactory(section=section)
    client.get("/")

    with django_assert_num_queries(0):
        shared = client.get("/?utm_source=facebook&utm_medium=social&fbclid=AbC123")

    assert shared["X-Page-Cache"] == "hit"
    fresh = client.get("/?gclid=XyZ789&utm_campaign=spring")
    for response in (shared, fresh):
        content = response.content.decode()
        assert "fbclid" not in content and "gclid" not in content
        assert "utm_" not in content


def test_parameters_pages_use_survive_alongside_tracking_tags(client, section):
    for n in range(25):
        ArticleFactory(section=section, headline=f"خبر الاقتصاد {n}")

    page_two = client.get(section.get_absolute_url(), {"page": 2, "utm_source": "x"})
    search = client.get("/search/", {"q": "الاقتصاد", "utm_source": "newsletter"})

    assert page_two.status_code == 200
    assert page_two.context["page_obj"].number == 2
    assert search.status_code == 200
    assert search.context["terms"].text == "الاقتصاد"


def test_made_up_query_strings_are_rendered_but_never_stored(client, section):
    # Each would otherwise be a copy of the page in Redis until it expires:
    # a few thousand random URLs fill the cache (issue 21).
    ArticleFactory(section=section)
    for query in ("?r=1", "?r=2", "?page=01", "?page=1&x=2", "?page=abc", "?q=x"):
        first = client.get("/" + query)
        again = client.get("/" + query)
        assert first.status_code in (200, 404), query
        assert "X-Page-Cache" not in again, query


def test_page_numbers_are_stored_in_their_one_spelling(client, section):
    for _ in range(25):
        ArticleFactory(section=section)
    url = section.get_absolute_url()

    client.get(url, {"page": 2})

    assert client.get(url, {"page": 2})["X-Page-Cache"] == "hit"
