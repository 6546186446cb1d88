import pytest
from django.utils import timezone

from articles.models import Article, Tag
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_scheduled_article_is_invisible_until_its_time():
    when = timezone.now() + timezone.timedelta(hours=3)
    article = ArticleFactory(published_at=when)

    assert not Article.objects.published().filter(pk=article.pk).exists()
    assert not article.is_published()
    assert article.is_scheduled()
    later = when + timezone.timedelta(seconds=1)
    assert Article.objects.published(now=later).filter(pk=article.pk).exists()
    assert article.is_published(now=later)


@pytest.mark.parametrize("trait", ["draft", "in_review", "withdrawn"])
def test_unpublished_states_are_never_visible(trait):
    ArticleFactory(**{trait: True})

    assert not Article.objects.published().exists()


def test_publish_sets_a_time_and_withdraw_hides():
    article = ArticleFactory(draft=True)

    article.publish()
    assert article.published_at is not None
    assert Article.objects.published().filter(pk=article.pk).exists()

    article.withdraw()
    assert not Article.objects.published().filter(pk=article.pk).exists()


def test_every_save_keeps_a_revision():
    article = ArticleFactory(headline="الأول")
    article.headline = "الثاني"
    article.save()

    assert list(article.history.values_list("headline", flat=True)) == [
        "الثاني",
        "الأول",
    ]


def test_arabic_tag_slugs_are_distinct_and_never_empty():
    names = ["؟", "!!", "مُحَمَّد", "محمد", "محمّد", "الذكاء الاصطناعي"]
    tags = [Tag.objects.create(name=name) for name in names]

    slugs = [tag.slug for tag in tags]
    assert all(slugs)
    assert len(set(slugs)) == len(slugs)
    assert tags[-1].slug == "الذكاء-الاصطناعي"


def test_empty_headline_slug_falls_back_to_a_word():
    article = ArticleFactory(headline="؟؟", slug="")

    assert article.slug == "مقال"
