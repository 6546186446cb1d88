"""One-time sign-in codes and links: "e-mail me a code".

A request mails a six-digit code and a link to the same effect, valid for
CODE_MAX_AGE and once. The background worker, not the request, finds out
whether the address has an account (accounts.mail.deliver_login_code), so
asking takes as long, and answers the same, for any address.

Codes are kept in the database (accounts.models.LoginCode), not the cache:
the worker that issues a code and the web process that checks it share the
database whatever the cache is (a per-process cache would lose every code a
worker issues), a code survives a cache eviction or restart while its reader
types it, and a DELETE spends it once however many requests race. Only keyed
hashes are stored (HMAC with SECRET_KEY): a million codes are quickly tried
against a plain hash, not against a key the database does not hold.

Tries are counted in the cache, per address, for every address alike:
counted in the database, a wrong code would cost a write (and a commit's
flush) only where a code is waiting, which a stopwatch could tell apart from
an address without an account.
"""

import hashlib
import re
import secrets
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from newsroom.redis_cache import cache_available

from . import tokens
from .models import LoginCode

CODE_MAX_AGE = timedelta(minutes=10)
# Guesses at one code, then it dies (the link in the same message still
# works: it cannot be guessed, so spending it for a guesser's sake would only
# keep the owner out).
MAX_TRIES = 5
CODE = re.compile(r"[0-9]{6}")
# The count outlives the code a little, so a try at the last second counts.
_TRIES_TIMEOUT = int(CODE_MAX_AGE.total_seconds()) + 60

_CODE_SALT = "accounts.login-code"
_LINK_SALT = "accounts.login-link"


def issue(user, *, next_url: str = "", action=None) -> tuple[str, str]:
    """A new code and link secret for `user`, replacing any earlier pair.

    `next_url` and `action` (a pending save or follow: action, kind, id)
    ride along for the link, as with the verification link."""
    if len(next_url) > LoginCode._meta.get_field("next_url").max_length:
        next_url = ""  # any link that long is junk: home, rather than an error
    code = f"{secrets.randbelow(10**6):06d}"
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    LoginCode.objects.update_or_create(
        user=user,
        defaults={
            "code_hash": _code_digest(user, code),
            "link_hash": _link_digest(secret),
            "created_at": now,
            "expires_at": now + CODE_MAX_AGE,
            "next_url": next_url,
            "action": list(action) if action else None,
        },
    )
    return code, secret


def start_tries(email: str) -> None:
    """A new request for `email`: its code gets MAX_TRIES tries (called for
    every address, with or without an account)."""
    cache.set(_tries_key(email), 0, timeout=_TRIES_TIMEOUT)


def check_code(*, email: str, code: str):
    """The account whose live code for `email` is `code`, spending it; None
    for a wrong, old, used or worn-out code, or an address without one.

    The same work for any address until a code matches: one try counted,
    one query, one HMAC."""
    tries = _count_try(email)
    row = (
        LoginCode.objects.select_related("user")
        .filter(
            user__email__iexact=email,
            user__is_active=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    given = _code_digest(row.user if row else None, code, email=email)
    if (
        row is None
        or tries > MAX_TRIES
        or not constant_time_compare(row.code_hash, given)
    ):
        return None
    return spend(row)


def for_link(secret: str) -> LoginCode | None:
    """The live request a link's secret belongs to (not spent: the link's
    page only shows a button)."""
    return (
        LoginCode.objects.select_related("user")
        .filter(
            link_hash=_link_digest(secret),
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )


def spend(row: LoginCode):
    """Use the request once: its account, or None when a concurrent use or a
    newer request got there first."""
    deleted, _ = LoginCode.objects.filter(pk=row.pk, code_hash=row.code_hash).delete()
    return row.user if deleted else None


def action_of(row: LoginCode) -> tuple[str, str, int] | None:
    """The pending save or follow the request carries, as accounts.pending
    expects it."""
    return tokens.valid_action(row.action)


def _code_digest(user, code: str, *, email: str = "") -> str:
    # Bound to the account and its address: a code dies with an address change.
    pk, address = (user.pk, user.email) if user else (0, email)
    value = f"{pk}|{address.lower()}|{code}"
    return salted_hmac(_CODE_SALT, value, algorithm="sha256").hexdigest()


def _tries_key(email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"login-code-tries:{digest}"


def _count_try(email: str) -> int:
    """This try's number for the newest request for `email`. Counted before
    the code is compared (incr is atomic), so however many guesses arrive at
    once, no more than MAX_TRIES are compared."""
    key = _tries_key(email)
    try:
        return cache.incr(key)
    except ValueError:
        if not cache_available(cache):
            return MAX_TRIES + 1  # uncounted tries are refused, not free
        # No request counted here (the key expired, or the cache lost it):
        # any live code is near its end, so this try is its last.
        cache.add(key, MAX_TRIES, timeout=_TRIES_TIMEOUT)
        return MAX_TRIES


def _link_digest(secret: str) -> str:
    return salted_hmac(_LINK_SALT, secret, algorithm="sha256").hexdigest()
