"""Signed, expiring, single-use tokens for the links in account e-mails.

Each payload carries a value that the link itself changes once used (the
verification time, the current address), so a link works only once without
any table of used tokens.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core import signing

LINK_MAX_AGE = timedelta(days=3)

_VERIFY_SALT = "accounts.verify-email"
_CHANGE_SALT = "accounts.change-email"


def _stamp(user) -> str:
    return user.email_verified_at.isoformat() if user.email_verified_at else ""


def make_verification_token(user) -> str:
    return signing.dumps(
        {"u": user.pk, "e": user.email.lower(), "v": _stamp(user)}, salt=_VERIFY_SALT
    )


def user_for_verification_token(token: str):
    """The user whose address `token` verifies, or None (bad, old or used)."""
    payload = _load(token, _VERIFY_SALT)
    if payload is None:
        return None
    user = _user(payload.get("u"))
    if (
        user is None
        or user.email.lower() != payload.get("e")
        or _stamp(user) != payload.get("v")
    ):
        return None
    return user


def make_email_change_token(user, new_email: str) -> str:
    return signing.dumps(
        {"u": user.pk, "old": user.email.lower(), "new": new_email}, salt=_CHANGE_SALT
    )


def email_change_for_token(token: str):
    """(user, new address) for a valid change link, or (None, None)."""
    payload = _load(token, _CHANGE_SALT)
    if payload is None:
        return None, None
    user = _user(payload.get("u"))
    new_email = payload.get("new")
    if user is None or not isinstance(new_email, str):
        return None, None
    if user.email.lower() != payload.get("old"):
        return None, None  # already used, or the address changed since
    return user, new_email


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
