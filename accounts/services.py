"""Account workflows that touch several models or send mail.

Views, forms and commands call these; they never render pages.
"""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, SitePage

from . import login_codes
from .forms import signup_extensions
from .mail import absolute_url, send_account_email, send_login_code
from .models import Follow, SavedArticle
from .tokens import (
    LINK_MAX_AGE,
    make_email_change_token,
    make_verification_token,
    new_email_change_nonce,
)

User = get_user_model()


def email_is_taken(email: str, *, exclude=None) -> bool:
    users = User._default_manager.filter(email__iexact=email)
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return users.exists()


def register_reader(
    *,
    name: str,
    email: str,
    password: str,
    cleaned_data: Mapping[str, Any] | None = None,
    next_url: str = "",
    pending_action: tuple[str, str, int] | None = None,
) -> User | None:
    """Create a reader, or tell an existing owner about the attempt.

    Returns the new user, or None when the address already has an account.
    Neither is signed in: the new reader is, by the link in the verification
    e-mail (accounts.views.verify_email), which then leads to `next_url` and
    carries out `pending_action` (accounts.pending). So the caller can answer
    both cases identically, with the same cookies, and sign-up cannot be used
    to find out who has an account; the owner gets an e-mail instead.

    The caller has the reader's consent to the terms of use: the new account
    records the version readers are shown now.
    """
    email = User._default_manager.normalize_email(email)
    if email_is_taken(email):
        # Hash anyway so both branches take about as long.
        make_password(password)
        send_account_email(
            template="signup_existing",
            to=email,
            context={
                "login_url": absolute_url(reverse("accounts:login")),
                "reset_url": absolute_url(reverse("accounts:password_reset")),
            },
        )
        return None
    try:
        with transaction.atomic():
            user = User._default_manager.create_user(
                email=email,
                password=password,
                name=name,
                terms_version=SitePage.current_version(SitePage.Slug.TERMS),
                terms_accepted_at=timezone.now(),
            )
            for extension in signup_extensions():
                extension.apply(user=user, cleaned_data=cleaned_data or {})
    except IntegrityError:
        # Two sign-ups for one address raced; the other one won.
        return None
    send_verification_email(user=user, next_url=next_url, action=pending_action)
    return user


def send_verification_email(
    *, user, next_url: str = "", action: tuple[str, str, int] | None = None
) -> None:
    token = make_verification_token(user, next_url=next_url, action=action)
    send_account_email(
        template="verify_email",
        to=user.email,
        context={
            "user": user,
            "verify_url": absolute_url(
                reverse("accounts:verify_email", kwargs={"token": token})
            ),
            "valid_days": LINK_MAX_AGE.days,
        },
    )


def request_login_code(
    *, email: str, next_url: str = "", action: tuple[str, str, int] | None = None
) -> None:
    """Mail a sign-in code and link to `email` (accounts.login_codes), or,
    when the address has no account, an invitation to sign up.

    Only queued: the worker finds out which, so the caller answers every
    address alike. The link leads to `next_url` and carries out `action`
    (accounts.pending) from whichever browser opens it."""
    email = User._default_manager.normalize_email(email)
    login_codes.start_tries(email)
    send_login_code(
        email=email,
        next_url=next_url,
        action=action,
    )


def mark_email_verified(*, user) -> None:
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    # Double opt-in: newsletter choices made before verifying start now.
    from accounts.newsletters.services import confirm_pending_subscriptions

    confirm_pending_subscriptions(user)


def request_email_change(*, user, new_email: str) -> None:
    """Mail a confirmation link to `new_email`; nothing changes until it is used.

    Each request retires the links of earlier ones, even a request for a
    taken address: were it otherwise, whether an earlier link still worked
    would tell the reader that the address has an account.
    """
    new_email = User._default_manager.normalize_email(new_email)
    user.email_change_nonce = new_email_change_nonce()
    user.save(update_fields=["email_change_nonce"])
    if email_is_taken(new_email, exclude=user):
        # Same answer as for a free address: the owner is told instead.
        send_account_email(
            template="email_change_taken",
            to=new_email,
            context={"reset_url": absolute_url(reverse("accounts:password_reset"))},
        )
        return
    token = make_email_change_token(user, new_email)
    send_account_email(
        template="email_change",
        to=new_email,
        context={
            "user": user,
            "new_email": new_email,
            "confirm_url": absolute_url(
                reverse("accounts:confirm_email_change", kwargs={"token": token})
            ),
            "valid_days": LINK_MAX_AGE.days,
        },
    )


def confirm_email_change(*, user, new_email: str) -> bool:
    """Switch to the confirmed address, `user` as the link found it.

    False if someone took the address meanwhile, or if the link stopped
    being valid since it was checked (used by a concurrent request, a newer
    request, a password change).
    """
    old_email = user.email
    if not user.email_change_nonce or email_is_taken(new_email, exclude=user):
        return False
    try:
        with transaction.atomic():
            # Only the account state the link was checked against may move:
            # of two concurrent uses of one link, one wins.
            moved = User._default_manager.filter(
                pk=user.pk,
                email=old_email,
                password=user.password,
                email_change_nonce=user.email_change_nonce,
            ).update(email=new_email, email_change_nonce="")
            if not moved:
                return False
            user.email, user.email_change_nonce = new_email, ""
            # The link proved the reader reads the new mailbox.
            mark_email_verified(user=user)
    except IntegrityError:
        user.email = old_email
        return False
    send_account_email(
        template="email_changed",
        to=old_email,
        context={"user": user, "new_email": new_email},
    )
    return True


def delete_account(*, user) -> None:
    """Delete the reader and what is theirs alone.

    Saved articles, follows (and newsletter subscriptions) cascade with the
    user; editorial rows only point at users with SET_NULL, so articles and
    bylines stay.
    """
    user.delete()


def save_article(*, user, article: Article) -> SavedArticle:
    """Save `article` for `user`; saving again (even concurrently) is a no-op."""
    try:
        with transaction.atomic():
            saved, _ = SavedArticle.objects.get_or_create(user=user, article=article)
    except IntegrityError:
        # A concurrent request inserted the row between our read and insert.
        saved = SavedArticle.objects.get(user=user, article=article)
    return saved


def unsave_article(*, user, article_id: int) -> None:
    """Remove a save; removing one that does not exist is fine."""
    SavedArticle.objects.filter(user=user, article_id=article_id).delete()


def follow(*, user, kind: str, target) -> Follow:
    """Follow a section, tag or author; following twice keeps one row."""
    try:
        with transaction.atomic():
            row, _ = Follow.objects.get_or_create(user=user, **{kind: target})
    except IntegrityError:
        row = Follow.objects.get(user=user, **{kind: target})
    return row


def unfollow(*, user, kind: str, target_id: int) -> None:
    Follow.objects.filter(user=user, **{f"{kind}_id": target_id}).delete()
