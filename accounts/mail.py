"""Account e-mails (verification, password reset, address changes, sign-in
codes), sent by the background worker.

A request only queues the message, so it takes as long whether or not an
account exists: building and sending a message inside the request made a
password reset for a registered address measurably slower than for an
unknown one. With the database task backend (production) the queued task
commits with the request's transaction; in development and tests the
immediate backend sends at once.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_encode
from django.utils.translation import get_language, override

from . import login_codes


def send_account_email(*, template: str, to: str, context: dict) -> None:
    """Queue emails/<template>_{subject,body}.txt + _body.html for one address.

    `context` holds strings and numbers, and at most a `user`, of whom the
    messages use the name alone."""
    if "user" in context:
        context = {**context, "user": {"name": context["user"].name}}
    deliver_account_email.enqueue(
        template=template, to=to, context=context, language=get_language()
    )


def send_password_reset(*, email: str) -> None:
    """Queue a password-reset link for every active account at `email` (none,
    often: the worker finds out, not the request)."""
    deliver_password_reset.enqueue(email=email, language=get_language())


def send_login_code(*, email: str, next_url: str = "", action=None) -> None:
    """Queue a sign-in code for `email`; the worker finds out whether the
    address has an account (if not, it invites its owner to sign up)."""
    deliver_login_code.enqueue(
        email=email,
        next_url=next_url,
        action=list(action) if action else None,
        language=get_language(),
    )


@task
def deliver_account_email(*, template: str, to: str, context: dict, language: str):
    with override(language):
        _send(template, to, context)


@task
def deliver_password_reset(*, email: str, language: str):
    # Django's own rules: active accounts with a usable password, the address
    # compared case-insensitively.
    for user in PasswordResetForm().get_users(email):
        with override(language):  # the link in the reader's language too
            path = reverse(
                "accounts:password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            )
            _send(
                "password_reset",
                getattr(user, get_user_model().get_email_field_name()),
                {"user": {"name": user.name}, "reset_url": absolute_url(path)},
            )


@task
def deliver_login_code(*, email: str, next_url: str, action, language: str):
    user = get_user_model()._default_manager.filter(email__iexact=email).first()
    with override(language):
        if user is None:
            signup = reverse("accounts:signup")
            if next_url:
                signup += "?" + urlencode({"next": next_url})
            _send("login_code_signup", email, {"signup_url": absolute_url(signup)})
            return
        if not user.is_active:
            return  # as a password reset: nothing for a disabled account
        code, secret = login_codes.issue(user, next_url=next_url, action=action)
        link = reverse("accounts:login_link", kwargs={"token": secret})
        _send(
            "login_code",
            user.email,
            {
                "user": {"name": user.name},
                "code": code,
                "login_url": absolute_url(link),
                "minutes": int(login_codes.CODE_MAX_AGE.total_seconds() // 60),
            },
        )


def _send(template: str, to: str, context: dict) -> None:
    context = {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        **context,
    }
    subject = render_to_string(f"emails/{template}_subject.txt", context)
    # Headers may not contain newlines.
    subject = " ".join(subject.split())
    body = render_to_string(f"emails/{template}_body.txt", context)
    html = render_to_string(f"emails/{template}_body.html", context)
    message = EmailMultiAlternatives(subject, body, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


def absolute_url(path: str) -> str:
    # Links in mail use the configured site address, never the request's Host
    # header, which a client controls.
    return f"{settings.SITE_URL}{path}"
