"""Rate limits for forms that check a password or send mail.

Fixed windows counted in the shared cache with `cache.add` + `cache.incr`, so
the limits hold across processes and hosts when the cache is Redis, and also
work with the local-memory cache in development. Keys expire with their
window, so nothing is ever locked for good.

When the cache is unreachable the counts cannot be read, and an unknown count
is not a zero: every check here fails closed (CacheUnavailable, a Throttled
with its own message) until the cache is back. The view beacon's limit
(articles/views.py) fails open instead: a lost count costs nothing.
"""

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from newsroom.redis_cache import cache_available


@dataclass(frozen=True)
class Limit:
    scope: str
    attempts: int
    window: int  # seconds

    def _bucket(self, now: float) -> int:
        return int(now // self.window)

    def key(self, identity: str, now: float) -> str:
        # Hashed so that addresses never sit in the cache in clear and odd
        # characters cannot break a memcached/Redis key.
        digest = hashlib.sha256(identity.strip().lower().encode()).hexdigest()[:32]
        return f"throttle:{self.scope}:{digest}:{self._bucket(now)}"

    def retry_after(self, now: float) -> int:
        """Seconds until the current window closes."""
        return max(1, int((self._bucket(now) + 1) * self.window - now))


LOGIN_PER_IP = Limit("login-ip", attempts=30, window=15 * 60)
# Wrong passwords for one account from one address stop there for the
# window; from everywhere together they slow the account down (LOGIN_BACKOFF)
# rather than lock it, so nobody can keep its owner out by guessing.
LOGIN_PER_ACCOUNT_AND_IP = Limit("login-account-ip", attempts=5, window=15 * 60)
SIGNUP_PER_IP = Limit("signup-ip", attempts=10, window=60 * 60)
SIGNUP_PER_EMAIL = Limit("signup-email", attempts=3, window=60 * 60)
RESET_PER_IP = Limit("reset-ip", attempts=10, window=60 * 60)
RESET_PER_EMAIL = Limit("reset-email", attempts=3, window=60 * 60)
RESEND_PER_IP = Limit("resend-ip", attempts=10, window=60 * 60)
RESEND_PER_ACCOUNT = Limit("resend-account", attempts=3, window=60 * 60)
EMAIL_CHANGE_PER_ACCOUNT = Limit("email-change-account", attempts=5, window=60 * 60)
PASSWORD_CHECK_PER_ACCOUNT = Limit("password-check", attempts=5, window=15 * 60)
# "E-mail me a code" (accounts/login_codes.py). Each request mails a new code
# that allows MAX_TRIES guesses, so these caps bound the guesses at one
# address's six digits: 5 × 5 an hour, 50 a day (about 1 in 20,000 a day),
# while its owner sees a message for every code.
LOGIN_CODE_PER_IP = Limit("login-code-ip", attempts=10, window=60 * 60)
LOGIN_CODE_PER_EMAIL = Limit("login-code-email", attempts=5, window=60 * 60)
LOGIN_CODE_PER_EMAIL_DAILY = Limit(
    "login-code-email-day", attempts=10, window=24 * 60 * 60
)
# Wrong codes from one IP, whichever addresses they are typed for.
LOGIN_CODE_TRIES_PER_IP = Limit("login-code-tries-ip", attempts=30, window=15 * 60)
# Reading or downloading one's data: every query of the account at once.
DATA_EXPORT_PER_ACCOUNT = Limit("data-export", attempts=10, window=60 * 60)
# Wrong second-factor codes after the admin password (accounts/second_factor.py);
# from everywhere together, each device's own backoff (django-otp) slows them.
SECOND_FACTOR_PER_IP = Limit("second-factor-ip", attempts=30, window=15 * 60)
SECOND_FACTOR_PER_ACCOUNT_AND_IP = Limit(
    "second-factor-account-ip", attempts=5, window=15 * 60
)


@dataclass(frozen=True)
class Backoff:
    """Failures against one identity from anywhere: the first `free` cost
    nothing, then each attempt waits twice as long after the last failure as
    the one before, up to `longest` seconds. Forgotten `memory` seconds after
    the last failure, or on success.

    A slowdown, not a lock: counted with get/set, so simultaneous failures
    may count once, which only makes it gentler."""

    scope: str
    free: int
    longest: int
    memory: int

    def key(self, identity: str) -> str:
        digest = hashlib.sha256(identity.strip().lower().encode()).hexdigest()[:32]
        return f"backoff:{self.scope}:{digest}"

    def check(self, identity: str) -> None:
        """Raise Throttled while `identity` must still wait."""
        failures, last = cache.get(self.key(identity), (0, 0.0))
        if not cache_available(cache):
            raise CacheUnavailable()
        if failures < self.free:
            return
        delay = min(self.longest, 2 ** (failures - self.free))
        wait = math.ceil(last + delay - _now())
        if wait > 0:
            raise Throttled(wait)

    def fail(self, identity: str) -> None:
        failures, _ = cache.get(self.key(identity), (0, 0.0))
        cache.set(self.key(identity), (failures + 1, _now()), timeout=self.memory)

    def forget(self, identity: str) -> None:
        cache.delete(self.key(identity))


LOGIN_BACKOFF = Backoff("login", free=10, longest=15 * 60, memory=24 * 60 * 60)


class Throttled(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))

    @property
    def message(self) -> str:
        return _(
            "محاولات كثيرة في وقت قصير. لحماية حسابك أوقفنا المحاولات مؤقتًا؛ "
            "حاول مرة أخرى بعد %(wait)s."
        ) % {"wait": _minutes(self.minutes)}


class CacheUnavailable(Throttled):
    """The attempts cannot be counted right now (the cache is down)."""

    def __init__(self):
        super().__init__(retry_after=60)

    @property
    def message(self) -> str:
        return _(
            "تعذّر علينا التحقق من المحاولات بسبب عطل تقني مؤقت، فأوقفناها "
            "حمايةً لحسابك؛ حاول مرة أخرى بعد دقيقة."
        )


def _minutes(count: int) -> str:
    # Arabic counts agree with the number (1, 2, 3-10, 11+); spelled out here
    # because the source language is Arabic and gettext's two forms are not
    # enough for it.
    if count == 1:
        return _("دقيقة واحدة")
    if count == 2:
        return _("دقيقتين")
    if count <= 10:
        return _("%(count)s دقائق") % {"count": count}
    return _("%(count)s دقيقة") % {"count": count}


def _now() -> float:
    return time.time()


def check(*limits: tuple[Limit, str], fail_open: bool = False) -> None:
    """Raise Throttled if any (limit, identity) pair has used its attempts.
    Without the cache, refuse (CacheUnavailable), or with `fail_open` (a
    limit that protects capacity, not an account) let it through."""
    now = _now()
    keys = [(limit, limit.key(identity, now)) for limit, identity in limits if identity]
    counts = cache.get_many([key for _, key in keys])  # one round trip
    if not cache_available(cache):
        if fail_open:
            return
        raise CacheUnavailable()
    waits = [
        limit.retry_after(now)
        for limit, key in keys
        if counts.get(key, 0) >= limit.attempts
    ]
    if waits:
        raise Throttled(max(waits))


def hit(*limits: tuple[Limit, str]) -> None:
    """Count one attempt against each (limit, identity) pair."""
    now = _now()
    for limit, identity in limits:
        if not identity:
            continue
        key = limit.key(identity, now)
        # add() is a no-op when the key exists; incr() is atomic on Redis.
        cache.add(key, 0, timeout=limit.window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=limit.window)


def check_and_hit(*limits: tuple[Limit, str], fail_open: bool = False) -> None:
    """Refuse when over a limit, otherwise count this attempt."""
    check(*limits, fail_open=fail_open)
    hit(*limits)


def reset(*limits: tuple[Limit, str]) -> None:
    """Forget the attempts of the current window (after a successful login)."""
    now = _now()
    cache.delete_many([limit.key(identity, now) for limit, identity in limits])


def client_ip(request) -> str:
    """The address to count per-IP attempts against.

    REMOTE_ADDR is the only address a client cannot forge. Behind N trusted
    reverse proxies (settings.THROTTLE_TRUSTED_PROXIES = N), the client is the
    N-th address from the right of X-Forwarded-For: anything further left was
    written by the client and is ignored.
    """
    proxies = getattr(settings, "THROTTLE_TRUSTED_PROXIES", 0)
    if proxies:
        hops = [
            hop.strip()
            for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if hop.strip()
        ]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"
