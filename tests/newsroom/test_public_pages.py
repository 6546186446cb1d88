"""Public pages are one document for every reader (articles.cache)."""

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import Follow, SavedArticle
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    section = SectionFactory(name="اقتصاد", slug="اقتصاد")
    author = AuthorFactory(name="ريم العطار", slug="ريم-العطار")
    article = ArticleFactory(
        section=section, headline="الأسواق تترقب قرار الفائدة", tags=["أسواق"]
    )
    article.authors.add(author)
    CorrectionFactory(article=article)
    opinion = ArticleFactory(section=section, opinion=True, headline="رأي في الفائدة")
    opinion.authors.add(author)
    return {"section": section, "author": author, "article": article}


def public_urls(site):
    article = site["article"]
    tag = article.tags.first()
    return [
        "/",
        "/en/",
        site["section"].get_absolute_url(),
        article.get_absolute_url(),
        "/en" + article.get_absolute_url(),
        tag.get_absolute_url(),
        site["author"].get_absolute_url(),
        reverse("articles:opinion"),
        reverse("articles:corrections"),
        reverse("articles:corrections_feed"),
        reverse("articles:search") + "?q=الفائدة",
        reverse("articles:feed"),
        reverse("articles:section_feed", args=[site["section"].slug]),
        "/sitemap.xml",
        "/sitemap-news.xml",
        reverse("articles:page", kwargs={"slug": "terms"}),
        "/en/privacy/",
    ]


def test_a_public_page_is_byte_for_byte_the_same_signed_in(client, reader, site):
    SavedArticle.objects.create(user=reader.user, article=site["article"])
    Follow.objects.create(user=reader.user, section=site["section"])
    for url in public_urls(site):
        # One instant for both renders: the view beacon's token changes hourly.
        with time_machine.travel(timezone.now(), tick=False):
            cache.clear()  # each rendered afresh, not served from the page cache
            signed_in = reader.get(url)
            cache.clear()
            anonymous = client.get(url)
        assert anonymous.status_code == 200, url
        assert signed_in.content == anonymous.content, url
        for response in (anonymous, signed_in):
            assert "public" in response["Cache-Control"], url
            assert not response.cookies, url
            assert "cookie" not in response.get("Vary", "").lower(), url
            assert "Surrogate-Key" in response, url
