"""The allow-list for article bodies: what a news story needs, nothing more.

It matches what the admin's editor can produce (articles/editor.py,
EXTENSIONS); tests/articles/test_admin_editor.py keeps the two in
step. On top of it come the story-body blocks the server builds on save (a
post from another site, a "read also" box, a picture or gallery from the
media library; see _convert_blocks)."""

import re
from html import unescape
from urllib.parse import unquote, urlsplit

import nh3
from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils.html import escape

from .embeds import recognise

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "strong",
    "em",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
}
# Lists keep their numbering start; links get rel="noopener noreferrer
# nofollow" from nh3 whatever the editor sent.
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Classes the editor's NodeClass menu sets (articles/editor.py).
EDITOR_CLASSES = {"blockquote": {"pull-quote"}, "p": {"related"}}
# Built on save from a post's URL or a picture token, never kept as typed:
# the data-* values are rewritten from what was recognised.
BLOCK_TAGS = {"figure"}
BLOCK_ATTRIBUTES = {"figure": {"data-provider", "data-id", "data-url", "data-picture"}}
BLOCK_CLASSES = {"figure": {"embed", "picture"}}
# Pictures from the library (articles/blocks.py renders them). The editor
# inserts <figure class="picture" data-picture="12,13,14"> from its toolbar;
# a writer may also type a token alone in a paragraph ([صورة:12] for one
# picture, [معرض:12،13،14] for a gallery) or paste the admin address of a
# library picture. Either way the stored marker is rebuilt here, with the
# token as its text, so the body still reads sensibly without the editor.
PICTURE_TOKEN = re.compile(r"\s*\[\s*(صورة|معرض)\s*:\s*([\d\s,،]{1,200})\]\s*")
PICTURE_ADMIN_PATH = re.compile(r"/admin/articles/picture/(\d{1,9})/(?:change/)?")
PICTURE_IDS = re.compile(r"\d{1,9}(?:,\d{1,9}){0,19}")
# Ids of a database integer (PostgreSQL refuses bigger ones) and a sane
# gallery length.
MAX_PICTURE_ID = 2**31 - 1
MAX_GALLERY = 20


def sanitize_body(html: str) -> str:
    """Clean rich text from the editor; whatever the browser sent, only the
    allow-list survives (no scripts, event handlers, styles or javascript: links)."""
    body = _convert_blocks(_clean(html or ""))
    # nh3 leaves class="" where it removed a class it doesn't allow.
    return EMPTY_CLASS.sub(r"\1", _clean(body))


def _clean(body):
    return nh3.clean(
        body,
        tags=ALLOWED_TAGS | BLOCK_TAGS,
        attributes=ALLOWED_ATTRIBUTES | BLOCK_ATTRIBUTES,
        allowed_classes=EDITOR_CLASSES | BLOCK_CLASSES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def sanitize_page(html: str) -> str:
    """Clean a site page's rich text (articles.SitePage): the story allow-list
    without its classes and blocks, which only stories use."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


EMPTY_CLASS = re.compile(r'(<[a-z0-9]+[^>]*?) class=""')
TAG = re.compile(r"<(/?)([a-z0-9]+)([^>]*)>")
VOID_TAGS = {"br"}
HREF = re.compile(r'\bhref="([^"]*)"')
ATTRIBUTE = re.compile(r'\s([a-z-]+)="([^"]*)"')
ONLY_A_LINK = re.compile(r"\s*<a [^>]*>[^<]*</a>\s*")
BLOCK_START = re.compile(r"\s*<(?:p|h2|h3|ul|ol|blockquote|figure)\b")
ONLY_TEXT = re.compile(r"\s*([^<\s]+)\s*")


def top_level_blocks(body):
    """(start, end, tag, attributes, inner) of each top-level element of
    nh3's output, which is well-formed with double-quoted attributes."""
    depth = 0
    for match in TAG.finditer(body):
        closing, tag = match[1], match[2]
        if tag in VOID_TAGS:
            continue
        if not closing:
            if depth == 0:
                start, opening = match.start(), match
            depth += 1
            continue
        depth -= 1
        if depth == 0:
            attributes = {
                name: unescape(value) for name, value in ATTRIBUTE.findall(opening[3])
            }
            inner = body[opening.end() : match.start()]
            yield start, match.end(), tag, attributes, inner


def _convert_blocks(body):
    """Rebuild the blocks that carry meaning beyond the editor's markup.

    A paragraph holding only a link (or a bare URL) to a post we recognise
    becomes an embed; an embed whose URL isn't one becomes a plain link; a
    "read also" paragraph stays one only when it links to one of our stories.
    """
    out, last = [], 0
    for start, end, tag, attributes, inner in top_level_blocks(body):
        block = body[start:end]
        if tag == "figure" and attributes.get("class") == "picture":
            ids = picture_ids(attributes.get("data-picture"))
            ids = ids or _picture_reference(inner)
            block = _picture_html(ids) if ids else _embed_block("", inner)
        elif tag == "figure":
            block = _embed_block(attributes.get("data-url") or first_href(inner), inner)
        elif tag == "p" and attributes.get("class") == "related":
            if story_pk(first_href(inner)) is None:
                block = f"<p>{inner}</p>"
        elif tag == "p" and not attributes.get("class"):
            ids = _picture_reference(inner)
            url = "" if ids else _lone_url(inner)
            embed = recognise(url)
            if ids:
                block = _picture_html(ids)
            elif embed:
                block = _embed_html(embed)
        out += [body[last:start], block]
        last = end
    out.append(body[last:])
    return "".join(out)


def picture_ids(value):
    """The library picture ids a marker's data-picture holds (at most
    MAX_GALLERY, no repeats), or [] for anything else."""
    if not value or not PICTURE_IDS.fullmatch(value):
        return []
    ids = dict.fromkeys(int(i) for i in value.split(","))
    return [i for i in ids if 0 < i <= MAX_PICTURE_ID][:MAX_GALLERY]


def _picture_reference(inner):
    """The picture ids a paragraph holding only a token or a picture's admin
    address refers to, or []."""
    match = PICTURE_TOKEN.fullmatch(unescape(inner))
    if match:
        digits = re.split(r"[\s,،]+", match[2].strip())
        if not all(d.isdecimal() and len(d) <= 9 for d in digits):
            return []
        ids = picture_ids(",".join(str(int(d)) for d in digits[:MAX_GALLERY]))
        return ids if match[1] == "معرض" else ids[:1]
    url = _lone_url(inner)
    if _scheme(url) not in ("", "http", "https"):
        return []
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != urlsplit(settings.SITE_URL).netloc:
        return []
    match = PICTURE_ADMIN_PATH.fullmatch(parts.path)
    return picture_ids(match[1]) if match else []


def _picture_html(ids):
    word = "معرض" if len(ids) > 1 else "صورة"
    token = f"[{word}:{'،'.join(str(i) for i in ids)}]"
    return (
        f'<figure class="picture" data-picture="{",".join(map(str, ids))}">'
        f"{token}</figure>"
    )


def first_href(inner):
    match = HREF.search(inner)
    return unescape(match[1]) if match else ""


def _lone_url(inner):
    if ONLY_A_LINK.fullmatch(inner):
        return first_href(inner)
    match = ONLY_TEXT.fullmatch(inner)
    return unescape(match[1]) if match else ""


def _embed_html(embed):
    url = escape(embed.url)
    return (
        f'<figure class="embed" data-provider="{embed.provider.name}" '
        f'data-id="{escape(embed.id)}" data-url="{url}">'
        f'<a href="{url}">{url}</a></figure>'
    )


def _embed_block(url, inner):
    embed = recognise(url)
    if embed:
        return _embed_html(embed)
    if _scheme(url) in ("http", "https"):
        return f'<p><a href="{escape(url)}">{escape(url)}</a></p>'
    if not inner.strip() or BLOCK_START.match(inner):
        return inner
    return f"<p>{inner}</p>"


def _scheme(url):
    try:
        return urlsplit(url or "").scheme
    except ValueError:  # a malformed address, such as "http://[::1"
        return None


def story_pk(url):
    """The id of the story a link of ours points to, or None."""
    if _scheme(url) not in ("", "http", "https"):
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != urlsplit(settings.SITE_URL).netloc:
        return None
    try:
        match = resolve(unquote(parts.path) or "/")
    except Resolver404:
        return None
    if match.view_name != "articles:detail":
        return None
    return match.kwargs["pk"]
