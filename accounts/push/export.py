"""Web push's share of a reader's data export (accounts.export): the
browsers they asked for alerts on, with what they chose and when. Never the
endpoint or keys: those are the browser's secrets, not the reader's data."""

from django.utils.translation import gettext_lazy as _

from accounts.export import ExportPart

from .models import PushSubscription


def subscriptions(user) -> list[dict]:
    rows = (
        PushSubscription.objects.filter(user=user)
        .prefetch_related("sections")
        .order_by("-created_at", "-pk")
    )
    return [
        {
            "browser": row.service_name,
            "breaking_news": row.wants_breaking,
            "sections": [section.name for section in row.sections.all()],
            "subscribed_at": row.created_at,
            "last_alert_at": row.last_pushed_at,
        }
        for row in rows
    ]


EXPORT_PARTS = (
    ExportPart(
        "push_subscriptions",
        _("التنبيهات الفورية على متصفحاتك"),
        "push/_data_subscriptions.html",
        subscriptions,
    ),
)
