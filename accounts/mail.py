"""Account e-mails (verification, password reset, address changes), sent by
the background worker.

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
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import get_language, override


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


@task
def deliver_account_email(*, template: str, to: str, context: dict, language: str):
    with override(language):
        _send(template, to, context)


@task
def deliver_password_reset(*, email: str, language: str):
    # Django's own rules: active accounts with a usable password, the address
    # compared case-insensitively.
    for user in PasswordResetForm().get_users(email):
        path = reverse(
            "accounts:password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        with override(language):
            _send(
                "password_reset",
                getattr(user, get_user_model().get_email_field_name()),
                {"user": {"name": user.name}, "reset_url": absolute_url(path)},
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
