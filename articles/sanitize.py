"""The allow-list for article bodies: what a news story needs, nothing more.

It matches what the admin's editor can produce (articles/forms.py,
BODY_EDITOR_EXTENSIONS); tests/articles/test_admin_editor.py keeps the two in
step."""

import nh3

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


def sanitize_body(html: str) -> str:
    """Clean rich text from the editor; whatever the browser sent, only the
    allow-list survives (no scripts, event handlers, styles or javascript: links)."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()
