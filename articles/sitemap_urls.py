"""Sitemaps are the same in every language, so they live outside i18n_patterns."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path
from django.views.decorators.cache import cache_control

from .sitemaps import SITEMAPS, news_sitemap

urlpatterns = [
    path("sitemap-news.xml", news_sitemap, name="sitemap-news"),
    path(
        "sitemap.xml",
        cache_control(public=True, max_age=300)(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap-index",
    ),
    path(
        "sitemap-<section>.xml",
        cache_control(public=True, max_age=300)(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
]
