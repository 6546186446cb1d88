"""Live coverage: a story page that grows by dated updates while news breaks.

The page is an ordinary public page (one document for every reader, purged
when an update is published, edited or deleted). Open pages learn of new
updates by polling `updates`, a small public document the edge serves to all
of them and that the same purge refreshes (static/js/live.js). The desk side
(posting, reviewing, ending the coverage) is articles/editing/live_desk.py.
"""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.http import http_date
from django.utils.text import Truncator

from newsroom import edge

from .blocks import render_bodies
from .cache import key, public_page
from .models import Article, LiveUpdate

# Updates on the page itself: hours of coverage, more than any day needs.
PAGE_UPDATES = 300
# Updates in each answer to the open pages: a reader away longer than it
# takes to post this many reloads (the script offers it).
POLL_UPDATES = 20
# In the structured data: the newest ones, as search engines show them.
JSON_LD_UPDATES = 50


def shown_updates(article, limit=PAGE_UPDATES):
    """The live page's published updates, newest first, each with its body
    rendered as `update.rendered` (articles.blocks.Body); all of them in a
    fixed number of queries."""
    updates = list(
        LiveUpdate.objects.filter(article=article)
        .published()
        .select_related("author")[:limit]
    )
    for update, body in zip(
        updates, render_bodies([u.body for u in updates]), strict=True
    ):
        update.rendered = body
    return updates


def live_context(article, body):
    """What the story page adds for a live page; the updates' embeds and
    "read also" stories join `body`'s (frame-src, purge keys)."""
    updates = shown_updates(article)
    for update in updates:
        for host in update.rendered.frame_hosts:
            if host not in body.frame_hosts:
                body.frame_hosts.append(host)
        body.stories.extend(update.rendered.stories)
    return {
        "live_updates": updates,
        "key_points": [update for update in updates if update.is_key_point],
    }


def last_change(article, updates):
    """Last-Modified of a live page: its own last edit or its newest update's."""
    return max(filter(None, [article.updated_at, *(u.updated_at for u in updates[:1])]))


@public_page
def updates(request, pk):
    """The newest updates of a live page, rendered as on the page, and
    whether the coverage has ended: what open pages poll. The same answer
    for everybody, so the edge serves the pollers; purged with the story."""
    article = get_object_or_404(Article.objects.published().filter(is_live=True), pk=pk)
    latest = shown_updates(article, limit=POLL_UPDATES)
    key_points = list(
        LiveUpdate.objects.filter(article=article, is_key_point=True)
        .published()
        .only("pk", "title", "body", "published_at")[:PAGE_UPDATES]
    )
    response = JsonResponse(
        {
            "ended": not article.live_running,
            # Fewer updates than this: the page may drop any it holds that
            # are not among them (deleted).
            "limit": POLL_UPDATES,
            "updates": [
                {
                    "id": update.pk,
                    # Changes when the update is edited: the page replaces it.
                    "stamp": update.stamp,
                    "html": render_to_string(
                        "articles/_live_update.html",
                        {"update": update, "article": article},
                        request=request,
                    ),
                }
                for update in latest
            ],
            "key_points": render_to_string(
                "articles/_live_key_points.html",
                {"key_points": key_points},
                request=request,
            ),
        },
        json_dumps_params={"ensure_ascii": False},
    )
    response[edge.KEY_HEADER] = key(article)
    response["Last-Modified"] = http_date(last_change(article, latest).timestamp())
    return response


def live_blog_json_ld(data, article, updates):
    """Turn a story's NewsArticle markup into schema.org LiveBlogPosting:
    when the coverage started and ended, and its newest updates."""
    url = data["url"]
    data["@type"] = "LiveBlogPosting"
    data["coverageStartTime"] = (article.published_at or timezone.now()).isoformat()
    if article.live_ended_at:
        data["coverageEndTime"] = article.live_ended_at.isoformat()
    data["liveBlogUpdate"] = [
        {
            "@type": "BlogPosting",
            "headline": update_headline(update)[:110],
            "datePublished": update.published_at.isoformat(),
            "dateModified": update.updated_at.isoformat(),
            "articleBody": strip_tags(update.body),
            "url": f"{url}#{update.anchor}",
            **(
                {"author": {"@type": "Person", "name": update.author.name}}
                if update.author
                else {}
            ),
        }
        for update in updates[:JSON_LD_UPDATES]
    ]
    return data


def update_headline(update):
    """An update's title, or its first words when it has none."""
    return update.title or Truncator(strip_tags(update.body)).words(12)


# The desk's actions ---------------------------------------------------------


def end_coverage(article, when=None):
    """Stop the coverage: the badge goes, open pages stop polling."""
    article.live_ended_at = when or timezone.now()
    article.save(update_fields=["live_ended_at", "updated_at"])


def resume_coverage(article):
    article.live_ended_at = None
    article.save(update_fields=["live_ended_at", "updated_at"])
