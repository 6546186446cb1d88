from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Browsers' push services by host, for the reader's list of their devices.
SERVICE_NAMES = {
    "fcm.googleapis.com": "Chrome / Android",
    "updates.push.services.mozilla.com": "Firefox",
    "push.services.mozilla.com": "Firefox",
    "web.push.apple.com": "Safari",
    "notify.windows.com": "Edge / Windows",
}


class PushSubscriptionQuerySet(models.QuerySet):
    def for_alert(self, alert: "PushAlert"):
        """Who an alert goes to: everyone who wants breaking news, and those
        who chose only the story's section."""
        chosen = PushSubscription.sections.through.objects.filter(
            pushsubscription_id=OuterRef("pk"), section_id=alert.article.section_id
        )
        return self.filter(Q(wants_breaking=True) | Q(Exists(chosen)))


class PushSubscription(models.Model):
    """One browser's consent to push alerts: the PushSubscription it gave us.

    Signed-in readers' subscriptions are linked to their account (and go
    with it); anonymous readers' belong to the browser alone."""

    # The push service's URL for this browser: unique, and the key readers'
    # browsers send to change or end their subscription.
    endpoint = models.CharField(_("عنوان خدمة الإرسال"), max_length=1000, unique=True)
    # The browser's keys (base64url) the payload is encrypted to.
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=32)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("القارئ"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="push_subscriptions",
    )
    wants_breaking = models.BooleanField(_("كل الأخبار العاجلة"), default=True)
    sections = models.ManyToManyField(
        "articles.Section",
        verbose_name=_("الأقسام"),
        blank=True,
        related_name="+",
        help_text=_("تنبيهات هذه الأقسام وحدها، لمن لا يريد كل الأخبار العاجلة."),
    )
    created_at = models.DateTimeField(_("اشترك في"), default=timezone.now)
    updated_at = models.DateTimeField(_("عُدّل في"), auto_now=True)
    # The per-reader quiet limit (PUSH_QUIET_MINUTES) is measured from here.
    last_pushed_at = models.DateTimeField(_("آخر تنبيه"), null=True, blank=True)

    objects = PushSubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("اشتراك في التنبيهات")
        verbose_name_plural = _("الاشتراكات في التنبيهات")

    def __str__(self):
        return f"{self.user or _('قارئ دون حساب')} ({self.service_name})"

    @property
    def service_name(self) -> str:
        """The browser family, from its push service's host."""
        host = urlsplit(self.endpoint).hostname or ""
        for known, name in SERVICE_NAMES.items():
            if host == known or host.endswith(f".{known}"):
                return name
        return host


class PushAlert(models.Model):
    """A breaking story pushed to subscribers: at most one per story.

    The sending task records its progress here after every batch (`cursor`,
    the last subscription id done, and the counts), so running it twice or
    after a crash sends nobody the alert again (see sending.py)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("في الانتظار")
        SENDING = "sending", _("قيد الإرسال")
        SENT = "sent", _("أُرسل")

    article = models.OneToOneField(
        "articles.Article",
        verbose_name=_("المقال"),
        on_delete=models.CASCADE,
        related_name="push_alert",
    )
    # The text as sent, fixed when the alert is made.
    title = models.CharField(_("العنوان"), max_length=150)
    body = models.CharField(_("النص"), max_length=250, blank=True)
    status = models.CharField(
        _("الحالة"), max_length=10, choices=Status, default=Status.QUEUED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("أرسله"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("أنشئ في"), default=timezone.now)
    started_at = models.DateTimeField(_("بدأ الإرسال في"), null=True, blank=True)
    completed_at = models.DateTimeField(_("اكتمل في"), null=True, blank=True)
    cursor = models.BigIntegerField(_("آخر اشتراك أُنجز"), default=0)
    # The worker holding the send, and until when (a lease it renews per batch).
    claimed_by = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_count = models.PositiveIntegerField(_("أُرسلت"), default=0)
    gone_count = models.PositiveIntegerField(_("اشتراكات منتهية حُذفت"), default=0)
    failed_count = models.PositiveIntegerField(_("فشلت"), default=0)
    quiet_count = models.PositiveIntegerField(_("تُخطّيت لحد التنبيهات"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("تنبيه فوري")
        verbose_name_plural = _("التنبيهات الفورية")

    def __str__(self):
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status == self.Status.SENT
