from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_account_email(*, template: str, to: str, context: dict) -> None:
    """Send emails/<template>_{subject,body}.txt + _body.html to one address."""
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
