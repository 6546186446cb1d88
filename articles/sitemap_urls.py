"""Sitemaps are the same in every language, so they live outside i18n_patterns."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from .cache import LATEST, public_page
from .sitemaps import SITEMAPS, news_sitemap, sitemap_index

urlpatterns = [
    path("sitemap-news.xml", news_sitemap, name="sitemap-news"),
    path("sitemap.xml", sitemap_index, name="sitemap-index"),
    path(
        "sitemap-<section>.xml",
        public_page(sitemap_views.sitemap, keys=[LATEST]),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
]
