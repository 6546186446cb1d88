"""Rendering an issue into e-mail, once per issue, then per reader by substitution.

A send to 200,000 readers must not run the template engine 200,000 times, so
the issue is rendered once with placeholder markers where the reader's name
and unsubscribe link go; each message only replaces those markers.
"""

from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from articles.images import picture_srcset

from .models import NewsletterIssue

# Markers survive HTML escaping unchanged (letters and underscores only).
NAME_MARK = "__NL_RECIPIENT_NAME__"
UNSUBSCRIBE_MARK = "__NL_UNSUBSCRIBE_URL__"
TOKEN_MARK = "__NL_TOKEN__"


def absolute_url(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"


def from_email() -> str:
    return getattr(settings, "NEWSLETTER_FROM_EMAIL", settings.DEFAULT_FROM_EMAIL)


def unsubscribe_mailbox() -> str:
    """The mailto: address in List-Unsubscribe (NEWSLETTER_UNSUBSCRIBE_MAILTO)."""
    configured = getattr(settings, "NEWSLETTER_UNSUBSCRIBE_MAILTO", "")
    if configured:
        return configured
    domain = parseaddr(from_email())[1].rpartition("@")[2] or "localhost"
    return f"unsubscribe@{domain}"


def _site_domain() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":")[0]


def _story(article) -> dict:
    # A rendition, never the original (which keeps the camera's metadata and
    # has no public URL). Renditions are WebP, which Outlook on Windows does
    # not show: it shows the alt text. Only the lead story carries an image.
    picture = article.picture
    image = picture_srcset(picture, "16x9") if picture is not None else None
    image_url = absolute_url(image["src"]) if image else ""
    return {
        "headline": article.headline,
        "kicker": article.kicker,
        "standfirst": article.standfirst,
        "section": article.section.name,
        "url": absolute_url(article.get_absolute_url()),
        "image_url": image_url,
        "image_alt": picture.alt if picture is not None else article.headline,
        "is_breaking": article.is_breaking,
    }


@dataclass(frozen=True)
class RenderedIssue:
    """The shared part of an issue; `message_for()` personalises it."""

    issue_id: int
    newsletter_id: int
    subject: str
    html: str
    text: str
    unsubscribe_url: str  # with TOKEN_MARK where the reader's token goes

    def message_for(self, *, email: str, name: str, token: str):
        unsubscribe_url = self.unsubscribe_url.replace(TOKEN_MARK, token)
        html = self.html.replace(NAME_MARK, escape(name)).replace(
            UNSUBSCRIBE_MARK, escape(unsubscribe_url)
        )
        text = self.text.replace(NAME_MARK, name).replace(
            UNSUBSCRIBE_MARK, unsubscribe_url
        )
        mailto = f"mailto:{unsubscribe_mailbox()}?subject={quote(token)}"
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=text,
            from_email=from_email(),
            to=[email],
            headers={
                "List-Unsubscribe": f"<{unsubscribe_url}>, <{mailto}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "List-Id": f"<newsletter-{self.newsletter_id}.{_site_domain()}>",
                "X-Newsletter-Issue": str(self.issue_id),
            },
        )
        message.attach_alternative(html, "text/html")
        return message


def render_issue(issue: NewsletterIssue) -> RenderedIssue:
    """Render an issue's HTML and text once, with per-reader markers."""
    from articles.models import Article

    # An article withdrawn after it was picked must not go out.
    items = (
        issue.items.filter(article__in=Article.objects.published())
        .select_related("article__section", "article__picture")
        .order_by("position", "pk")
    )
    # Always in the site's language: the worker has no request to pick one.
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "issue": issue,
            "newsletter": issue.newsletter,
            "stories": [_story(item.article) for item in items],
            "recipient_name": NAME_MARK,
            "unsubscribe_url": UNSUBSCRIBE_MARK,
            "manage_url": absolute_url(reverse("newsletters:manage")),
            "site_url": settings.SITE_URL,
            "site_name": settings.SITE_NAME,
        }
        html = render_to_string("emails/newsletter_issue_body.html", context)
        text = render_to_string("emails/newsletter_issue_body.txt", context)
        unsubscribe_url = absolute_url(
            reverse("newsletters:unsubscribe", kwargs={"token": TOKEN_MARK})
        )
    return RenderedIssue(
        issue_id=issue.pk,
        newsletter_id=issue.newsletter_id,
        subject=issue.subject,
        html=html,
        text=text,
        unsubscribe_url=unsubscribe_url,
    )
