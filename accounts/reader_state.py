"""What public pages cannot carry, for the state endpoint to tell their script.

Public pages are the same document for every reader (articles.cache), so
the reader's own bits come from `GET /account/state/?a=<ids>&f=<kind:id,…>`:
whether they are signed in and as whom, which of the page's articles they
saved and which of its sections, tags and authors they follow, a CSRF token
for the buttons, and the messages waiting for them.
"""

from django.contrib import messages
from django.db.models import BigIntegerField, Value
from django.middleware.csrf import get_token
from django.urls import reverse

from .models import Follow, SavedArticle

# A page shows a few dozen stories; the cap keeps junk requests cheap.
MAX_ITEMS = 200
MAX_ID = 2**63 - 1


def parse_ids(raw: str) -> list[int]:
    """Article ids from "12,13,14"; junk entries are skipped."""
    ids = []
    for part in raw.split(",")[:MAX_ITEMS]:
        part = part.strip()
        if part.isascii() and part.isdigit() and 0 < int(part) <= MAX_ID:
            ids.append(int(part))
    return ids


def parse_targets(raw: str) -> list[tuple[str, int]]:
    """Follow targets from "section:3,tag:7"; junk entries are skipped."""
    targets = []
    for part in raw.split(",")[:MAX_ITEMS]:
        kind, _, pk = part.strip().partition(":")
        ids = parse_ids(pk)
        if kind in Follow.Kind.values and ids:
            targets.append((kind, ids[0]))
    return targets


def marks(user, article_ids, targets) -> tuple[list[int], list[str]]:
    """Which of `article_ids` `user` saved, and which `targets` they follow
    (as "kind:id"), in one query: their saves among the page's articles,
    and all their follows (a few dozen at most), matched here."""
    null = Value(None, output_field=BigIntegerField())
    saves = (
        SavedArticle.objects.filter(user=user, article_id__in=article_ids)
        .values_list("article_id", null, null, null)
        .order_by()
    )
    follows = (
        Follow.objects.filter(user=user)
        .values_list(null, "section_id", "tag_id", "author_id")
        .order_by()
    )
    wanted = {f"{kind}:{pk}" for kind, pk in targets}
    saved, following = [], []
    for article_id, *follow in saves.union(follows, all=True):
        if article_id is not None:
            saved.append(article_id)
            continue
        for kind, pk in zip(Follow.Kind.values, follow, strict=True):
            if pk is not None and f"{kind}:{pk}" in wanted:
                following.append(f"{kind}:{pk}")
    return sorted(saved), sorted(following)


def _with_placeholder(name, **kwargs) -> str:
    # The URL for any id: reversed for id 0, which only the id part can be.
    return reverse(name, kwargs={**kwargs, "pk": 0}).replace("/0/", "/{id}/")


def toggle_urls() -> dict:
    """Where the buttons post, per kind: [to turn on, to turn off], with
    `{id}` for the item (the public pages' markup carries no such URLs)."""
    urls = {
        "article": [
            _with_placeholder("accounts:save"),
            _with_placeholder("accounts:unsave"),
        ]
    }
    for kind in Follow.Kind.values:
        urls[kind] = [
            _with_placeholder(f"accounts:{action}", kind=kind)
            for action in ("follow", "unfollow")
        ]
    return urls


def for_request(request) -> dict:
    """The endpoint's answer for this request's reader."""
    state = {
        "signed_in": False,
        # Reading them here marks them shown, as a rendered page would.
        "messages": [
            {"level": message.tags, "text": str(message)}
            for message in messages.get_messages(request)
        ],
    }
    user = request.user
    if user.is_authenticated:
        saved, following = marks(
            user,
            parse_ids(request.GET.get("a", "")),
            parse_targets(request.GET.get("f", "")),
        )
        state.update(
            signed_in=True,
            name=user.get_short_name(),
            csrf_token=get_token(request),
            saved=saved,
            following=following,
            toggle_urls=toggle_urls(),
        )
    return state
