"""Reader pages: home, sections, articles, tags, authors, opinion; the view beacon."""

import hashlib
import ipaddress
import json
import time
from dataclasses import dataclass
from datetime import timedelta
from html import unescape
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models import F, Window, prefetch_related_objects
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView

from accounts.throttling import client_ip
from newsroom import edge
from newsroom.context_processors import site as site_context

from .blocks import allow_frames, render_body
from .cache import (
    BREAKING,
    CORRECTIONS,
    FRONT,
    LATEST,
    changed_at,
    key,
    key_versions,
    list_key,
    public_page,
    site_page_key,
)
from .fragments import render_blocks
from .images import largest_rendition
from .live import live_blog_json_ld, live_context
from .models import (
    Article,
    Author,
    Correction,
    FrontPagePin,
    RelatedArticle,
    Section,
    SitePage,
    Tag,
    byline_prefetch,
)
from .popularity import is_bot, most_read, record_view
from .tasks import flush_views_soon

SECTION_BLOCK_SIZE = 4
RELATED_LIMIT = 5
MORE_FROM_SECTION = 5


def _latest_change(articles):
    return max((changed_at(a) for a in articles if a), default=None)


# Listings -----------------------------------------------------------------


class PublishedArticleMixin:
    """What every reader page lists: published articles, ready for cards."""

    paginate_by = 20

    def get_queryset(self):
        return Article.objects.published().for_listing()


@method_decorator(public_page, name="dispatch")
class ArticleListView(PublishedArticleMixin, ListView):
    """A paginated list of story cards; subclasses narrow the queryset.

    Junk or out-of-range `?page=` answers 404 (ListView's own behaviour).
    """

    template_name = "articles/article_list.html"
    allow_empty = True
    show_sections = True  # cards name their section, except on a section page
    list_owner = None  # the section, tag or author whose list this is

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object_list"] = list(context["object_list"])
        context["last_modified"] = _latest_change(context["object_list"])
        context["show_sections"] = self.show_sections
        context["most_read"] = most_read()
        context["latest_headlines"] = latest_headlines()
        context["surrogate_keys"] = [
            list_key(self.list_owner) if self.list_owner else LATEST
        ]
        return context


class SectionArticleListView(ArticleListView):
    template_name = "articles/section.html"
    show_sections = False

    def get_queryset(self):
        self.section = self.list_owner = get_object_or_404(
            Section, slug=self.kwargs["section"]
        )
        return super().get_queryset().in_section(self.section)

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, **kwargs)


class TagArticleListView(ArticleListView):
    template_name = "articles/tag.html"

    def get_queryset(self):
        self.tag = self.list_owner = get_object_or_404(
            Tag.objects.published(), slug=self.kwargs["slug"]
        )
        return super().get_queryset().tagged(self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class AuthorArticleListView(ArticleListView):
    template_name = "articles/author.html"

    def get_queryset(self):
        self.author = self.list_owner = get_object_or_404(
            Author.objects.published(), slug=self.kwargs["slug"]
        )
        return super().get_queryset().by_author(self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class OpinionListView(ArticleListView):
    template_name = "articles/opinion.html"

    def get_queryset(self):
        return super().get_queryset().opinion()


@method_decorator(public_page, name="dispatch")
class CorrectionListView(ListView):
    """/corrections/: notes on public stories, newest first, each linking its
    story. Junk or out-of-range `?page=` answers 404, as on other listings."""

    template_name = "articles/correction_list.html"
    paginate_by = 20
    allow_empty = True

    def get_queryset(self):
        return (
            Correction.objects.published()
            .select_related("article__section")
            .defer("article__body")
            .order_by("-created_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object_list"] = corrections = list(context["object_list"])
        # A new note, or a new headline of a story listed here.
        context["last_modified"] = max(
            (max(c.created_at, changed_at(c.article)) for c in corrections),
            default=None,
        )
        context["surrogate_keys"] = [CORRECTIONS]
        return context


@public_page
def site_page(request, slug):
    """/about/, /terms/ and the other pages about the site (SitePage), in
    the interface's language when the editors wrote that version."""
    page = get_object_or_404(SitePage, slug=slug)
    title, body, arabic = page.in_language(get_language())
    return TemplateResponse(
        request,
        "articles/site_page.html",
        {
            "page": page,
            "title": title,
            # Sanitised on save (articles.sanitize.sanitize_page).
            "body": mark_safe(body),  # noqa: S308
            "arabic": arabic,
            "description": Truncator(unescape(strip_tags(body))).chars(200),
            "surrogate_keys": [site_page_key(page.slug)],
            "last_modified": page.updated_at,
        },
    )


LATEST_HEADLINES = 6


def latest_headlines(limit=LATEST_HEADLINES):
    """The latest published headlines, for the listing pages' rail."""
    return list(Article.objects.published().for_cards()[:limit])


# The article page ---------------------------------------------------------


@method_decorator(public_page, name="dispatch")
class ArticleDetailView(PublishedArticleMixin, DetailView):
    """The story page; any other section or slug for the id redirects (301)."""

    template_name = "articles/article_detail.html"

    def get_queryset(self):
        return super().get_queryset().defer(None)  # the story page shows the body

    def get(self, request, *args, **kwargs):
        try:
            self.object = self.get_object()  # by id alone; the rest is checked below
        except Http404:
            if Article.objects.filter(
                pk=kwargs["pk"], status=Article.Status.WITHDRAWN
            ).exists():
                # Gone for good, and said so, without a word of what it was
                # (stories are withdrawn for legal reasons too).
                return TemplateResponse(request, "articles/withdrawn.html", status=410)
            raise
        if (
            self.object.section.slug != kwargs["section"]
            or self.object.slug != kwargs["slug"]
        ):
            response = redirect(self.object.get_absolute_url(), permanent=True)
            # Purged with the story, so a new slug never redirects to an old one.
            response[edge.KEY_HEADER] = key(self.object)
            return response
        context = self.get_context_data(object=self.object)
        return allow_frames(self.render_to_response(context), context["body"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(get_article_context(self.object))
        return context


def get_article_context(article):
    """Everything `articles/article_detail.html` needs besides `article`.

    Shared with the staff preview in the admin, which renders the same
    template for an unpublished article. Sidebars only ever list published
    articles, whatever the state of `article` itself.
    """
    authors = bylines(article)
    tags = list(article.tags.all())
    # In the order they were made, as a reader follows the story's changes.
    corrections = list(article.corrections.order_by("created_at", "pk"))
    section_latest = list(
        Article.objects.published()
        .in_section(article.section_id)
        .exclude(pk=article.pk)
        .select_related("section", "picture")
        .defer("body")[: RELATED_LIMIT + MORE_FROM_SECTION]
    )
    related = related_headlines(article, section_latest)
    shown = {a.pk for a in related}
    more_from_section = [a for a in section_latest if a.pk not in shown][
        :MORE_FROM_SECTION
    ]
    url = settings.SITE_URL + article.get_absolute_url()
    body = render_body(article.body)
    live = live_context(article, body) if article.is_live else {}
    json_ld = news_article_json_ld(article, authors, tags, url, corrections)
    if article.is_live:
        live_blog_json_ld(json_ld, article, live["live_updates"])
    return {
        **live,
        "article": article,
        "body": body,
        "body_stories": body.stories,  # keys_shown: purged with them
        "authors": authors,
        "tags": tags,
        "corrections": corrections,
        "related_articles": related,
        "more_from_section": more_from_section,
        "most_read": most_read(),
        "share_links": share_links(article, url),
        "canonical_url": url,
        "og_image": absolute_image(article, "16x9"),
        "json_ld": json_ld_script(json_ld),
        "breadcrumb_json_ld": json_ld_script(breadcrumb_json_ld(article, url)),
        # Previews of drafts are not counted: no beacon, so no token.
        "count_views": article.is_published(),
        "view_token": view_token(article.pk) if article.is_published() else None,
        # The headlines beside the story change the page too.
        "last_modified": _latest_change([article, *related, *more_from_section]),
    }


def bylines(article):
    """The article's authors in byline order (prefetched by for_listing())."""
    if "authors" in getattr(article, "_prefetched_objects_cache", {}):
        return list(article.authors.all())
    return list(
        article.authors.order_by("articleauthor__position", "articleauthor__id")
    )


def related_headlines(article, section_latest, limit=RELATED_LIMIT):
    """Editor-picked headlines first, then shared tags, then the same section.

    Never the article itself, never an unpublished one: the stories are
    loaded fresh (one query), only if still published, whatever related_ids
    remembers.
    """
    ids = related_ids(article, limit)
    found = (
        Article.objects.published()
        .select_related("section", "picture")
        .defer("body")
        .in_bulk(ids)
    )
    related, seen = [], {article.pk}
    for candidate in [*(found[pk] for pk in ids if pk in found), *section_latest]:
        if candidate.pk not in seen:
            seen.add(candidate.pk)
            related.append(candidate)
    return related[:limit]


RELATED_IDS_SECONDS = 15 * 60


def related_ids(article, limit=RELATED_LIMIT):
    """Ids of the stories to suggest under `article`: the editor's picks in
    their order, then the stories sharing most tags (twice `limit`, as spares).

    Ranking counts every story sharing a tag (thousands on a busy tag), so
    the ids are kept for a few minutes under the version of the article's
    surrogate key: an edit of its tags or picks shows at once, a new story
    on the same subject within RELATED_IDS_SECONDS.
    """
    story = key(article)
    memo = f"related:{article.pk}:{key_versions([story])[story]}"
    ids = cache.get(memo)
    if ids is None:
        picks = RelatedArticle.objects.filter(from_article=article).order_by(
            "position", "pk"
        )
        by_tags = Article.objects.related_to(article, limit=limit * 2)
        ids = list(
            dict.fromkeys(
                [
                    *picks.values_list("to_article_id", flat=True),
                    *by_tags.values_list("pk", flat=True),
                ]
            )
        )
        cache.set(memo, ids, RELATED_IDS_SECONDS)
    return ids


SHARE_TARGETS = {
    "x": "https://x.com/intent/post?{}",
    "facebook": "https://www.facebook.com/sharer/sharer.php?{}",
    "whatsapp": "https://wa.me/?{}",
    "telegram": "https://t.me/share/url?{}",
    "email": "mailto:?{}",
}


def share_links(article, url):
    """Plain share links: no third-party script ever loads on our pages."""
    title = article.headline
    return [
        ("x", "X", SHARE_TARGETS["x"].format(urlencode({"url": url, "text": title}))),
        (
            "facebook",
            _("فيسبوك"),
            SHARE_TARGETS["facebook"].format(urlencode({"u": url})),
        ),
        (
            "whatsapp",
            _("واتساب"),
            SHARE_TARGETS["whatsapp"].format(urlencode({"text": f"{title} {url}"})),
        ),
        (
            "telegram",
            _("تيليغرام"),
            SHARE_TARGETS["telegram"].format(urlencode({"url": url, "text": title})),
        ),
        (
            "email",
            _("البريد الإلكتروني"),
            SHARE_TARGETS["email"].format(
                urlencode({"subject": title, "body": url}, quote_via=_quote)
            ),
        ),
    ]


def _quote(value, safe="", encoding=None, errors=None):
    # mailto: wants %20 for spaces, not "+".
    return quote(value, safe=safe, encoding=encoding, errors=errors)


def absolute(url):
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def absolute_image(article, crop):
    """The story's widest picture in `crop`, at an absolute address (Open
    Graph, JSON-LD), or None."""
    if article.picture_id is None:
        return None
    data = largest_rendition(article.picture.renditions, crop)
    if not data:
        return None
    return {**data, "src": absolute(data["src"])}


def breadcrumb_json_ld(article, url):
    """schema.org BreadcrumbList: the site, the story's section, the story."""
    trail = [
        (settings.SITE_NAME, settings.SITE_URL + "/"),
        (article.section.name, absolute(article.section.get_absolute_url())),
        (article.headline[:110], url),
    ]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": item}
            for n, (name, item) in enumerate(trail, start=1)
        ],
    }


def news_article_json_ld(article, authors, tags, url, corrections=()):
    """schema.org NewsArticle (OpinionNewsArticle for columns) as a dict,
    with its corrections and editor's notes as CorrectionComments."""
    images = [
        image["src"]
        for crop in ("16x9", "4x3", "1x1")
        if (image := absolute_image(article, crop))
    ]
    data = {
        "@context": "https://schema.org",
        "@type": "OpinionNewsArticle" if article.is_opinion() else "NewsArticle",
        "headline": article.headline[:110],
        "description": article.meta_description or article.standfirst,
        "inLanguage": "ar",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "articleSection": article.section.name,
        "keywords": [tag.name for tag in tags],
        "author": [
            {
                "@type": "Person",
                "name": author.name,
                "url": absolute(author.get_absolute_url()),
            }
            for author in authors
        ],
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": settings.SITE_URL + "/",
            "logo": {
                "@type": "ImageObject",
                "url": absolute(static("img/logo.png")),
                "width": 600,
                "height": 60,
            },
        },
    }
    if images:
        data["image"] = images
    if corrections:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": correction.text,
                "datePublished": correction.created_at.isoformat(),
            }
            for correction in corrections
        ]
    if article.published_at:
        data["datePublished"] = article.published_at.isoformat()
    data["dateModified"] = (article.updated_at or timezone.now()).isoformat()
    return data


def site_json_ld():
    """schema.org WebSite, with the search box results pages may show, and
    the publisher as a NewsMediaOrganization: the home page's markup."""
    home = settings.SITE_URL + "/"
    search = absolute(reverse("articles:search"))
    return {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "WebSite",
                "@id": f"{home}#website",
                "url": home,
                "name": settings.SITE_NAME,
                "inLanguage": "ar",
                "publisher": {"@id": f"{home}#publisher"},
                "potentialAction": {
                    "@type": "SearchAction",
                    "target": {
                        "@type": "EntryPoint",
                        "urlTemplate": f"{search}?q={{search_term_string}}",
                    },
                    "query-input": "required name=search_term_string",
                },
            },
            {
                "@type": "NewsMediaOrganization",
                "@id": f"{home}#publisher",
                "name": settings.SITE_NAME,
                "url": home,
                # A square logo: what search engines show beside the name.
                "logo": {
                    "@type": "ImageObject",
                    "url": absolute(static("img/icon-512.png")),
                    "width": 512,
                    "height": 512,
                },
            },
        ],
    }


_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld_script(data):
    """JSON for a <script type="application/ld+json"> block, escaped the way
    Django's json_script escapes, so no headline can close the element."""
    text = json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return mark_safe(text)  # noqa: S308 - escaped just above


# The home page ------------------------------------------------------------


TOP_STORIES = 6
FRONT_NEWS = 16  # the lead, the top stories and the "latest" rail


BREAKING_STORIES = 3
# A safety net under the purge: the strip is what readers must see change.
BREAKING_SECONDS = 60


def breaking_stories(published):
    """The breaking strip: the latest stories marked breaking, newest first."""
    return list(
        published.filter(is_breaking=True)
        .select_related("section")
        .defer("body")[:BREAKING_STORIES]
    )


@public_page(keys=[BREAKING], seconds=BREAKING_SECONDS)
def breaking_strip(request):
    """The breaking strip alone, which static/js/site.js fetches into every
    page but the home page (which has it inline): a breaking story marked or
    cleared purges this one small object, not every page of the site."""
    stories = breaking_stories(Article.objects.published())
    if not stories:
        return HttpResponse(content_type="text/html; charset=utf-8")
    return TemplateResponse(
        request,
        "articles/_breaking.html",
        {"breaking": stories, "last_modified": _latest_change(stories)},
    )


@public_page(keys=[LATEST, FRONT, BREAKING])
def home(request):
    context = front_page()
    context["json_ld"] = json_ld_script(site_json_ld())
    return TemplateResponse(request, "articles/home.html", context)


def front_page(now=None):
    """The front page in a fixed number of queries, whatever the archive size.

    Editors' live pins (FrontPagePin) take the lead, the top stories and the
    heads of section blocks, in their order; every place left fills itself
    as before, never with a story pinned elsewhere on the page.
    """
    now = now or timezone.now()
    published = Article.objects.published(now)
    pins = list(FrontPagePin.objects.for_front_page(now))
    live = [pin for pin in pins if pin.is_live(now)]
    lead, pinned_top, heads = place_pins(live)
    placed = [lead, *pinned_top, *(a for _, block in heads.values() for a in block)]
    placed_ids = [a.pk for a in placed if a]
    breaking = breaking_stories(published)
    if lead is None:
        lead = (
            published.filter(is_lead=True)
            .exclude(pk__in=placed_ids)
            .for_cards()
            .first()
        )
    news = list(
        published.exclude(article_type=Article.ArticleType.OPINION)
        .exclude(pk__in=placed_ids)
        .for_cards()[:FRONT_NEWS]
    )
    opinion = list(published.opinion().for_cards()[:12])
    prefetch_related_objects(
        [a for a in [lead, *pinned_top, *news, *opinion] if a], byline_prefetch()
    )
    if lead is None:
        # No story pinned or marked as lead: the latest one with a picture
        # ready to show (its renditions are made in the background).
        lead = next(
            (a for a in news if a.picture_id and a.picture.renditions),
            news[0] if news else None,
        )
    news = [a for a in news if a != lead]
    unpinned = TOP_STORIES - len(pinned_top)
    top_stories = [*pinned_top, *news[:unpinned]]
    latest = news[unpinned:][: FRONT_NEWS - TOP_STORIES]
    shown = {*placed_ids, *(a.pk for a in [lead, *top_stories] if a)}
    blocks = section_blocks(published.exclude(pk__in=shown), heads=heads)
    # A pin made, changed or started changes the page too.
    last_modified = max(
        filter(
            None,
            [
                _latest_change([lead, *placed, *news, *opinion]),
                *(pin.updated_at for pin in live),
                *(pin.starts_at for pin in live),
            ],
        ),
        default=None,
    )
    return {
        "breaking": breaking,
        "lead": lead,
        "top_stories": top_stories,
        "latest": latest,
        "section_blocks": render_section_blocks(blocks),
        "surrogate_keys": [k for block in blocks for k in block_keys(*block)],
        "columns": one_column_per_columnist(opinion),
        "most_read": most_read(),
        "last_modified": last_modified,
        # No edit happens when a pin starts or ends: the page expires then.
        "changes_at": min((pin.next_change(now) for pin in pins), default=None),
    }


_SLOT_PRECEDENCE = {
    FrontPagePin.Slot.LEAD: 0,
    FrontPagePin.Slot.TOP: 1,
    FrontPagePin.Slot.SECTION_HEAD: 2,
}


def place_pins(live_pins):
    """Live pins (in position order) in their places on the front page:
    (lead or None, [top story, …], {section_id: (section, [head, …])}).

    A story shows once: as the lead rather than a top story, as a top story
    rather than a section head. Pins beyond a place's room wait unseen.
    """
    lead, top, heads, placed = None, [], {}, set()
    # sorted() is stable: each slot's pins keep their position order.
    for pin in sorted(live_pins, key=lambda pin: _SLOT_PRECEDENCE[pin.slot]):
        if pin.article_id in placed:
            continue
        if pin.slot == FrontPagePin.Slot.LEAD:
            if lead is not None:
                continue
            lead = pin.article
        elif pin.slot == FrontPagePin.Slot.TOP:
            if len(top) == TOP_STORIES:
                continue
            top.append(pin.article)
        else:
            _, block = heads.setdefault(pin.section_id, (pin.section, []))
            if len(block) == SECTION_BLOCK_SIZE:
                continue
            block.append(pin.article)
        placed.add(pin.article_id)
    return lead, top, heads


SECTION_BLOCK_DAYS = 30


def section_blocks(queryset, per_section=SECTION_BLOCK_SIZE, heads=None):
    """The home page's section blocks in page order: [(section_id, [id, …])].

    One query whatever the number of sections, and of ids alone: the
    stories are loaded only for blocks that must be rendered
    (render_section_blocks). ROW_NUMBER() over each section (SQLite and
    PostgreSQL) picks them. `heads` ({section_id: (section, [article, …])},
    from place_pins) open their sections' blocks; the latest stories fill
    the rest.
    """
    # Only recent stories compete: the window then ranks a few thousand rows,
    # not the whole archive (a section silent for a month shows no block),
    # which PostgreSQL reads from the covering article_published_idx. The
    # winners come straight out of the window, newest first: joined back to
    # the articles table instead, the planner misjudges their number and
    # reads all of it.
    recent = timezone.now() - timedelta(days=SECTION_BLOCK_DAYS)
    rows = (
        queryset.filter(published_at__gte=recent)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("section_id"),
                order_by=F("published_at").desc(),
            )
        )
        .filter(rank__lte=per_section)
        .order_by("-published_at", "-pk")
        .values_list("section_id", "section__position", "section__name", "pk")
    )
    blocks = {
        section_id: ((section.position, section.name), [a.pk for a in pinned])
        for section_id, (section, pinned) in (heads or {}).items()
    }
    for section_id, position, name, pk in rows:
        _, ids = blocks.setdefault(section_id, ((position, name), []))
        if len(ids) < per_section:
            ids.append(pk)
    # In the sections' order (Section.Meta), pinned sections among the others.
    ordered = sorted(blocks.items(), key=lambda item: item[1][0])
    return [(section_id, ids) for section_id, (_, ids) in ordered]


@dataclass(frozen=True)
class SectionBlock:
    """A rendered section block: which section and stories, and its HTML."""

    section_id: int
    ids: list[int]
    html: str  # safe


def render_section_blocks(blocks):
    """[SectionBlock] for [(section_id, [id, …])]: the HTML of each is
    rendered again only when a story in it, or its section, changes
    (articles.fragments)."""

    def contexts_for(missing):
        articles = Article.objects.filter(
            pk__in=[pk for _, ids in missing for pk in ids]
        ).for_cards()
        articles = {article.pk: article for article in articles}
        contexts = []
        for _section_id, ids in missing:
            # A story deleted since the ids were read is left out.
            stories = [articles[pk] for pk in ids if pk in articles]
            contexts.append(
                stories
                and {
                    "section": stories[0].section,
                    "articles": stories,
                    **site_context(None),  # ARABIC, as in pages
                }
            )
        return contexts

    html = render_blocks(
        "articles/_section_block.html",
        [
            ((section_id, tuple(ids)), block_keys(section_id, ids))
            for section_id, ids in blocks
        ],
        contexts_for,
    )
    return [
        SectionBlock(section_id, ids, block)
        for (section_id, ids), block in zip(blocks, html, strict=True)
        if block
    ]


def block_keys(section_id, ids):
    """The surrogate keys of a section block: its section and its stories."""
    return [f"section-{section_id}", *(f"article-{pk}" for pk in ids)]


def one_column_per_columnist(columns, limit=4):
    """The latest column of each of the most recent columnists."""
    picked, seen = [], set()
    for column in columns:
        authors = list(column.authors.all())
        author = authors[0] if authors else None
        key = author.pk if author else f"article-{column.pk}"
        if key not in seen:
            seen.add(key)
            picked.append((author, column))
    return picked[:limit]


# The view beacon ----------------------------------------------------------

BEACON_DEDUPE_SECONDS = 300
BEACON_PER_MINUTE = 30

# The page token. A beacon counts only with the token its article's public
# page carries, signed for that article. The page is one document for every
# reader, cached whole, so the token cannot be per reader or per request: it
# is stamped with the hour it was made in, not the second, and every copy of
# the page rendered within the hour (s-maxage runs out every few minutes) is
# byte for byte the same. It must outlive every copy a reader can still be
# handed: stamped up to VIEW_TOKEN_STEP before the page was rendered, kept
# for PAGE_CACHE_SECONDS, then up to EDGE_GRACE_SECONDS more by the edge when
# the origin fails, and read in a tab that may stay in the background for a
# while before its beacon goes.
VIEW_TOKEN_SALT = "articles.views.count_view"
VIEW_TOKEN_STEP = 60 * 60
EDGE_GRACE_SECONDS = 24 * 60 * 60  # beresp.grace in deploy/varnish/newsroom.vcl
VIEW_TOKEN_READING_SECONDS = 24 * 60 * 60


class _HourlySigner(signing.TimestampSigner):
    """A TimestampSigner whose stamps are rounded down to VIEW_TOKEN_STEP."""

    def timestamp(self):
        now = int(time.time())
        return signing.b62_encode(now - now % VIEW_TOKEN_STEP)


def view_token(article_id):
    """The beacon token that article `article_id`'s public page carries."""
    return _HourlySigner(salt=VIEW_TOKEN_SALT).sign(str(article_id))


def _view_token_max_age():
    return (
        VIEW_TOKEN_STEP
        + settings.PAGE_CACHE_SECONDS
        + EDGE_GRACE_SECONDS
        + VIEW_TOKEN_READING_SECONDS
    )


def _has_view_token(request, pk):
    """True when the request carries a token its article's page handed out."""
    try:
        value = _HourlySigner(salt=VIEW_TOKEN_SALT).unsign(
            request.GET.get("token", ""), max_age=_view_token_max_age()
        )
    except signing.BadSignature:  # missing, junk, forged or expired
        return False
    return value == str(pk)


def _network(address):
    """The IPv4 /24 or IPv6 /64 that `address` belongs to.

    Limits count networks, not addresses: a single home line is handed a
    whole /64, and addresses within a /24 come cheap, so one reader could
    otherwise count as many.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # "unknown", or whatever a trusted proxy wrote
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 64
    return ipaddress.ip_network((ip, prefix), strict=False).with_prefixlen


def _network_key(request):
    # The same notion of "client address" as the login throttles, so one
    # THROTTLE_TRUSTED_PROXIES setting serves both behind a load balancer;
    # hashed, so that no address sits in the cache in clear.
    return hashlib.sha256(_network(client_ip(request)).encode()).hexdigest()[:16]


def _same_origin(request):
    """Browsers send Sec-Fetch-Site/Origin with sendBeacon; other sites fail."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin.split("://", 1)[-1] == request.get_host()
    return True


def _allowed(request, pk):
    network = _network_key(request)
    now = timezone.now().timestamp()
    # One view per network per article in each window of a few minutes:
    # reloads, and the many addresses of one network, do not count again.
    # Windows are numbered, like the rate's minutes, so that they turn with
    # the app's clock whatever the cache's own expiry does.
    window = int(now // BEACON_DEDUPE_SECONDS)
    seen = f"views:seen:{network}:{pk}:{window}"
    if not cache.add(seen, 1, BEACON_DEDUPE_SECONDS):
        return False
    minute = int(now // 60)
    key = f"views:rate:{network}:{minute}"
    cache.add(key, 0, 120)
    try:
        return cache.incr(key) <= BEACON_PER_MINUTE
    except ValueError:
        return True


@csrf_exempt  # No cookie or session is read or changed; Origin is checked.
@require_POST
@never_cache
def count_view(request, pk):
    """Count one view of article `pk`, sent by navigator.sendBeacon.

    Counting here rather than in the article view keeps article pages
    cacheable: a page served by a CDN still sends its beacon. It counts only
    with the token of the article's page, once per network in a while, and
    only a story readers can see now (the one query, made last, so only for
    a beacon that passed everything else). The answer is always 204 so the
    endpoint tells nothing about what was counted.
    """
    if (
        not is_bot(request.headers.get("User-Agent"))
        and _same_origin(request)
        and _has_view_token(request, pk)
        and _allowed(request, pk)
        and Article.objects.published().filter(pk=pk).exists()
    ):
        record_view(pk)
        flush_views_soon()
    return HttpResponse(status=204)
