import pytest
from django.utils import timezone

from articles.models import Article
from articles.views import front_page, section_blocks
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_published_keeps_only_due_published_articles():
    visible = ArticleFactory()
    for state in ("draft", "in_review", "withdrawn", "scheduled"):
        ArticleFactory(**{state: True})

    assert list(Article.objects.published()) == [visible]


def test_published_at_a_given_time_includes_stories_due_by_then():
    scheduled = ArticleFactory(scheduled=True)

    later = timezone.now() + timezone.timedelta(days=2)

    assert list(Article.objects.published(now=later)) == [scheduled]


def test_for_listing_gives_bylines_in_editorial_order_without_extra_queries(
    django_assert_num_queries,
):
    zahra, ahmad = AuthorFactory(name="زهراء"), AuthorFactory(name="أحمد")
    ArticleFactory(authors=[zahra, ahmad])
    ArticleFactory(authors=[ahmad, zahra])

    with django_assert_num_queries(2):
        bylines = [
            [author.name for author in article.authors.all()]
            for article in Article.objects.for_listing().order_by("pk")
        ]

    assert bylines == [["زهراء", "أحمد"], ["أحمد", "زهراء"]]


def test_related_to_ranks_by_shared_tags_and_skips_self_and_hidden():
    article = ArticleFactory(tags=["نفط", "أسعار", "أوبك"])
    three = ArticleFactory(tags=["نفط", "أسعار", "أوبك"])
    one = ArticleFactory(tags=["نفط"])
    ArticleFactory(tags=["نفط", "أسعار"], draft=True)
    ArticleFactory(tags=["رياضة"])

    assert list(Article.objects.related_to(article)) == [three, one]


def test_related_to_passes_over_stories_readers_cannot_see():
    article = ArticleFactory(tags=["نفط", "أسعار", "أوبك"])
    hidden = [
        ArticleFactory(tags=["نفط", "أسعار", "أوبك"], draft=True),
        ArticleFactory(tags=["نفط", "أسعار", "أوبك"], withdrawn=True),
        ArticleFactory(
            tags=["نفط", "أسعار", "أوبك"],
            published_at=timezone.now() + timezone.timedelta(hours=2),
        ),
    ]
    older = ArticleFactory(
        tags=["نفط"], published_at=timezone.now() - timezone.timedelta(days=2)
    )
    newer = ArticleFactory(tags=["أوبك"])

    related = list(Article.objects.related_to(article, limit=2))

    assert related == [newer, older]
    assert not set(related) & set(hidden)


def test_related_to_an_article_without_tags_is_empty():
    article = ArticleFactory()
    ArticleFactory(tags=["نفط"])

    assert list(Article.objects.related_to(article)) == []


def test_section_blocks_take_the_latest_few_per_section_in_one_query(
    django_assert_num_queries,
):
    sections = [SectionFactory(position=n) for n in range(5)]
    for section in sections:
        for hours in range(7):
            ArticleFactory(
                section=section,
                published_at=timezone.now() - timezone.timedelta(hours=hours + 1),
            )
    ArticleFactory(section=sections[0], draft=True)

    with django_assert_num_queries(1):
        blocks = section_blocks(Article.objects.published(), per_section=3)

    assert [section_id for section_id, _ in blocks] == [s.pk for s in sections]
    for section_id, ids in blocks:
        latest = Article.objects.published().in_section(section_id)[:3]
        assert ids == [story.pk for story in latest]


def test_front_page_query_count_does_not_grow_with_the_archive(
    django_assert_max_num_queries,
):
    sections = [SectionFactory() for _ in range(4)]
    for n in range(40):
        ArticleFactory(section=sections[n % 4], opinion=n % 6 == 0)

    with django_assert_max_num_queries(9):
        small = front_page()
    for n in range(80):
        ArticleFactory(section=sections[n % 4], opinion=n % 6 == 0)
    with django_assert_max_num_queries(9):
        large = front_page()

    assert small["lead"] and large["lead"]
