"""Signed, expiring, single-use tokens for the links in account e-mails.

A link names the account and carries a keyed hash of the account's state
when it was mailed; it works while that state holds, the way Django's
password-reset tokens do, so nothing records used links:

- verification: the password, the address and the verification time. The
  link signs its reader in (accounts.views.verify_email), so it dies with a
  password change; using it sets the verification time, so it works once.
- e-mail change: the password, the address and the request's nonce
  (User.email_change_nonce), which every request replaces and the change
  clears, so only the newest link works, once, and not after a password
  change. The view also wants the reader signed in as that account.
"""

import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

LINK_MAX_AGE = timedelta(days=3)

_VERIFY_SALT = "accounts.verify-email"
_CHANGE_SALT = "accounts.change-email"


def make_verification_token(
    user, *, next_url: str = "", action: tuple[str, str, int] | None = None
) -> str:
    """A verification link's token; `next_url` and `action` (a pending save
    or follow: action, kind, id) ride along, so that the link brings the
    reader back where they signed up and does what they asked for, from
    whichever browser opens it (a phone's mail app, say)."""
    payload = {"u": user.pk, "s": _verification_state(user)}
    if next_url:
        payload["n"] = next_url
    if action:
        payload["a"] = list(action)
    # Compressed: an Arabic address is six characters a letter in JSON.
    return signing.dumps(payload, salt=_VERIFY_SALT, compress=True)


def verification_for_token(token: str):
    """(user, next URL, pending action) for a valid verification link, or
    (None, "", None) for a bad, old or used one. The next URL is as the
    link carries it: the view checks it still points at this site."""
    payload = _load(token, _VERIFY_SALT)
    if payload is None:
        return None, "", None
    user = _user(payload.get("u"))
    if user is None or not _matches(payload.get("s"), _verification_state(user)):
        return None, "", None
    next_url = payload.get("n")
    return user, next_url if isinstance(next_url, str) else "", _action(payload)


def _action(payload):
    return valid_action(payload.get("a"))


def valid_action(action):
    """A pending save or follow carried by a link, as accounts.pending
    expects it ("save"/"follow", kind, id), or None for anything else."""
    if (
        isinstance(action, list)
        and len(action) == 3
        and action[0] in ("save", "follow")
        and isinstance(action[1], str)
        and isinstance(action[2], int)
    ):
        return tuple(action)
    return None


def new_email_change_nonce() -> str:
    return secrets.token_hex(16)


def make_email_change_token(user, new_email: str) -> str:
    """A link for the request whose nonce `user` carries (saved already)."""
    return signing.dumps(
        {"u": user.pk, "new": new_email, "s": _change_state(user)}, salt=_CHANGE_SALT
    )


def email_change_for_token(token: str):
    """(user, new address) for a valid change link, or (None, None)."""
    payload = _load(token, _CHANGE_SALT)
    if payload is None:
        return None, None
    user = _user(payload.get("u"))
    new_email = payload.get("new")
    if (
        user is None
        or not isinstance(new_email, str)
        or not user.email_change_nonce
        or not _matches(payload.get("s"), _change_state(user))
    ):
        return None, None  # used, superseded, or the password or address changed
    return user, new_email


def _verification_state(user) -> str:
    verified_at = user.email_verified_at.isoformat() if user.email_verified_at else ""
    return _digest(_VERIFY_SALT, user.pk, user.password, user.email, verified_at)


def _change_state(user) -> str:
    return _digest(
        _CHANGE_SALT, user.pk, user.password, user.email, user.email_change_nonce
    )


def _digest(salt: str, pk, password: str, email: str, marker: str) -> str:
    # Hashed: whoever holds a link can read its payload, and the password
    # hash must not be in it.
    state = f"{pk}|{password}|{email.lower()}|{marker}"
    return salted_hmac(salt, state, algorithm="sha256").hexdigest()


def _matches(given, expected: str) -> bool:
    return isinstance(given, str) and constant_time_compare(given, expected)


def _load(token: str, salt: str):
    try:
        payload = signing.loads(token, salt=salt, max_age=LINK_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    return payload if isinstance(payload, dict) else None


def _user(pk):
    if not isinstance(pk, int):
        return None
    return get_user_model()._default_manager.filter(pk=pk, is_active=True).first()
