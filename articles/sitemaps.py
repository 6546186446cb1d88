"""Sitemaps: an index of sections, tags, authors and (paged) articles, and a
Google News sitemap of the last 48 hours."""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.db.models import Max, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from newsroom.text import strip_control_characters

from .cache import LATEST, changed_at, public_page
from .models import Article, Author, Section, Tag

NEWS_WINDOW = datetime.timedelta(hours=48)
NEWS_LIMIT = 1000  # Google News reads at most 1,000 URLs per sitemap


class ReaderSitemap(Sitemap):
    """URLs are always the Arabic (unprefixed) ones, whatever the request's
    Accept-Language says, because the sitemaps live outside i18n_patterns.
    They are at SITE_URL, as canonicals are, never at the request's Host."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def location(self, item):
        with translation.override(settings.LANGUAGE_CODE):
            return item.get_absolute_url()


class ArticleSitemap(ReaderSitemap):
    limit = 5000
    changefreq = "daily"

    def items(self):
        return (
            Article.objects.published()
            .select_related("section")
            .only("pk", "slug", "updated_at", "published_at", "section__slug")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, article):
        return changed_at(article)


class SectionSitemap(ReaderSitemap):
    changefreq = "hourly"
    priority = 0.8

    def items(self):
        return Section.objects.annotate(
            last_published=Max(
                "articles__published_at",
                filter=_published_filter("articles"),
            )
        ).order_by("position", "name")

    def lastmod(self, section):
        return section.last_published


class TagSitemap(ReaderSitemap):
    limit = 5000
    changefreq = "daily"

    def items(self):
        return (
            Tag.objects.filter(
                tagged_articles__content_object__in=Article.objects.published()
            )
            .distinct()
            .order_by("slug")
        )


class AuthorSitemap(ReaderSitemap):
    changefreq = "daily"

    def items(self):
        return (
            Author.objects.filter(articles__in=Article.objects.published())
            .distinct()
            .order_by("slug")
        )


def _published_filter(relation):
    # The published() gate, expressed through a relation for an aggregate.
    return Q(**{f"{relation}__in": Article.objects.published()})


SITEMAPS = {
    "sections": SectionSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "articles": ArticleSitemap,
}


@require_GET
@public_page(keys=[LATEST])
@x_robots_tag
def sitemap_index(request):
    """The index of SITEMAPS, each page of each, at SITE_URL: Django's own
    index view names the request's Host and has no hook to change it."""
    entries = []
    for name, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        url = settings.SITE_URL + reverse("sitemap-section", kwargs={"section": name})
        lastmod = sitemap.get_latest_lastmod()
        entries.append(SitemapIndexItem(url, lastmod))
        entries.extend(
            SitemapIndexItem(f"{url}?p={page}", lastmod)
            for page in range(2, sitemap.paginator.num_pages + 1)
        )
    return TemplateResponse(
        request,
        "sitemap_index.xml",
        {"sitemaps": entries},
        content_type="application/xml",
    )


@require_GET
@public_page(keys=[LATEST])
def news_sitemap(request):
    """Google News sitemap: articles published in the last 48 hours, and
    live pages while their coverage runs (and 48 hours after it ends)."""
    since = timezone.now() - NEWS_WINDOW
    live = Q(is_live=True) & (
        Q(live_ended_at__isnull=True) | Q(live_ended_at__gte=since)
    )
    articles = (
        Article.objects.published()
        .filter(Q(published_at__gte=since) | live)
        .select_related("section")
        .order_by("-published_at")[:NEWS_LIMIT]
    )
    base = settings.SITE_URL  # as canonicals, never the request's Host
    with translation.override(settings.LANGUAGE_CODE):
        entries = [
            {
                "loc": base + article.get_absolute_url(),
                "article": article,
                # Saving strips control characters, an UPDATE may not; one
                # would make the whole sitemap invalid XML.
                "title": strip_control_characters(article.headline),
            }
            for article in articles
        ]
    return TemplateResponse(
        request,
        "articles/sitemap_news.xml",
        {"entries": entries, "publication_name": settings.SITE_NAME},
        content_type="application/xml; charset=utf-8",
    )
