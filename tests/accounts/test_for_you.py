import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Follow
from articles.models import Tag
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

FOR_YOU = reverse("accounts:for_you")


def _hours_ago(hours):
    return timezone.now() - timezone.timedelta(hours=hours)


def test_for_you_shows_articles_matching_any_follow_newest_first(reader):
    section, other_section = SectionFactory(), SectionFactory()
    tag = Tag.objects.create(name="المناخ")
    author = AuthorFactory()
    Follow.objects.create(user=reader.user, section=section)
    Follow.objects.create(user=reader.user, tag=tag)
    Follow.objects.create(user=reader.user, author=author)
    ArticleFactory(headline="من القسم", section=section, published_at=_hours_ago(4))
    ArticleFactory(
        headline="بالوسم", section=other_section, tags=[tag], published_at=_hours_ago(3)
    )
    ArticleFactory(
        headline="للكاتب",
        section=other_section,
        authors=[author],
        published_at=_hours_ago(2),
    )
    # Matches all three follows: listed once.
    ArticleFactory(
        headline="يطابق الكل",
        section=section,
        tags=[tag],
        authors=[author],
        published_at=_hours_ago(1),
    )
    ArticleFactory(headline="لا يخصني", section=other_section)
    ArticleFactory(headline="مسودة", section=section, draft=True)
    ArticleFactory(headline="مسحوب", section=section, withdrawn=True)
    ArticleFactory(headline="مجدول", section=section, scheduled=True)

    response = reader.get(FOR_YOU)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    text = response.text
    order = [text.index(h) for h in ("يطابق الكل", "للكاتب", "بالوسم", "من القسم")]
    assert order == sorted(order)
    assert text.count("يطابق الكل</a>") == 1
    for hidden in ("لا يخصني", "مسودة", "مسحوب", "مجدول"):
        assert hidden not in text


def test_for_you_is_paginated_and_survives_junk_pages(reader):
    section = SectionFactory()
    Follow.objects.create(user=reader.user, section=section)
    ArticleFactory.create_batch(25, section=section)
    assert reader.get(FOR_YOU).text.count("card__title") == 20
    assert reader.get(FOR_YOU, {"page": 2}).text.count("card__title") == 5
    for junk in ["x", "-5", "0", "99999", "١", "1;DROP TABLE"]:
        assert reader.get(FOR_YOU, {"page": junk}).status_code == 200


def test_empty_for_you_suggests_sections_to_follow(reader):
    section = SectionFactory(name="الاقتصاد")
    response = reader.get(FOR_YOU)
    assert "صفحتك تنتظر اهتماماتك" in response.text
    assert "الاقتصاد" in response.text
    assert reverse("accounts:follow", kwargs={"kind": "section", "pk": section.pk}) in (
        response.text
    )


def test_for_you_shows_only_my_follows(reader, other_reader):
    section = SectionFactory()
    Follow.objects.create(user=other_reader.user, section=section)
    ArticleFactory(headline="لقارئ آخر", section=section)
    assert "لقارئ آخر" not in reader.get(FOR_YOU, {"user": other_reader.user.pk}).text


def test_for_you_requires_login(client):
    response = client.get(FOR_YOU)
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def _follow_fifty(user):
    sections = SectionFactory.create_batch(20)
    tags = [Tag.objects.create(name=f"وسم {n}") for n in range(15)]
    authors = AuthorFactory.create_batch(15)
    Follow.objects.bulk_create(
        [Follow(user=user, section=s) for s in sections]
        + [Follow(user=user, tag=t) for t in tags]
        + [Follow(user=user, author=a) for a in authors]
    )
    for n in range(30):
        ArticleFactory(
            section=sections[n % 20],
            tags=[tags[n % 15]],
            authors=[authors[n % 15]],
        )


def test_for_you_query_budget_with_fifty_follows(reader, django_assert_max_num_queries):
    _follow_fifty(reader.user)
    assert reader.user.follows.count() == 50
    # session + user, count, list, bylines prefetch, saved ids for the buttons,
    # plus the messages/session bookkeeping: fixed, whatever the follows.
    with django_assert_max_num_queries(8):
        response = reader.get(FOR_YOU)
    assert response.text.count("card__title") == 20


def test_for_you_list_is_one_query_with_subqueries_not_one_per_follow(reader):
    _follow_fifty(reader.user)
    with CaptureQueriesContext(connection) as few:
        reader.get(FOR_YOU)
    article_queries = [
        q["sql"] for q in few.captured_queries if 'FROM "articles_article"' in q["sql"]
    ]
    # One COUNT for the paginator and one SELECT for the page.
    assert len(article_queries) == 2
    listing = article_queries[-1]
    # Sections, tags and bylines: one IN subquery each, run once, no join
    # that could repeat an article and no DISTINCT.
    assert listing.upper().count("IN (SELECT") >= 3
    assert "DISTINCT" not in listing.upper()
    outer = listing.upper().split("WHERE")[0]
    assert "TAGGEDARTICLE" not in outer and "ARTICLEAUTHOR" not in outer


def test_for_you_query_count_does_not_depend_on_the_number_of_follows(reader):
    section = SectionFactory()
    Follow.objects.create(user=reader.user, section=section)
    ArticleFactory.create_batch(20, section=section)
    reader.get(FOR_YOU)  # warm the site-wide caches (navigation, ...)
    with CaptureQueriesContext(connection) as one_follow:
        reader.get(FOR_YOU)
    _follow_fifty(reader.user)
    reader.get(FOR_YOU)  # new sections changed the navigation: warm it again
    with CaptureQueriesContext(connection) as many_follows:
        reader.get(FOR_YOU)
    assert len(many_follows) == len(one_follow)


def test_for_you_is_capped_to_the_newest_matches(reader, monkeypatch):
    from accounts import views

    section = SectionFactory()
    Follow.objects.create(user=reader.user, section=section)
    ArticleFactory.create_batch(5, section=section)
    monkeypatch.setattr(views, "FOR_YOU_LIMIT", 3)
    response = reader.get(FOR_YOU)
    assert response.text.count("card__title") == 3
