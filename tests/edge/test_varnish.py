"""The edge: deploy/varnish/newsroom.vcl in a real varnishd before Django.

What the edge promises: public pages are shared by every reader and purged
by key the moment content changes; personal pages and POSTs always reach
Django; a scheduled story appears when due; a dead origin means stale pages,
not errors.
"""

import gzip
import json
import time

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from accounts.models import SavedArticle
from articles.models import Article
from tests.factories import ArticleFactory, LiveUpdateFactory, UserFactory

pytestmark = pytest.mark.edge

# A well-formed CSRF secret; the cookie and the header must agree.
CSRF_SECRET = "edge" * 8


def url_of(article):
    return iri_to_uri(article.get_absolute_url())


def session_cookie(user):
    """A real session: what the browser of a signed-in reader sends."""
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


def poll(fetch, until, timeout=1.0):
    """Call `fetch` until `until(response)` holds; the last response."""
    deadline = time.monotonic() + timeout
    while True:
        response = fetch()
        if until(response) or time.monotonic() > deadline:
            return response
        time.sleep(0.05)


def test_signed_in_and_anonymous_readers_share_one_cached_page(edge):
    article = ArticleFactory(headline="مجلس الوزراء يقر الموازنة")
    cookie = session_cookie(UserFactory(verified=True))

    signed_in = edge.get(url_of(article), headers={"Cookie": f"{cookie}; other=1"})
    anonymous = edge.get(url_of(article))

    assert signed_in.status == 200
    assert signed_in.cache == "MISS"
    assert anonymous.cache == "HIT"
    assert anonymous.body == signed_in.body
    assert "مجلس الوزراء يقر الموازنة" in anonymous.text
    assert "public" in signed_in.headers["Cache-Control"]
    assert "Set-Cookie" not in signed_in.headers
    # The keys are for purging at the edge, not for readers.
    assert "Surrogate-Key" not in signed_in.headers
    assert "xkey" not in signed_in.headers


def test_pages_are_compressed_for_readers_that_accept_gzip(edge):
    article = ArticleFactory()

    plain = edge.get(url_of(article))
    compressed = edge.get(url_of(article), headers={"Accept-Encoding": "gzip, br"})

    assert compressed.cache == "HIT", (plain, compressed)
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.body) == plain.body


def test_pages_from_the_edge_keep_the_permissions_policy(edge):
    article = ArticleFactory()
    edge.get(url_of(article))

    hit = edge.get(url_of(article))

    assert hit.cache == "HIT"
    assert "camera=()" in hit.headers["Permissions-Policy"]


def test_withdrawn_story_is_gone_from_the_edge_at_once(edge):
    article = ArticleFactory()
    edge.get(url_of(article))
    assert edge.get(url_of(article)).cache == "HIT"

    article.withdraw()

    response = poll(lambda: edge.get(url_of(article)), lambda r: r.status == 410)
    assert response.status == 410


def test_a_story_back_to_draft_is_gone_from_the_edge_at_once(edge):
    article = ArticleFactory()
    edge.get(url_of(article))
    assert edge.get(url_of(article)).cache == "HIT"

    article.status = Article.Status.DRAFT
    article.save()

    response = poll(lambda: edge.get(url_of(article)), lambda r: r.status == 404)
    assert response.status == 404


def test_edited_headline_shows_through_the_edge_at_once(edge):
    article = ArticleFactory(headline="العنوان الأول للخبر")
    assert "العنوان الأول للخبر" in edge.get(url_of(article)).text
    assert edge.get(url_of(article)).cache == "HIT"

    article.headline = "العنوان المصحح للخبر"
    article.save()

    response = poll(
        lambda: edge.get(url_of(article)), lambda r: "العنوان المصحح للخبر" in r.text
    )
    assert "العنوان المصحح للخبر" in response.text
    assert "العنوان الأول للخبر" not in response.text


def test_open_live_pages_poll_the_edge_and_a_new_update_reaches_them_at_once(edge):
    story = ArticleFactory(live=True)
    LiveUpdateFactory(article=story)
    path = f"/live/{story.pk}/updates/"
    first = edge.get(path)
    again = edge.get(path, headers={"If-None-Match": first.headers["ETag"]})

    assert first.status == 200
    assert again.cache == "HIT"
    assert again.status == 304  # what every open page gets until an update

    update = LiveUpdateFactory(article=story, title="إعلان النتائج")

    response = poll(
        lambda: edge.get(path), lambda r: r.status == 200 and "إعلان النتائج" in r.text
    )
    assert update.pk in [u["id"] for u in json.loads(response.body)["updates"]]


def test_scheduled_story_appears_on_the_home_page_when_due(edge):
    # Real time: varnishd keeps its own clock. The page's s-maxage ends when
    # the story comes due, so no purge is involved.
    ArticleFactory(headline="خبر منشور من قبل")
    due = timezone.now() + timezone.timedelta(seconds=3)
    ArticleFactory(headline="خبر مجدول يظهر في موعده", published_at=due)

    before = edge.get("/")
    assert before.status == 200
    assert "خبر مجدول يظهر في موعده" not in before.text
    assert edge.get("/").cache == "HIT"

    response = poll(
        lambda: edge.get("/"), lambda r: "خبر مجدول يظهر في موعده" in r.text, 5
    )
    assert "خبر مجدول يظهر في موعده" in response.text, response
    assert timezone.now() >= due
    assert timezone.now() < due + timezone.timedelta(seconds=2)


@pytest.mark.parametrize("url", ["/account/login/", "/en/account/login/"])
def test_account_pages_are_never_cached(edge, url):
    first, second = edge.get(url), edge.get(url)

    assert first.status == second.status == 200
    assert first.cache == second.cache == "MISS"


def test_state_endpoint_answers_each_reader_for_themselves(edge):
    article = ArticleFactory()
    reader = UserFactory(verified=True)
    SavedArticle.objects.create(user=reader, article=article)
    url = f"/account/state/?a={article.pk}"
    cookie = {"Cookie": session_cookie(reader)}

    signed_in = [edge.get(url, headers=cookie) for _ in range(2)]
    anonymous = edge.get(url)

    for response in [*signed_in, anonymous]:
        assert response.status == 200
        assert response.cache == "MISS"
        assert "no-store" in response.headers["Cache-Control"]
    assert json.loads(anonymous.body) != json.loads(signed_in[0].body)
    assert str(article.pk) in signed_in[0].text
    assert str(article.pk) in signed_in[1].text


def test_posts_pass_to_the_origin_with_the_session(edge):
    article = ArticleFactory()
    reader = UserFactory(verified=True)
    csrf_cookie = f"{settings.CSRF_COOKIE_NAME}={CSRF_SECRET}"
    headers = {
        "Cookie": f"{session_cookie(reader)}; {csrf_cookie}",
        "X-CSRFToken": CSRF_SECRET,
        "Accept": "application/json",
    }

    responses = [
        edge.request("POST", f"/articles/{article.pk}/save/", headers=headers)
        for _ in range(2)
    ]

    assert [r.status for r in responses] == [200, 200]
    assert [r.cache for r in responses] == ["MISS", "MISS"]
    assert SavedArticle.objects.filter(user=reader, article=article).exists()


def test_tracking_parameters_hit_the_page_without_them(edge):
    ArticleFactory()
    home = edge.get("/")

    tagged = edge.get("/?utm_source=x&utm_campaign=y&fbclid=abc")
    bare = edge.get("/?")

    assert home.cache == "MISS"
    assert tagged.cache == bare.cache == "HIT"
    assert tagged.body == bare.body == home.body


def test_purge_by_key_from_the_app_host(edge):
    article = ArticleFactory()
    edge.get(url_of(article))
    assert edge.get(url_of(article)).cache == "HIT"

    purge = edge.request("PURGE", "/", headers={"xkey-purge": f"article-{article.pk}"})

    assert purge.status == 200
    assert int(purge.text.split()[-1]) >= 1
    assert edge.get(url_of(article)).cache == "MISS"


def test_purge_from_anyone_else_is_refused(edge):
    article = ArticleFactory()
    edge.get(url_of(article))
    purge = {"xkey-purge": f"article-{article.pk}"}

    # Linux answers on all of 127/8; the ACL lets in 127.0.0.1 only.
    stranger = edge.request(
        "PURGE", "/", headers=purge, source_address=("127.0.0.2", 0)
    )
    # A proxy on the edge's host relaying a reader's request.
    relayed = edge.request(
        "PURGE", "/", headers={**purge, "X-Forwarded-For": "203.0.113.9"}
    )
    unknown_method = edge.request("BREW", "/")

    assert stranger.status == relayed.status == 403
    assert unknown_method.status == 405
    assert edge.get(url_of(article)).cache == "HIT"


def test_origin_down_serves_stale_pages_not_errors(own_edge):
    varnish = own_edge.varnish
    article = ArticleFactory()
    # A story due in two seconds ends the home page's life then.
    due = timezone.now() + timezone.timedelta(seconds=2)
    ArticleFactory(published_at=due)
    home, story = varnish.get("/"), varnish.get(url_of(article))
    assert home.status == story.status == 200
    time.sleep(max(0, (due - timezone.now()).total_seconds()) + 0.2)

    own_edge.stop_origin()
    # At once, before the probe can tell (it needs two failures a second
    # apart): the refetch of the expired page fails, and Varnish falls back
    # on its stale copy.
    assert varnish.backend_is_healthy()
    assert varnish.get("/").body == home.body
    # Once the probe marks the origin sick, the stale copy is served directly.
    healthy = poll(varnish.backend_is_healthy, lambda healthy: not healthy, 5)
    assert not healthy

    for url, before in [("/", home), (url_of(article), story)]:
        response = varnish.get(url)
        assert response.status == 200
        assert response.body == before.body
    assert varnish.get("/opinion/").status == 503


def test_a_search_flood_is_stopped_at_the_edge(own_edge, settings):
    # The origin's own limit out of the way: what answers 429 here is Varnish.
    settings.SEARCHES_PER_MINUTE = 100_000
    ArticleFactory(headline="اجتماع وزراء الطاقة العرب")
    varnish = own_edge.varnish

    def search(word):
        return varnish.get(iri_to_uri(f"/search/?q={word}"))

    statuses = [search(f"طاقة{n}").status for n in range(32)]

    assert statuses == [200] * 30 + [429, 429]
    refused = search("أخرى")
    assert refused.headers["Retry-After"] == "60"
    assert "بحثت كثيرًا" in refused.text
    # What the edge has stored is served whatever the count, and other pages
    # are untouched.
    assert search("طاقة0").status == 200
    assert varnish.get("/").status == 200
