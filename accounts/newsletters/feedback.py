"""What mail providers tell us after a newsletter went out.

django-anymail receives each provider's tracking webhook at
/newsletters/esp/<provider>/tracking/, checks its basic auth
(ANYMAIL_WEBHOOK_SECRET) and the provider's own signature where it has one,
normalises the report and sends the `tracking` signal handled here:

- bounced (the provider has given up on the address): suppressed on every
  list;
- deferred (a temporary failure): counted; SOFT_BOUNCE_LIMIT of them within
  SOFT_BOUNCE_DAYS suppress the address too;
- complained (the reader marked it as spam): suppressed, and every
  subscription of that reader ends, with the complaint as the reason (Gmail
  and Yahoo require senders to act on complaints);
- unsubscribed (at the provider): the subscription the message was for ends,
  or all of the reader's when the report does not say which.

Each report is recorded once (ProviderEvent, unique per provider event): a
replayed webhook changes nothing. Newsletter messages carry their issue and
subscription as anymail metadata (delivery.py), which providers echo back.
"""

import hashlib
from datetime import timedelta

from anymail.signals import tracking
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.utils import timezone

from .models import ProviderEvent, Subscription, Suppression

SOFT_BOUNCE_LIMIT = 5
SOFT_BOUNCE_DAYS = 30
HANDLED = {"bounced", "deferred", "complained", "unsubscribed"}


@receiver(tracking)
def provider_reported(sender, event, esp_name, **kwargs):
    record(event, esp_name.lower())


def record(event, esp_name: str) -> bool:
    """Act on one normalised report; False if it was seen before or is of
    no concern (opens and clicks are not tracked at all)."""
    if event.event_type not in HANDLED or not event.recipient:
        return False
    email = event.recipient.strip().lower()
    metadata = event.metadata or {}
    detail = " ".join(
        filter(None, [event.reject_reason, event.description, event.mta_response])
    )[:2000]
    try:
        with transaction.atomic():
            ProviderEvent.objects.create(
                esp=esp_name,
                event_key=_key(event, email),
                event_type=event.event_type,
                email=email,
                issue_id=_int(metadata.get("issue")),
                detail=detail,
            )
            _act(event.event_type, email, _int(metadata.get("subscription")), detail)
    except IntegrityError:
        return False  # a replay, or a duplicate from the provider
    return True


def _act(event_type, email, subscription_id, detail):
    if event_type == "bounced":
        _suppress(email, Suppression.Reason.HARD_BOUNCE, detail)
    elif event_type == "deferred":
        since = timezone.now() - timedelta(days=SOFT_BOUNCE_DAYS)
        soft = ProviderEvent.objects.filter(
            email=email, event_type="deferred", received_at__gte=since
        ).count()
        if soft >= SOFT_BOUNCE_LIMIT:
            _suppress(email, Suppression.Reason.SOFT_BOUNCES, detail)
    elif event_type == "complained":
        _suppress(email, Suppression.Reason.COMPLAINT, detail)
        _end(email, None, Subscription.EndReason.COMPLAINT)
    elif event_type == "unsubscribed":
        _end(email, subscription_id, Subscription.EndReason.PROVIDER)


def _suppress(email, reason, detail):
    Suppression.objects.get_or_create(
        email=email, defaults={"reason": reason, "detail": detail}
    )


def _end(email, subscription_id, reason):
    live = Subscription.objects.live().filter(user__email__iexact=email)
    if subscription_id is not None:
        live = live.filter(pk=subscription_id)
    live.update(ended_at=timezone.now(), end_reason=reason)


def _key(event, email):
    if event.event_id:
        return str(event.event_id)[:64]
    # No id from the provider: what identifies the report instead.
    parts = [event.event_type, email, event.message_id or "", str(event.timestamp)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
