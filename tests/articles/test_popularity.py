import datetime
import html
import re
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.core import signing
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles import popularity
from articles.models import Article, ArticleDailyViews
from articles.views import VIEW_TOKEN_SALT
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1"


def page_beacon_url(client, article):
    """The beacon URL the article page hands to site.js, token included."""
    content = client.get(article.get_absolute_url()).content.decode()
    return html.unescape(re.search(r'data-view-url="([^"]*)"', content)[1])


def beacon(client, article, ip="10.0.0.1", url=None, **headers):
    """What navigator.sendBeacon sends from the article page (or to `url`)."""
    return client.post(
        url or page_beacon_url(client, article),
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
    url = page_beacon_url(client, article)

    with django_assert_num_queries(1):  # is the story published now? No write.
        response = beacon(client, article, url=url)

    assert response.status_code == 204
    assert views_of(article) == 0
    call_command("flush_view_counts")
    assert views_of(article) == 1


def test_flushing_adds_to_the_stored_counts_in_one_batch(client):
    first, second = ArticleFactory(), ArticleFactory()
    for n in range(3):
        beacon(client, first, ip=f"10.1.{n}.1")
    beacon(client, second, ip="10.2.0.1")
    popularity.flush_view_counts()
    for n in range(2):
        beacon(client, first, ip=f"10.3.{n}.1")

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


def test_one_network_is_rate_limited(client):
    articles = [ArticleFactory() for _ in range(popularity_limit() + 5)]

    # A fresh address of the same /24 for every story changes nothing, all
    # within one minute of the app's clock (the limit's window).
    minute = (timezone.now() + datetime.timedelta(minutes=1)).replace(
        second=1, microsecond=0
    )
    with time_machine.travel(minute, tick=False):
        for n, article in enumerate(articles):
            beacon(client, article, ip=f"10.9.9.{n + 1}")

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

    for reader_ip in ("203.0.113.7", "198.51.100.7", "192.0.2.7"):
        beacon(client, article, ip="10.0.0.254", HTTP_X_FORWARDED_FOR=reader_ip)

    popularity.flush_view_counts()
    assert views_of(article) == 3


# The page token: only a beacon from a page we served counts ---------------


def counted(article):
    popularity.flush_view_counts()
    return views_of(article)


def test_the_token_the_page_carries_is_counted(client):
    article = ArticleFactory()

    response = beacon(client, article)

    assert response.status_code == 204
    assert counted(article) == 1


def test_a_beacon_without_a_token_is_not_counted(client):
    article = ArticleFactory()
    bare = reverse("articles:count_view", kwargs={"pk": article.pk})

    for n, url in enumerate([bare, bare + "?token=", bare + "?token=junk"]):
        assert beacon(client, article, ip=f"10.{n}.0.1", url=url).status_code == 204

    assert counted(article) == 0


def test_a_forged_token_is_not_counted(client):
    article = ArticleFactory()
    url = page_beacon_url(client, article)
    token = parse_qs(urlsplit(url).query)["token"][0]
    value, timestamp, signature = token.split(":")
    other_char = "A" if signature[-1] != "A" else "B"
    forged = [
        f"{value}:{timestamp}:{signature[:-1]}{other_char}",
        f"{value}:{signing.b62_encode(int(time.time()) + 3600)}:{signature}",
        # Signed with another key; with our key for another purpose.
        signing.TimestampSigner(key="not-our-secret", salt=VIEW_TOKEN_SALT).sign(value),
        signing.TimestampSigner(salt="accounts.something-else").sign(value),
    ]

    for n, token in enumerate(forged):
        forged_url = url.split("?")[0] + "?" + urlencode({"token": token})
        assert (
            beacon(client, article, ip=f"10.{n}.0.1", url=forged_url).status_code == 204
        )

    assert counted(article) == 0


def test_another_articles_token_is_not_counted(client):
    article, other = ArticleFactory(), ArticleFactory()
    other_url = page_beacon_url(client, other)
    url = other_url.replace(f"/{other.pk}/", f"/{article.pk}/")
    assert url != other_url

    assert beacon(client, article, url=url).status_code == 204

    assert counted(article) == 0 and counted(other) == 0


def test_an_expired_token_is_not_counted(client):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        article = ArticleFactory()
        url = page_beacon_url(client, article)
        traveller.shift(datetime.timedelta(days=3))

        assert beacon(client, article, url=url).status_code == 204

    assert counted(article) == 0


def edge_grace():
    """How long past its s-maxage the edge may still serve a page."""
    vcl = (settings.BASE_DIR / "deploy/varnish/newsroom.vcl").read_text()
    return datetime.timedelta(hours=int(re.search(r"beresp\.grace = (\d+)h", vcl)[1]))


def test_a_token_outlives_every_cached_copy_of_its_page(client):
    # Rendered in the last second before its token would change, then kept
    # for its whole s-maxage and the edge's grace after it.
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    with time_machine.travel(hour + datetime.timedelta(seconds=3599), tick=False) as t:
        article = ArticleFactory()
        url = page_beacon_url(client, article)
        t.shift(datetime.timedelta(seconds=settings.PAGE_CACHE_SECONDS) + edge_grace())

        assert beacon(client, article, url=url).status_code == 204

    assert counted(article) == 1


# Networks: an IPv4 /24 or an IPv6 /64 is one reader per story ------------


@pytest.mark.parametrize(
    ("one_network", "another"),
    [
        (
            ["198.51.100.1", "198.51.100.77", "198.51.100.254", "::ffff:198.51.100.9"],
            "198.51.101.1",
        ),
        (
            ["2001:db8:5:6::1", "2001:db8:5:6::2", "2001:db8:5:6:ffff:ffff:ffff:fffe"],
            "2001:db8:5:7::1",
        ),
    ],
    ids=["ipv4-24", "ipv6-64"],
)
def test_many_addresses_in_one_network_count_once(client, one_network, another):
    article = ArticleFactory()
    url = page_beacon_url(client, article)

    for ip in one_network:
        assert beacon(client, article, ip=ip, url=url).status_code == 204
    assert counted(article) == 1

    beacon(client, article, ip=another, url=url)  # the next network counts
    assert counted(article) == 2


def test_a_network_counts_again_after_the_window(client):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        article = ArticleFactory()
        url = page_beacon_url(client, article)
        beacon(client, article, ip="2001:db8::1", url=url)
        traveller.shift(datetime.timedelta(minutes=6))
        beacon(client, article, ip="2001:db8::2", url=url)

    assert counted(article) == 2


# Publication: only stories readers can see now ---------------------------


@pytest.mark.parametrize(
    "unpublish",
    [
        {"status": Article.Status.DRAFT, "published_at": None},
        {"status": Article.Status.REVIEW, "published_at": None},
        {"published_at": timezone.now() + datetime.timedelta(days=1)},  # scheduled
    ],
    ids=["draft", "in_review", "scheduled"],
)
def test_unpublished_stories_are_never_counted_even_with_their_token(client, unpublish):
    article = ArticleFactory()
    url = page_beacon_url(client, article)  # a token made for this very story
    Article.objects.filter(pk=article.pk).update(**unpublish)

    assert beacon(client, article, url=url).status_code == 204

    assert counted(article) == 0


def test_a_story_withdrawn_after_its_page_was_served_is_not_counted(client):
    article = ArticleFactory()
    url = page_beacon_url(client, article)  # the copy the edge may still hold

    article.withdraw()

    assert beacon(client, article, url=url).status_code == 204
    assert counted(article) == 0


def test_a_scheduled_story_counts_once_it_is_due(client):
    article = ArticleFactory(scheduled=True)
    with time_machine.travel(article.published_at + datetime.timedelta(minutes=1)):
        url = page_beacon_url(client, article)
        beacon(client, article, url=url)
        assert counted(article) == 1


# The worker closes its database connection when done: outside a test
# transaction, as in production.
@pytest.mark.django_db(transaction=True)
def test_the_worker_writes_the_counts_a_few_minutes_after_reading_begins(
    client, settings
):
    # No cron: the first counted view queues one flush for later (db_worker).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    article = ArticleFactory()
    beacon(client, article, ip="10.0.0.1")
    beacon(client, article, ip="10.0.1.1")

    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0
    )
    assert not ArticleDailyViews.objects.exists()  # not yet

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=4)):
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0
        )

    assert ArticleDailyViews.objects.get(article=article).views == 2
    assert DBTaskResult.objects.count() == 1  # one flush queued for both views
