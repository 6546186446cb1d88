"""An action an anonymous reader asked for, carried through sign-up or login.

Pressing "save" (or "follow") while logged out stores the wish in the
session, server-side, so it cannot be forged by a link. It is carried out
right after the reader signs up or logs in, but only when they come back to
the page they started from (so a stray prompt visit does not save things
behind a reader's back later), and only within an hour.
"""

import time
from urllib.parse import urlsplit

from django.utils.http import url_has_allowed_host_and_scheme

from articles.models import Article

from . import services
from .models import Follow

SESSION_KEY = "accounts_pending_action"
MAX_AGE = 60 * 60


def remember(request, *, action: str, kind: str, target_id: int, next_url: str):
    request.session[SESSION_KEY] = {
        "action": action,
        "kind": kind,
        "id": target_id,
        "next": next_url,
        "at": int(time.time()),
    }


def peek(request) -> dict | None:
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > MAX_AGE:
        return None
    return pending


def complete(request, redirect_to: str) -> str | None:
    """Carry out the pending action for the now logged-in reader.

    Returns "save" or "follow" when something was done, else None.
    """
    pending = peek(request)
    forget(request)
    if pending is None or pending.get("next") != redirect_to:
        return None
    return carry_out(
        request.user, (pending.get("action"), pending.get("kind"), pending.get("id"))
    )


def forget(request) -> None:
    request.session.pop(SESSION_KEY, None)


def for_link(request, next_url: str) -> tuple[str, str, int] | None:
    """The pending action, as (action, kind, id), for a verification link
    that leads to `next_url`: only the one complete() would carry out there."""
    pending = peek(request)
    if pending is None or pending.get("next") != next_url:
        return None
    return pending.get("action"), pending.get("kind"), pending.get("id")


def carry_out(user, action: tuple) -> str | None:
    """Do (action, kind, id) for `user`: "save" or "follow" when done, None
    when the target is gone or readers may no longer see it."""
    verb, kind, target_id = action
    target = resolve_target(kind, target_id)
    if target is None:
        return None
    if verb == "save" and kind == "article":
        services.save_article(user=user, article=target)
        return "save"
    if verb == "follow" and kind != "article":
        services.follow(user=user, kind=kind, target=target)
        return "follow"
    return None


def is_safe_next(request, candidate: str) -> bool:
    """Whether `candidate` points at this site, and not back at this page."""
    return bool(
        candidate
        and url_has_allowed_host_and_scheme(
            candidate,
            allowed_hosts={request.get_host()},
            require_https=request.is_secure(),
        )
        # Back to the page that asked would loop.
        and urlsplit(candidate).path != request.path
    )


def safe_next(request, default: str) -> str:
    """The `next` parameter if it points at this site, else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    return candidate if is_safe_next(request, candidate) else default


def resolve_target(kind, pk):
    """The published article, or the section, tag or author readers may
    follow (Follow.followable), named by kind and id."""
    if not isinstance(pk, int):
        return None
    if kind == "article":
        return Article.objects.published().filter(pk=pk).first()
    targets = Follow.followable(kind)
    return targets.filter(pk=pk).first() if targets is not None else None
