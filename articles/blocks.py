"""Story-body blocks as readers see them.

The stored body (articles/sanitize.py) keeps an embed as a plain link in a
<figure class="embed"> and a "read also" box as a paragraph linking to a
story. On the page the first becomes a click-to-load placeholder that
requests nothing from the provider; the second shows the story's current
headline and URL, or nothing once it is no longer published. A picture
marker becomes the library picture in a responsive <figure>, several (in one
marker or in consecutive ones) a gallery; a deleted picture shows nothing."""

from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .embeds import recognise
from .images import picture_srcset
from .models import Article, Picture
from .sanitize import first_href, picture_ids, story_pk, top_level_blocks


@dataclass
class Body:
    html: str
    # Hosts the reader may choose to load posts from (the page's frame-src).
    frame_hosts: list = field(default_factory=list)
    # The stories in its "read also" boxes, so the page is purged with them.
    stories: list = field(default_factory=list)
    # The library pictures it shows.
    pictures: list = field(default_factory=list)


def render_body(body: str) -> Body:
    """The sanitised body with its embeds, "read also" boxes and pictures
    rendered (one query for the stories, one for the pictures)."""
    return render_bodies([body])[0]


def render_bodies(bodies: list[str]) -> list[Body]:
    """Several bodies (a live page's updates) rendered with the same two
    queries as one."""
    parsed = [list(top_level_blocks(body)) for body in bodies]
    every_block = [block for blocks in parsed for block in blocks]
    related_pks = {
        story_pk(first_href(inner))
        for _, _, tag, attributes, inner in every_block
        if tag == "p" and attributes.get("class") == "related"
    }
    related_pks.discard(None)
    stories = (
        Article.objects.published().select_related("section").in_bulk(related_pks)
        if related_pks
        else {}
    )
    pictures = _pictures(every_block)
    return [
        _render(body, blocks, stories, pictures)
        for body, blocks in zip(bodies, parsed, strict=True)
    ]


def _render(body, blocks, stories, pictures):
    # (start, end, html) of each block rendered differently from its markup;
    # for pictures, (start, end, [ids]) until the run of markers is complete.
    replaced, hosts, shown, shown_pictures = [], [], [], []
    for start, end, tag, attributes, inner in blocks:
        if tag == "figure" and attributes.get("class") == "picture":
            ids = picture_ids(attributes.get("data-picture"))
            previous = replaced[-1] if replaced else None
            if (
                previous
                and isinstance(previous[2], list)
                and not body[previous[1] : start].strip()
            ):
                replaced[-1] = (previous[0], end, previous[2] + ids)
            else:
                replaced.append((start, end, ids))
        elif tag == "figure" and attributes.get("class") == "embed":
            embed = recognise(attributes.get("data-url"))
            if embed:
                html = render_to_string("articles/_embed.html", {"embed": embed})
                replaced.append((start, end, html))
                if embed.provider.frame_host not in hosts:
                    hosts.append(embed.provider.frame_host)
        elif tag == "p" and attributes.get("class") == "related":
            story = stories.get(story_pk(first_href(inner)))
            html = ""
            if story:
                html = render_to_string("articles/_related_box.html", {"story": story})
                shown.append(story)
            replaced.append((start, end, html))
    out, last = [], 0
    for start, end, html in replaced:
        if isinstance(html, list):
            found = [pictures[pk] for pk in dict.fromkeys(html) if pk in pictures]
            shown_pictures += found
            html = _render_pictures(found)
        out += [body[last:start], html]
        last = end
    out.append(body[last:])
    # Every piece is the sanitised body or an autoescaped template.
    return Body(mark_safe("".join(out)), hosts, shown, shown_pictures)


def _pictures(blocks):
    """{pk: Picture} for every picture the body's markers name, in one query."""
    pks = {
        pk
        for _, _, tag, attributes, _ in blocks
        if tag == "figure" and attributes.get("class") == "picture"
        for pk in picture_ids(attributes.get("data-picture"))
    }
    return Picture.objects.in_bulk(pks) if pks else {}


def _render_pictures(pictures):
    # A picture whose renditions are still to come shows nothing yet.
    items = [
        {"picture": picture, "img": img}
        for picture in pictures
        if (img := picture_srcset(picture))
    ]
    if not items:
        return ""
    if len(items) == 1:
        return render_to_string("articles/_body_picture.html", items[0])
    return render_to_string("articles/_gallery.html", {"items": items})


def allow_frames(response, body: Body):
    """Let a page frame the providers of the posts it holds (and only those),
    for when the reader clicks; pages without embeds keep frame-src 'self'.
    The same attribute Django's csp_override decorator sets."""
    if body.frame_hosts:
        response._csp_config = {**settings.SECURE_CSP, "frame-src": body.frame_hosts}
    return response
