"""Story-body blocks as readers see them.

The stored body (articles/sanitize.py) keeps an embed as a plain link in a
<figure class="embed"> and a "read also" box as a paragraph linking to a
story. On the page the first becomes a click-to-load placeholder that
requests nothing from the provider; the second shows the story's current
headline and URL, or nothing once it is no longer published."""

from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .embeds import recognise
from .models import Article
from .sanitize import first_href, story_pk, top_level_blocks


@dataclass
class Body:
    html: str
    # Hosts the reader may choose to load posts from (the page's frame-src).
    frame_hosts: list = field(default_factory=list)
    # The stories in its "read also" boxes, so the page is purged with them.
    stories: list = field(default_factory=list)


def render_body(body: str) -> Body:
    """The sanitised body with its embeds and "read also" boxes rendered."""
    blocks = list(top_level_blocks(body))
    related_pks = {
        story_pk(first_href(inner))
        for _, _, tag, attributes, inner in blocks
        if tag == "p" and attributes.get("class") == "related"
    }
    related_pks.discard(None)
    stories = (
        Article.objects.published().select_related("section").in_bulk(related_pks)
        if related_pks
        else {}
    )
    out, last, hosts, shown = [], 0, [], []
    for start, end, tag, attributes, inner in blocks:
        block = body[start:end]
        if tag == "figure" and attributes.get("class") == "embed":
            embed = recognise(attributes.get("data-url"))
            if embed:
                block = render_to_string("articles/_embed.html", {"embed": embed})
                if embed.provider.frame_host not in hosts:
                    hosts.append(embed.provider.frame_host)
        elif tag == "p" and attributes.get("class") == "related":
            story = stories.get(story_pk(first_href(inner)))
            block = ""
            if story:
                block = render_to_string("articles/_related_box.html", {"story": story})
                shown.append(story)
        out += [body[last:start], block]
        last = end
    out.append(body[last:])
    # Every piece is the sanitised body or an autoescaped template.
    return Body(mark_safe("".join(out)), hosts, shown)


def allow_frames(response, body: Body):
    """Let a page frame the providers of the posts it holds (and only those),
    for when the reader clicks; pages without embeds keep frame-src 'self'.
    The same attribute Django's csp_override decorator sets."""
    if body.frame_hosts:
        response._csp_config = {**settings.SECURE_CSP, "frame-src": body.frame_hosts}
    return response
