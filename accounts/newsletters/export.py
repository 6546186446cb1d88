"""The newsletters' share of a reader's data export (accounts.export):
every subscription, ended ones too (they are the consent records), the
issues mailed to the reader, and whether their address is suppressed."""

from django.utils.translation import gettext_lazy as _

from accounts.export import ExportPart

from .models import Delivery, Subscription, Suppression


def subscriptions(user) -> list[dict]:
    rows = (
        Subscription.objects.filter(user=user)
        .select_related("newsletter")
        .order_by("-created_at", "-pk")
    )
    return [
        {
            "newsletter": row.newsletter.name,
            "source": row.source,
            "source_label": row.get_source_display(),
            "subscribed_at": row.created_at,
            "confirmed_at": row.confirmed_at,
            "ended_at": row.ended_at,
            "end_reason": row.end_reason,
            "end_reason_label": row.get_end_reason_display(),
        }
        for row in rows
    ]


def deliveries(user) -> list[dict]:
    rows = (
        Delivery.objects.filter(user=user)
        .select_related("issue__newsletter")
        .only(
            "email",
            "status",
            "sent_at",
            "issue__subject",
            "issue__newsletter__name",
        )
        .order_by("-issue__created_at", "-pk")
    )
    return [
        {
            "newsletter": row.issue.newsletter.name,
            "issue": row.issue.subject,
            "address": row.email,
            "status": row.status,
            "status_label": row.get_status_display(),
            "sent_at": row.sent_at,
        }
        for row in rows
    ]


def suppression(user) -> dict | None:
    # Kept per address, lower-cased: the reader's current one.
    row = Suppression.objects.filter(email=user.email.lower()).first()
    if row is None:
        return None
    return {
        "address": row.email,
        "reason": row.reason,
        "reason_label": row.get_reason_display(),
        "detail": row.detail,
        "since": row.created_at,
    }


EXPORT_PARTS = (
    ExportPart(
        "newsletter_subscriptions",
        _("اشتراكاتك في النشرات البريدية"),
        "newsletters/_data_subscriptions.html",
        subscriptions,
    ),
    ExportPart(
        "newsletter_deliveries",
        _("النشرات التي أرسلناها إليك"),
        "newsletters/_data_deliveries.html",
        deliveries,
    ),
    ExportPart(
        "email_suppression",
        _("إيقاف الإرسال إلى عنوانك"),
        "newsletters/_data_suppression.html",
        suppression,
    ),
)
