"""Web push: readers' subscriptions in, alerts out (the sending is sending.py).

Subscriptions arrive as the browser's PushSubscription JSON plus the topics
the reader chose; everything in them is checked here, so that the views
answer a clear 400 for junk and the sender only ever meets sound rows.
"""

import base64
import binascii
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import IntegrityError, transaction
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from articles.images import picture_srcset
from articles.models import Article, Section

from .models import PushAlert, PushSubscription

MAX_ENDPOINT_LENGTH = 1000
MAX_SECTIONS = 50
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


# Sending reaches every subscribed phone: the same right as publishing.
SEND_PERMISSION = "articles.publish_article"


def is_enabled() -> bool:
    """Push is on when both VAPID keys are configured."""
    return bool(settings.VAPID_PRIVATE_KEY and settings.VAPID_PUBLIC_KEY)


def can_send(user) -> bool:
    """Whether `user` may push a story to readers' browsers."""
    return user.is_active and user.is_staff and user.has_perm(SEND_PERMISSION)


class InvalidSubscription(ValueError):
    """What the reader's browser sent cannot be used; the message says why."""


@dataclass(frozen=True)
class BrowserSubscription:
    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class Topics:
    breaking: bool
    section_ids: tuple[int, ...]


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _key(keys: dict, name: str, *, length: int, max_chars: int) -> bytes:
    value = keys.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidSubscription(_("مفتاح الاشتراك %(name)s مفقود.") % {"name": name})
    if len(value) > max_chars or not value.isascii():
        raise InvalidSubscription(
            _("مفتاح الاشتراك %(name)s غير صالح.") % {"name": name}
        )
    try:
        raw = b64url_decode(value.rstrip("="))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != length:
        raise InvalidSubscription(
            _("مفتاح الاشتراك %(name)s غير صالح.") % {"name": name}
        )
    return raw


def _allowed_host(host: str) -> bool:
    allowed = settings.PUSH_SERVICE_HOSTS
    if "*" in allowed:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return True
        return False  # never an address: only push services' names
    return any(host == name or host.endswith(f".{name}") for name in allowed)


def check_endpoint(endpoint) -> str:
    """The push service URL, if it is one we may post to."""
    if not isinstance(endpoint, str) or not endpoint:
        raise InvalidSubscription(_("عنوان الاشتراك مفقود."))
    if len(endpoint) > MAX_ENDPOINT_LENGTH or not endpoint.isascii():
        raise InvalidSubscription(_("عنوان الاشتراك غير صالح."))
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 (raises ValueError for a junk port)
    except ValueError:
        raise InvalidSubscription(_("عنوان الاشتراك غير صالح.")) from None
    if (
        parts.username
        or parts.password
        or not host
        or any(c.isspace() for c in endpoint)
    ):
        raise InvalidSubscription(_("عنوان الاشتراك غير صالح."))
    local = host in LOCAL_HOSTS and settings.PUSH_ALLOW_LOCALHOST
    if parts.scheme != "https" and not (local and parts.scheme == "http"):
        raise InvalidSubscription(_("عنوان الاشتراك يجب أن يبدأ بـ https."))
    if not local and not _allowed_host(host):
        raise InvalidSubscription(_("خدمة الإرسال في عنوان الاشتراك غير معروفة."))
    return endpoint


def parse_subscription(data) -> BrowserSubscription:
    """The browser's PushSubscription.toJSON(), checked."""
    if not isinstance(data, dict):
        raise InvalidSubscription(_("بيانات الاشتراك مفقودة."))
    endpoint = check_endpoint(data.get("endpoint"))
    keys = data.get("keys")
    if not isinstance(keys, dict):
        raise InvalidSubscription(_("مفاتيح الاشتراك مفقودة."))
    p256dh = _key(keys, "p256dh", length=65, max_chars=100)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)
    except ValueError:
        raise InvalidSubscription(
            _("مفتاح الاشتراك %(name)s غير صالح.") % {"name": "p256dh"}
        ) from None
    _key(keys, "auth", length=16, max_chars=32)
    return BrowserSubscription(
        endpoint=endpoint,
        p256dh=keys["p256dh"].rstrip("="),
        auth=keys["auth"].rstrip("="),
    )


def parse_auth(data) -> tuple[str, str]:
    """(endpoint, auth) from {"endpoint", "keys": {"auth"}}: what proves a
    request comes from the browser that holds the subscription."""
    if not isinstance(data, dict):
        raise InvalidSubscription(_("بيانات الاشتراك مفقودة."))
    endpoint = data.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint:
        raise InvalidSubscription(_("عنوان الاشتراك مفقود."))
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        raise InvalidSubscription(_("عنوان الاشتراك غير صالح."))
    keys = data.get("keys")
    if not isinstance(keys, dict):
        raise InvalidSubscription(_("مفاتيح الاشتراك مفقودة."))
    _key(keys, "auth", length=16, max_chars=32)
    return endpoint, keys["auth"].rstrip("=")


def parse_topics(data) -> Topics:
    """{"breaking": bool, "sections": [ids]}: at least one of them."""
    if not isinstance(data, dict):
        raise InvalidSubscription(_("اختر ما تريد أن ننبهك به."))
    breaking = data.get("breaking", False)
    raw_sections = data.get("sections", [])
    if not isinstance(breaking, bool) or not isinstance(raw_sections, list):
        raise InvalidSubscription(_("اختياراتك غير صالحة."))
    if len(raw_sections) > MAX_SECTIONS or not all(
        type(pk) is int and 0 < pk < 2**63 for pk in raw_sections
    ):
        raise InvalidSubscription(_("اختياراتك غير صالحة."))
    section_ids = tuple(sorted(set(raw_sections)))
    if len(section_ids) != Section.objects.filter(pk__in=section_ids).count():
        raise InvalidSubscription(_("أحد الأقسام المختارة غير موجود."))
    if not breaking and not section_ids:
        raise InvalidSubscription(
            _("اختر الأخبار العاجلة أو قسمًا واحدًا على الأقل، أو أوقف التنبيهات.")
        )
    return Topics(breaking=breaking, section_ids=section_ids)


def topics_of(subscription: PushSubscription) -> dict:
    return {
        "breaking": subscription.wants_breaking,
        "sections": sorted(subscription.sections.values_list("pk", flat=True)),
    }


# Subscribing


def subscribe(
    *, browser: BrowserSubscription, topics: Topics, user=None
) -> PushSubscription:
    """Record or update `browser`'s subscription (one per endpoint).

    A signed-in reader's subscription is linked to their account; an
    anonymous request leaves an existing link as it is (the same browser)."""
    defaults = {
        "p256dh": browser.p256dh,
        "auth": browser.auth,
        "wants_breaking": topics.breaking,
    }
    if user is not None and user.is_authenticated:
        defaults["user"] = user
    with transaction.atomic():
        try:
            with transaction.atomic():
                subscription, _created = PushSubscription.objects.update_or_create(
                    endpoint=browser.endpoint, defaults=defaults
                )
        except IntegrityError:  # the same browser, twice at once
            subscription = PushSubscription.objects.get(endpoint=browser.endpoint)
            PushSubscription.objects.filter(pk=subscription.pk).update(**defaults)
        subscription.sections.set(topics.section_ids)
    return subscription


def find(*, endpoint: str, auth: str) -> PushSubscription | None:
    """The subscription, if the caller holds its auth secret too."""
    return PushSubscription.objects.filter(endpoint=endpoint, auth=auth).first()


def unsubscribe(*, endpoint: str, auth: str) -> bool:
    deleted, _rows = PushSubscription.objects.filter(
        endpoint=endpoint, auth=auth
    ).delete()
    return bool(deleted)


# Alerts


def absolute_url(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + path


def alert_text(article: Article) -> tuple[str, str]:
    """(title, body) for a story's notification: short enough for a phone's
    lock screen and, in UTF-8 Arabic, for the push services' 4 KB payload."""
    # In the site's language, as the story is, whatever the editor's admin uses.
    with translation.override(settings.LANGUAGE_CODE):
        label = _("عاجل: %(headline)s") % {"headline": article.headline}
    title = Truncator(label)
    body = Truncator(article.standfirst or "")
    return title.chars(PushAlert._meta.get_field("title").max_length), body.chars(
        PushAlert._meta.get_field("body").max_length
    )


def create_alert(*, article: Article, user) -> tuple[PushAlert | None, bool]:
    """The story's push alert, queued for sending: (alert, created).

    One alert per story (a unique constraint): asking again returns the
    existing one and sends nothing. None when push is off or the story is not
    public."""
    if not is_enabled() or not Article.objects.published().filter(pk=article.pk):
        return None, False
    existing = PushAlert.objects.filter(article=article).first()
    if existing:
        return existing, False
    title, body = alert_text(article)
    try:
        with transaction.atomic():
            alert = PushAlert.objects.create(
                article=article, title=title, body=body, created_by=user
            )
    except IntegrityError:  # two editors at once: the first one's alert
        return PushAlert.objects.get(article=article), False
    _enqueue(alert)
    return alert, True


def resume_alert(alert: PushAlert) -> bool:
    """Queue the task again for an alert not finished (after a crash); it
    carries on from its recorded progress."""
    if alert.is_finished:
        return False
    _enqueue(alert)
    return True


def _enqueue(alert: PushAlert) -> None:
    # Imported here: the task module imports the sender, which imports this.
    from .tasks import send_push_alert_task

    transaction.on_commit(lambda: send_push_alert_task.enqueue(alert.pk))


def payload(alert: PushAlert) -> dict:
    """What the service worker gets (static/js/push-sw.js shows it)."""
    article = alert.article
    data = {
        "title": alert.title,
        "body": alert.body,
        "url": absolute_url(article.get_absolute_url()),
        "icon": absolute_url(static("img/icon-192.png")),
        "tag": f"alert-{alert.pk}",
        "lang": "ar",
        "dir": "rtl",
        "timestamp": int((article.published_at or timezone.now()).timestamp() * 1000),
    }
    image = picture_srcset(article.picture, "16x9") if article.picture_id else None
    if image:
        data["image"] = absolute_url(image["src"])
    return data
