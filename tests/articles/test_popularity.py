import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles import popularity
from articles.models import ArticleDailyViews
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1"


def beacon(client, article, ip="10.0.0.1", **headers):
    return client.post(
        reverse("articles:count_view", kwargs={"pk": article.pk}),
        HTTP_USER_AGENT=headers.pop("ua", BROWSER),
        REMOTE_ADDR=ip,
        **headers,
    )


def views_of(article):
    return sum(
        ArticleDailyViews.objects.filter(article=article).values_list(
            "views", flat=True
        )
    )


def test_a_view_is_counted_in_the_cache_without_a_database_write(
    client, django_assert_num_queries
):
    article = ArticleFactory()

    with django_assert_num_queries(0):
        response = beacon(client, article)

    assert response.status_code == 204
    assert views_of(article) == 0
    call_command("flush_view_counts")
    assert views_of(article) == 1


def test_flushing_adds_to_the_stored_counts_in_one_batch(client):
    first, second = ArticleFactory(), ArticleFactory()
    for n in range(3):
        beacon(client, first, ip=f"10.0.1.{n}")
    beacon(client, second, ip="10.0.2.1")
    popularity.flush_view_counts()
    for n in range(2):
        beacon(client, first, ip=f"10.0.3.{n}")

    written = popularity.flush_view_counts()

    assert written == 2
    assert views_of(first) == 5 and views_of(second) == 1
    assert ArticleDailyViews.objects.filter(article=first).count() == 1
    assert popularity.flush_view_counts() == 0  # nothing left behind


def test_counts_flush_by_themselves_every_few_hundred_views(settings, monkeypatch):
    monkeypatch.setattr(popularity, "FLUSH_EVERY", 5)
    article = ArticleFactory()

    for _ in range(5):
        popularity.record_view(article.pk)

    assert views_of(article) == 5


@pytest.mark.parametrize(
    "ua",
    [
        "",
        "Googlebot/2.1 (+http://www.google.com/bot.html)",
        "facebookexternalhit/1.1",
        "curl/8.5.0",
        "Mozilla/5.0 (compatible; bingbot/2.0)",
        "python-requests/2.32",
    ],
)
def test_bots_are_not_counted(client, ua):
    article = ArticleFactory()

    assert beacon(client, article, ua=ua).status_code == 204

    popularity.flush_view_counts()
    assert views_of(article) == 0


def test_reloads_from_the_same_reader_count_once(client):
    article = ArticleFactory()

    for _ in range(5):
        beacon(client, article)

    popularity.flush_view_counts()
    assert views_of(article) == 1


def test_one_address_is_rate_limited(client):
    articles = [ArticleFactory() for _ in range(popularity_limit() + 5)]

    for article in articles:
        beacon(client, article, ip="10.9.9.9")

    popularity.flush_view_counts()
    assert sum(views_of(a) for a in articles) == popularity_limit()


def popularity_limit():
    from articles.views import BEACON_PER_MINUTE

    return BEACON_PER_MINUTE


def test_cross_site_beacons_are_ignored(client):
    article = ArticleFactory()

    beacon(client, article, HTTP_ORIGIN="https://evil.example")
    beacon(client, article, ip="10.0.0.2", HTTP_SEC_FETCH_SITE="cross-site")
    beacon(client, article, ip="10.0.0.3", HTTP_ORIGIN="http://testserver")

    popularity.flush_view_counts()
    assert views_of(article) == 1


def test_beacon_needs_post_and_sets_no_cookie(client):
    article = ArticleFactory()
    url = reverse("articles:count_view", kwargs={"pk": article.pk})

    assert client.get(url).status_code == 405
    response = beacon(client, article)
    assert not response.cookies
    assert (
        "no-cache" in response["Cache-Control"]
        or "max-age=0" in response["Cache-Control"]
    )


def test_views_of_deleted_articles_are_dropped_on_flush(client):
    article = ArticleFactory()
    beacon(client, article)
    article.delete()

    assert popularity.flush_view_counts() == 0
    assert not ArticleDailyViews.objects.exists()


def test_most_read_ranks_the_last_24_hours_then_fills_from_the_week():
    today = timezone.localdate()
    hot, warm, old_favourite, ancient = (ArticleFactory() for _ in range(4))
    ArticleDailyViews.objects.bulk_create(
        [
            ArticleDailyViews(article=hot, day=today, views=50),
            ArticleDailyViews(article=warm, day=today, views=10),
            ArticleDailyViews(
                article=old_favourite, day=today - datetime.timedelta(days=4), views=900
            ),
            ArticleDailyViews(
                article=ancient, day=today - datetime.timedelta(days=30), views=9999
            ),
        ]
    )

    assert popularity.most_read(limit=5) == [hot, warm, old_favourite]


def test_most_read_never_lists_unpublished_articles():
    today = timezone.localdate()
    visible = ArticleFactory()
    hidden = [
        ArticleFactory(draft=True),
        ArticleFactory(scheduled=True),
        ArticleFactory(withdrawn=True),
        ArticleFactory(in_review=True),
    ]
    ArticleDailyViews.objects.bulk_create(
        [ArticleDailyViews(article=a, day=today, views=100) for a in hidden]
        + [ArticleDailyViews(article=visible, day=today, views=1)]
    )

    assert popularity.most_read() == [visible]


def test_article_withdrawn_after_ranking_disappears_at_once():
    article = ArticleFactory()
    ArticleDailyViews.objects.create(
        article=article, day=timezone.localdate(), views=10
    )
    assert popularity.most_read() == [article]

    article.withdraw()

    assert popularity.most_read() == []


def test_most_read_is_shown_on_home_and_article_pages(client):
    article = ArticleFactory(headline="الخبر الأكثر قراءة اليوم")
    ArticleDailyViews.objects.create(
        article=article, day=timezone.localdate(), views=10
    )
    other = ArticleFactory()

    for url in ("/", other.get_absolute_url()):
        content = client.get(url).content.decode()
        assert "الأكثر قراءة" in content
        assert "الخبر الأكثر قراءة اليوم" in content


def test_behind_trusted_proxies_each_reader_is_limited_separately(client, settings):
    settings.THROTTLE_TRUSTED_PROXIES = 1
    article = ArticleFactory()

    for n in range(3):
        beacon(client, article, ip="10.0.0.254", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    popularity.flush_view_counts()
    assert views_of(article) == 3
