"""RSS 2.0 feeds: the whole site and each section, latest 50 published articles;
the latest 50 corrections and editor's notes on published articles."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.files.storage import default_storage
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Enclosure, Rss201rev2Feed
from django.utils.html import escape, strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from newsroom import edge
from newsroom.text import strip_control_characters

from .live import update_headline
from .models import Article, Correction, LiveUpdate, Section

FEED_SIZE = 50


class CleanRssFeed(Rss201rev2Feed):
    """RSS 2.0 that drops control characters instead of failing on them.

    Saving strips them (newsroom/text.py), but an UPDATE can still write some,
    and Django's XML writer refuses them: one bad headline would make a 500
    of the whole feed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.feed = _without_control_characters(self.feed)

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **kwargs)
        self.items[-1] = _without_control_characters(self.items[-1])


def absolute(path):
    """`path` at SITE_URL. Feed readers get the site's own address, as
    canonicals give it: Feed alone would add the request's Host."""
    return settings.SITE_URL + path


def _without_control_characters(fields):
    def clean(value):
        if isinstance(value, str):
            return strip_control_characters(value)
        if isinstance(value, list | tuple):  # categories, enclosures
            return [clean(item) for item in value]
        return value

    return {name: clean(value) for name, value in fields.items()}


class LatestArticlesFeed(Feed):
    feed_type = CleanRssFeed
    language = "ar"
    description = _("آخر الأخبار والتحليلات ومقالات الرأي.")

    def title(self):
        return _("%(site)s: آخر الأخبار") % {"site": settings.SITE_NAME}

    def link(self):
        return absolute(reverse("articles:home"))

    def feed_url(self):
        return absolute(reverse("articles:feed"))

    def articles(self):
        return Article.objects.published().for_listing().prefetch_related("tags")

    def items(self):
        return self.articles()[:FEED_SIZE]

    def item_title(self, article):
        return article.headline

    def item_link(self, article):
        return absolute(article.get_absolute_url())

    def item_description(self, article):
        # Feed readers render a description as HTML; ours is plain text, so
        # it is escaped: a writer's `<` stays a character, never markup.
        return escape(article.standfirst or article.meta_description)

    def item_author_name(self, article):
        return "، ".join(author.name for author in article.authors.all()) or None

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_categories(self, article):
        return [article.section.name, *(tag.name for tag in article.tags.all())]

    def item_enclosures(self, article):
        enclosure = lead_image_enclosure(article)
        return [enclosure] if enclosure else []


class SectionFeed(LatestArticlesFeed):
    def get_object(self, request, section):
        return get_object_or_404(Section, slug=section)

    def title(self, section):
        return f"{settings.SITE_NAME}: {section.name}"

    def link(self, section):
        return absolute(section.get_absolute_url())

    def feed_url(self, section):
        return absolute(reverse("articles:section_feed", args=[section.slug]))

    def description(self, section):
        return section.description or _("آخر أخبار قسم %(section)s.") % {
            "section": section.name
        }

    def items(self, section):
        return self.articles().in_section(section)[:FEED_SIZE]


class CorrectionsFeed(Feed):
    feed_type = CleanRssFeed
    language = "ar"
    description = _("التصحيحات وملاحظات المحرر على ما نشرناه، الأحدث أولًا.")

    def title(self):
        return _("%(site)s: تصحيحات") % {"site": settings.SITE_NAME}

    def link(self):
        return absolute(reverse("articles:corrections"))

    def feed_url(self):
        return absolute(reverse("articles:corrections_feed"))

    def items(self):
        return (
            Correction.objects.published()
            .select_related("article__section")
            .defer("article__body")
            .order_by("-created_at", "-pk")[:FEED_SIZE]
        )

    def item_title(self, correction):
        return f"{correction.get_kind_display()}: {correction.article.headline}"

    def item_description(self, correction):
        return escape(correction.text)  # plain text, as in LatestArticlesFeed

    def item_link(self, correction):
        # The note's anchor on the story page: a link, and a guid, per note.
        return absolute(correction.get_absolute_url())

    def item_pubdate(self, correction):
        return correction.created_at

    def item_categories(self, correction):
        return [correction.article.section.name]


class LiveUpdatesFeed(Feed):
    """A live page's updates, newest first: each links to its own anchor."""

    feed_type = CleanRssFeed
    language = "ar"

    def __call__(self, request, pk):
        response = super().__call__(request, pk=pk)
        response[edge.KEY_HEADER] = f"article-{pk}"  # purged with the page
        return response

    def get_object(self, request, pk):
        return get_object_or_404(
            Article.objects.published().filter(is_live=True), pk=pk
        )

    def title(self, article):
        return _("تغطية مباشرة: %(headline)s") % {"headline": article.headline}

    def link(self, article):
        return absolute(article.get_absolute_url())

    def feed_url(self, article):
        return absolute(reverse("articles:live_feed", args=[article.pk]))

    def description(self, article):
        return article.standfirst or article.headline

    def items(self, article):
        return (
            LiveUpdate.objects.filter(article=article)
            .published()
            .select_related("author", "article__section")[:FEED_SIZE]
        )

    def item_title(self, update):
        return update_headline(update)

    def item_description(self, update):
        # Its text, escaped as the other feeds' plain text is; pictures and
        # posts from other sites are on the page.
        return escape(Truncator(strip_tags(update.body)).words(120))

    def item_link(self, update):
        return absolute(update.get_absolute_url())

    def item_author_name(self, update):
        return update.author.name if update.author else None

    def item_pubdate(self, update):
        return update.published_at

    def item_updateddate(self, update):
        return update.updated_at


def lead_image_enclosure(article):
    """The lead image as an RSS enclosure: a mid-size 16:9 rendition (WebP).
    None until the renditions exist: the original is never published."""
    picture = article.picture
    if picture is None:
        return None
    entries = sorted(picture.renditions.get("16x9") or [], key=lambda e: e["width"])
    mid = [e for e in entries if e["width"] <= 960] or entries[:1]
    if not mid:
        return None
    name, mime_type = mid[-1]["name"], "image/webp"
    try:
        length = default_storage.size(name)
    except OSError:
        return None  # the file is gone; better no enclosure than a broken one
    url = default_storage.url(name)
    if not url.startswith(("http://", "https://")):
        url = absolute(url)
    return Enclosure(url, str(length), mime_type)
