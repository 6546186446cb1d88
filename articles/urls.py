from django.urls import path

from . import feeds, live, views
from .cache import CORRECTIONS, LATEST, public_page
from .models import SitePage
from .search import views as search_views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("rss/", public_page(feeds.LatestArticlesFeed(), keys=[LATEST]), name="feed"),
    path("opinion/", views.OpinionListView.as_view(), name="opinion"),
    path("corrections/", views.CorrectionListView.as_view(), name="corrections"),
    path(
        "corrections/rss/",
        public_page(feeds.CorrectionsFeed(), keys=[CORRECTIONS]),
        name="corrections_feed",
    ),
    path("search/", search_views.search, name="search"),
    # Fetched by static/js/site.js; `breaking` is a reserved slug.
    path("breaking/", views.breaking_strip, name="breaking"),
    path("tag/<uslug:slug>/", views.TagArticleListView.as_view(), name="tag"),
    path("author/<uslug:slug>/", views.AuthorArticleListView.as_view(), name="author"),
    # A live page's newest updates, polled by static/js/live.js, and its
    # feed; `live` is a reserved slug.
    path("live/<int:pk>/updates/", live.updates, name="live_updates"),
    path(
        "live/<int:pk>/rss/",
        public_page(feeds.LiveUpdatesFeed()),
        name="live_feed",
    ),
    # POSTed by static/js/site.js (sendBeacon); `articles/` is a reserved slug.
    path("articles/<int:pk>/view/", views.count_view, name="count_view"),
    # About, contact, terms, privacy, the corrections policy: one address
    # each, reserved from section slugs (models.RESERVED_SLUGS).
    *(
        path(f"{slug}/", views.site_page, {"slug": slug}, name="page")
        for slug in SitePage.Slug.values
    ),
    # Section slugs live at the root, so these come last.
    path("<uslug:section>/", views.SectionArticleListView.as_view(), name="section"),
    path(
        "<uslug:section>/rss/",
        public_page(feeds.SectionFeed(), keys=[LATEST]),
        name="section_feed",
    ),
    path(
        "<uslug:section>/<int:pk>-<uslug:slug>/",
        views.ArticleDetailView.as_view(),
        name="detail",
    ),
]
