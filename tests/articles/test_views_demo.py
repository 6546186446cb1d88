"""Every reader page on the demo content (`manage.py seed_demo`)."""

import io

import feedparser
import pytest
from django.core.management import call_command
from django.urls import reverse

from articles.management.commands import seed_demo
from articles.models import Article, Author, Section, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setattr(seed_demo, "IMAGE_COUNT", 3)
    call_command("seed_demo", stdout=io.StringIO())


def test_every_reader_page_renders_on_the_demo_content(
    demo, client, django_assert_max_num_queries
):
    published = Article.objects.published()
    pages = {
        "home": ("/", 13),
        "opinion": (reverse("articles:opinion"), 8),
        "news article": (published.exclude(article_type="opinion")[0], 10),
        "opinion column": (published.filter(article_type="opinion")[0], 10),
        "author": (Author.objects.filter(articles__in=published)[0], 8),
        "tag": (Tag.objects.filter(tagged_articles__isnull=False)[0], 8),
    }
    for section in Section.objects.all():
        pages[f"section {section.slug}"] = (section, 8)

    for name, (target, budget) in pages.items():
        url = target if isinstance(target, str) else target.get_absolute_url()
        with django_assert_max_num_queries(budget):
            response = client.get(url)
        assert response.status_code == 200, name
        content = response.content.decode()
        assert content.count("<h1") == 1, name
        assert '<link rel="canonical"' in content, name
        assert '<meta name="description" content="' in content, name


def test_demo_feeds_and_sitemaps_answer(demo, client):
    for url in [
        "/rss/",
        *(f"{s.get_absolute_url()}rss/" for s in Section.objects.all()),
    ]:
        feed = feedparser.parse(client.get(url).content)
        assert feed.bozo == 0, url
    assert len(feedparser.parse(client.get("/rss/").content).entries) == 50
    for url in ("/sitemap.xml", "/sitemap-articles.xml", "/sitemap-news.xml"):
        assert client.get(url).status_code == 200, url
