"""The soft edit lock: who has a story's change form open.

One ArticleLock row per story, held by one editor's page. The page renews it
by heartbeat; a lock not renewed for ArticleLock.EXPIRES_AFTER is free, and
the next editor to open or heartbeat the story gets it. Rows are read with
select_for_update, so two pages asking at once can't both win.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ArticleLock
from . import clock

HEARTBEAT_SECONDS = 30
# A page with no keystroke, click or scroll for this long stops its
# heartbeats, so a story left open overnight frees itself.
IDLE_SECONDS = 10 * 60


def new_page_id() -> str:
    """A name for one open change form (one browser page)."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class LockState:
    """An article's lock as one editor's page should see it."""

    mine: bool
    holder: str | None = None  # whoever else holds it
    started_at: datetime | None = None
    taken_over: bool = False  # and took it from this editor

    @property
    def message(self) -> str:
        if self.mine or self.holder is None:
            return ""
        values = {"name": self.holder, "time": clock(self.started_at)}
        if self.taken_over:
            return (
                _(
                    "تولّى «%(name)s» تحرير هذه القصة الساعة %(time)s. ما كتبتَه "
                    "باقٍ في الصفحة، ولن يُحفظ فوق تعديلاته قبل أن ترى الفروق."
                )
                % values
            )
        return _("«%(name)s» يحرر هذه القصة منذ %(time)s") % values

    def as_json(self) -> dict:
        return {
            "mine": self.mine,
            "holder": self.holder,
            "since": clock(self.started_at) if self.started_at else None,
            "taken_over": self.taken_over,
            "message": self.message,
        }


def claim(*, article_id: int, user, page: str, now=None) -> LockState:
    """Hold the story for `page` if it is free, expired or already this
    editor's; otherwise only report who holds it."""
    now = now or timezone.now()
    with transaction.atomic():
        lock = _locked(article_id) or _create(article_id, user, page, now)
        if lock.user_id == user.pk and lock.is_active(now):
            if (lock.page, lock.last_seen_at) != (page, now):
                lock.page, lock.last_seen_at = page, now
                lock.save(update_fields=["page", "last_seen_at"])
        elif not lock.is_active(now):
            _hand_over(lock, user, page, now, taken_from_id=None)
        return _state(lock, user)


def take_over(*, article_id: int, user, page: str, now=None) -> LockState:
    """Hold the story for `page` whoever has it; the previous holder's page
    learns it at its next heartbeat."""
    now = now or timezone.now()
    with transaction.atomic():
        lock = _locked(article_id) or _create(article_id, user, page, now)
        previous = lock.user_id if lock.is_active(now) else None
        _hand_over(
            lock,
            user,
            page,
            now,
            taken_from_id=previous if previous != user.pk else None,
        )
        return _state(lock, user)


def release(*, article_id: int, user, page: str | None = None) -> bool:
    """Free the story if this editor (and, given, this page) holds it."""
    locks = ArticleLock.objects.filter(article_id=article_id, user=user)
    if page is not None:
        locks = locks.filter(page=page)
    deleted, _by_model = locks.delete()
    return bool(deleted)


def peek(*, article_id: int, user, now=None) -> LockState:
    """Who holds the story, without claiming it (for view-only editors)."""
    lock = (
        ArticleLock.objects.select_related("user").filter(article_id=article_id).first()
    )
    if lock is None or not lock.is_active(now):
        return LockState(mine=False)
    return _state(lock, user)


def _locked(article_id):
    return ArticleLock.objects.select_for_update().filter(article_id=article_id).first()


def _create(article_id, user, page, now):
    try:
        with transaction.atomic():
            return ArticleLock.objects.create(
                article_id=article_id,
                user=user,
                page=page,
                started_at=now,
                last_seen_at=now,
            )
    except IntegrityError:
        # Another page created it between our read and our insert.
        return _locked(article_id)


def _hand_over(lock, user, page, now, *, taken_from_id):
    lock.user = user
    lock.page = page
    lock.started_at = lock.last_seen_at = now
    lock.taken_from_id = taken_from_id
    lock.save()


def _state(lock, user) -> LockState:
    if lock.user_id == user.pk:
        return LockState(mine=True, started_at=lock.started_at)
    return LockState(
        mine=False,
        holder=str(lock.user),
        started_at=lock.started_at,
        taken_over=lock.taken_from_id == user.pk,
    )
