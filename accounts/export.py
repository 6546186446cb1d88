"""Everything the site keeps about a reader, for them to read and download.

The account page offers it as a page and as a JSON file
(accounts.views.data_export). Each part of it reads only rows that belong to
the reader. The accounts app's own parts are here; other apps add theirs
with register_export_part() from their AppConfig.ready(), as they add to the
sign-up form, so accounts never imports them (the newsletters add
subscriptions with their consent records, the issues mailed, a bounced
address). A later app keeping something about readers (passkeys, push
subscriptions) registers its part the same way: names and dates, never
secrets.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article

from .models import Follow, SavedArticle


@dataclass(frozen=True)
class ExportPart:
    """One part of a reader's data: `collect(user)` gives it, JSON-ready
    (datetimes allowed), under `key` in the file; the page shows it under
    `title` with `template`, which gets it as `data`."""

    key: str
    title: str
    template: str
    collect: Callable[[Any], Any]


_registered: list[ExportPart] = []


def register_export_part(part: ExportPart) -> None:
    if all(existing.key != part.key for existing in _registered):
        _registered.append(part)


def export_parts() -> tuple[ExportPart, ...]:
    return (*ACCOUNT_PARTS, *_registered)


def collect(user) -> dict:
    """The whole export for `user`, as the JSON file holds it."""
    return {
        "site": settings.SITE_URL,
        "generated_at": timezone.now(),
        **{part.key: part.collect(user) for part in export_parts()},
    }


# The accounts app's parts ---------------------------------------------------
def profile(user) -> dict:
    return {
        "name": user.name,
        "joined_at": user.date_joined,
        "last_login": user.last_login,
        "is_staff": user.is_staff,
        "terms_version": user.terms_version,
        "terms_accepted_at": user.terms_accepted_at,
    }


def email(user) -> dict:
    # Account e-mails (links to verify, reset or change) are sent and not
    # kept; what stays is the address, when it was confirmed, and whether a
    # change to another one waits for its link (the new address is only in
    # that link).
    return {
        "address": user.email,
        "verified_at": user.email_verified_at,
        "change_pending": bool(user.email_change_nonce),
    }


def saved_articles(user) -> list[dict]:
    # A story readers can no longer see keeps its row, but not its headline.
    rows = (
        SavedArticle.objects.filter(user=user)
        .select_related("article__section")
        .defer("article__body")
        .annotate(
            is_public=Exists(
                Article.objects.published().filter(pk=OuterRef("article_id"))
            )
        )
        .order_by("-saved_at", "-pk")
    )
    return [
        {
            "article_id": row.article_id,
            "headline": row.article.headline if row.is_public else None,
            "url": _absolute(row.article.get_absolute_url()) if row.is_public else None,
            "saved_at": row.saved_at,
        }
        for row in rows
    ]


def follows(user) -> list[dict]:
    # Follow.objects.of_public_targets(), as a column: a tag or author no
    # published story carries anymore keeps its row, not its name.
    published = Article.objects.published()
    is_public = ExpressionWrapper(
        Q(Q(tag__isnull=True) | Exists(published.tagged(OuterRef("tag"))))
        & Q(Q(author__isnull=True) | Exists(published.by_author(OuterRef("author")))),
        output_field=BooleanField(),
    )
    rows = (
        Follow.objects.filter(user=user)
        .select_related("section", "tag", "author")
        .annotate(is_public=is_public)
        .order_by("-created_at", "-pk")
    )
    return [
        {
            "kind": row.kind,
            "kind_label": str(Follow.Kind(row.kind).label),
            "id": getattr(row, f"{row.kind}_id"),
            "name": str(row.target) if row.is_public else None,
            "url": _absolute(row.target.get_absolute_url()) if row.is_public else None,
            "followed_at": row.created_at,
        }
        for row in rows
    ]


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


ACCOUNT_PARTS = (
    ExportPart("profile", _("حسابك"), "accounts/_data_profile.html", profile),
    ExportPart("email", _("بريدك الإلكتروني"), "accounts/_data_email.html", email),
    ExportPart(
        "saved_articles",
        _("مقالاتك المحفوظة"),
        "accounts/_data_saved.html",
        saved_articles,
    ),
    ExportPart("follows", _("ما تتابعه"), "accounts/_data_follows.html", follows),
)
