"""In development the console shows outgoing mail readably, links and all."""

import io

from django.core.mail import EmailMultiAlternatives

from newsroom.mail import ReadableConsoleBackend

from .test_settings import run_django

LINK = "http://127.0.0.1:8000/account/verify-email/.eJwVzE0KwyAQQOG7zDpFx3HMmNuooxDID6S1EErvXrt8i-99oMOCEzxhAc7NFw6C6jFb5EwuqCb12XmR2JzSjCFESWItEmGzM_O_6mBUYIJjbEwq5ezHy7zrtbb7Ufe0bga-P-FDHaw:1xa86G:2QriLZKyrUCrEQXuggDpJNf9TXM8YlJ2HZJmn5Jr8sY/"


def test_the_console_prints_the_text_part_decoded_with_its_links_whole():
    stream = io.StringIO()
    message = EmailMultiAlternatives(
        "أكّد بريدك الإلكتروني",
        f"مرحبًا ليلى،\n\nافتحي الرابط لتأكيد عنوانك:\n{LINK}\n",
        "النشرة <news@localhost>",
        ["layla@example.com"],
    )
    message.attach_alternative(f'<p><a href="{LINK}">أكّدي</a></p>', "text/html")

    sent = ReadableConsoleBackend(stream=stream).send_messages([message])

    output = stream.getvalue()
    assert sent == 1
    assert "Subject: أكّد بريدك الإلكتروني" in output
    assert "From: النشرة <news@localhost>" in output
    assert "To: layla@example.com" in output
    assert f"\n{LINK}\n" in output
    assert "مرحبًا ليلى" in output
    assert "[+ text/html alternative, not shown]" in output
    assert "=?utf-8?" not in output and "base64" not in output


def test_development_without_email_url_uses_it_and_production_never_does():
    code = (
        "from django.conf import settings as s; print(s.MAILERS['default']['BACKEND'])"
    )

    development = run_django({"DEBUG": "1", "EMAIL_URL": ""}, "shell", "-c", code)
    chosen = run_django(
        {"DEBUG": "1", "EMAIL_URL": "consolemail://"}, "shell", "-c", code
    )
    production = run_django(
        {"DEBUG": "0", "SECRET_KEY": "x" * 50, "EMAIL_URL": ""}, "shell", "-c", code
    )

    assert development.stdout.splitlines()[-1] == (
        "newsroom.mail.ReadableConsoleBackend"
    )
    assert chosen.stdout.splitlines()[-1] == (
        "django.core.mail.backends.console.EmailBackend"
    )
    assert production.stdout.splitlines()[-1] == (
        "django.core.mail.backends.smtp.EmailBackend"
    )
