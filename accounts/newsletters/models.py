from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NewsletterQuerySet(models.QuerySet):
    def active(self):
        """Lists readers can choose and editors can send."""
        return self.filter(is_active=True)

    def with_subscriber_counts(self):
        """Confirmed and waiting subscribers per list, for the admin changelist."""
        live = Q(subscriptions__ended_at__isnull=True)
        return self.annotate(
            subscriber_count=Count(
                "subscriptions",
                filter=live & Q(subscriptions__confirmed_at__isnull=False),
            ),
            pending_count=Count(
                "subscriptions",
                filter=live & Q(subscriptions__confirmed_at__isnull=True),
            ),
        )


class Newsletter(models.Model):
    class Cadence(models.TextChoices):
        DAILY = "daily", _("يومية")
        WEEKLY = "weekly", _("أسبوعية")
        BREAKING = "breaking", _("تنبيهات عاجلة")

    name = models.CharField(_("الاسم"), max_length=120)
    slug = models.SlugField(
        _("المسار"), max_length=120, unique=True, allow_unicode=True
    )
    description = models.TextField(_("الوصف"), blank=True)
    cadence = models.CharField(
        _("الدورية"), max_length=20, choices=Cadence, default=Cadence.WEEKLY
    )
    sections = models.ManyToManyField(
        "articles.Section",
        verbose_name=_("الأقسام"),
        blank=True,
        related_name="newsletters",
        help_text=_(
            "تُختار منها القصص عند التعبئة التلقائية؛ اتركها فارغة لكل الأقسام."
        ),
    )
    is_active = models.BooleanField(
        _("نشطة"),
        default=True,
        help_text=_("النشرة غير النشطة لا تظهر للقراء ولا يُرسل منها شيء."),
    )
    position = models.PositiveSmallIntegerField(_("الترتيب"), default=0)
    created_at = models.DateTimeField(_("أنشئت في"), auto_now_add=True)

    objects = NewsletterQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("نشرة بريدية")
        verbose_name_plural = _("النشرات البريدية")
        permissions = [
            ("export_subscribers", _("يستطيع تصدير قائمة المشتركين")),
        ]

    def __str__(self):
        return self.name


class SubscriptionQuerySet(models.QuerySet):
    def live(self):
        """Subscriptions that have not ended (confirmed or still waiting)."""
        return self.filter(ended_at__isnull=True)

    def pending(self):
        """Live subscriptions waiting for the reader to verify their address."""
        return self.live().filter(confirmed_at__isnull=True)

    def active(self):
        """Live, confirmed subscriptions of verified readers: who gets mail."""
        return self.live().filter(
            confirmed_at__isnull=False,
            user__is_active=True,
            user__email_verified_at__isnull=False,
        )

    def not_suppressed(self):
        """Excludes readers whose address bounced permanently."""
        return self.exclude(
            Exists(Suppression.objects.filter(email=Lower(OuterRef("user__email"))))
        )

    def deliverable(self):
        """Who an issue goes to: active subscribers of an active list, not suppressed."""
        return self.active().not_suppressed().filter(newsletter__is_active=True)


class Subscription(models.Model):
    """One reader's consent to one list. Ended rows stay as the consent record."""

    class Source(models.TextChoices):
        SIGNUP = "signup", _("عند التسجيل")
        ACCOUNT = "account", _("صفحة الحساب")
        ADMIN = "admin", _("لوحة الإدارة")

    class EndReason(models.TextChoices):
        ACCOUNT = "account", _("ألغاه القارئ من صفحة الحساب")
        LINK = "link", _("رابط إلغاء الاشتراك")
        ONE_CLICK = "one_click", _("إلغاء بنقرة واحدة من برنامج البريد")
        ADMIN = "admin", _("أُلغي من لوحة الإدارة")
        ACCOUNT_CLOSED = "account_closed", _("أُغلق الحساب")
        COMPLAINT = "complaint", _("شكوى بريد مزعج أبلغ عنها مزوّد البريد")
        PROVIDER = "provider", _("ألغاه القارئ عند مزوّد البريد")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("القارئ"),
        on_delete=models.CASCADE,
        related_name="newsletter_subscriptions",
    )
    newsletter = models.ForeignKey(
        Newsletter,
        verbose_name=_("النشرة"),
        on_delete=models.PROTECT,
        related_name="subscriptions",
    )
    source = models.CharField(_("المصدر"), max_length=20, choices=Source)
    created_at = models.DateTimeField(_("اشترك في"), default=timezone.now)
    confirmed_at = models.DateTimeField(
        _("تأكد في"),
        null=True,
        blank=True,
        help_text=_("يُملأ حين يؤكد القارئ بريده (تأكيد مزدوج)."),
    )
    ended_at = models.DateTimeField(_("انتهى في"), null=True, blank=True)
    end_reason = models.CharField(
        _("سبب الانتهاء"), max_length=20, choices=EndReason, blank=True
    )

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("اشتراك")
        verbose_name_plural = _("الاشتراكات")
        constraints = [
            # One live subscription per reader and list; ended ones are history.
            models.UniqueConstraint(
                fields=["user", "newsletter"],
                condition=Q(ended_at__isnull=True),
                name="unique_live_subscription",
                violation_error_message=_("القارئ مشترك في هذه النشرة بالفعل."),
            ),
        ]
        indexes = [
            # queue_issue(): the live subscribers of one list.
            models.Index(
                fields=["newsletter", "confirmed_at"],
                condition=Q(ended_at__isnull=True),
                name="subscription_live_idx",
            ),
        ]

    def __str__(self):
        return f"{self.user} ← {self.newsletter}"

    @property
    def is_live(self):
        return self.ended_at is None

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None


class NewsletterIssue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("مسودة")
        SCHEDULED = "scheduled", _("مجدول")
        SENDING = "sending", _("قيد الإرسال")
        SENT = "sent", _("أُرسل")

    newsletter = models.ForeignKey(
        Newsletter,
        verbose_name=_("النشرة"),
        on_delete=models.PROTECT,
        related_name="issues",
    )
    subject = models.CharField(_("عنوان الرسالة"), max_length=200)
    intro = models.TextField(
        _("المقدمة"), blank=True, help_text=_("فقرة قصيرة تظهر فوق القصص.")
    )
    articles = models.ManyToManyField(
        "articles.Article",
        verbose_name=_("المقالات"),
        through="IssueArticle",
        related_name="newsletter_issues",
        blank=True,
    )
    status = models.CharField(
        _("الحالة"), max_length=20, choices=Status, default=Status.DRAFT
    )
    send_at = models.DateTimeField(
        _("موعد الإرسال"),
        null=True,
        blank=True,
        help_text=_("يُرسل العدد المجدول عند حلول هذا الموعد."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("أنشأه"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("أنشئ في"), auto_now_add=True)
    started_at = models.DateTimeField(_("بدأ الإرسال في"), null=True, editable=False)
    queued_at = models.DateTimeField(_("اكتمل الحصر في"), null=True, editable=False)
    completed_at = models.DateTimeField(
        _("اكتمل الإرسال في"), null=True, editable=False
    )
    recipient_count = models.PositiveIntegerField(
        _("عدد المستلمين"), default=0, editable=False
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("عدد النشرة")
        verbose_name_plural = _("أعداد النشرات")
        indexes = [
            # send_newsletters: scheduled issues that are due, and those in flight.
            models.Index(fields=["status", "send_at"], name="issue_due_idx"),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_editable(self):
        return self.status in (self.Status.DRAFT, self.Status.SCHEDULED)

    def delivery_counts(self):
        """Deliveries per status, with every status present (zero if none)."""
        counts = dict.fromkeys(Delivery.Status.values, 0)
        rows = self.deliveries.values_list("status").annotate(n=Count("pk"))
        counts.update(dict(rows.order_by()))
        return counts


def published_articles_only():
    """limit_choices_to for article pickers: the published() gate, as a subquery."""
    from articles.models import Article

    return {"pk__in": Article.objects.published().values("pk")}


class IssueArticle(models.Model):
    """An article in an issue, in the order the editor chose."""

    issue = models.ForeignKey(
        NewsletterIssue, on_delete=models.CASCADE, related_name="items"
    )
    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("المقال"),
        on_delete=models.CASCADE,
        related_name="+",
        # Only what readers can see may go out; the gate is published().
        limit_choices_to=published_articles_only,
    )
    position = models.PositiveSmallIntegerField(_("الترتيب"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("مقال في العدد")
        verbose_name_plural = _("مقالات العدد")
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "article"],
                name="unique_issue_article",
                violation_error_message=_("المقال موجود في هذا العدد بالفعل."),
            ),
        ]

    def __str__(self):
        return str(self.article)


class Delivery(models.Model):
    """One issue to one reader: the unit the delivery engine claims and sends."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("في الانتظار")
        SENDING = "sending", _("قيد الإرسال")
        SENT = "sent", _("أُرسلت")
        FAILED = "failed", _("فشلت")
        SKIPPED = "skipped", _("أُلغيت قبل الإرسال")

    issue = models.ForeignKey(
        NewsletterIssue,
        verbose_name=_("العدد"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("الاشتراك"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("القارئ"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    email = models.EmailField(_("البريد"), max_length=254)
    status = models.CharField(
        _("الحالة"), max_length=10, choices=Status, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("المحاولات"), default=0)
    next_attempt_at = models.DateTimeField(_("المحاولة التالية"), default=timezone.now)
    claimed_at = models.DateTimeField(_("حُجزت في"), null=True, blank=True)
    # The worker run holding the row while it is `sending`: every write it
    # makes names it, so a worker whose lease lapsed writes nothing
    # (accounts/newsletters/delivery.py).
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    sent_at = models.DateTimeField(_("أُرسلت في"), null=True, blank=True)
    last_error = models.TextField(_("آخر خطأ"), blank=True)

    class Meta:
        verbose_name = _("رسالة مرسلة")
        verbose_name_plural = _("الرسائل المرسلة")
        constraints = [
            # The invariant behind "never the same issue twice".
            models.UniqueConstraint(
                fields=["issue", "user"], name="unique_delivery_per_reader"
            ),
        ]
        indexes = [
            # send_pending(): the next claimable batch of one issue.
            models.Index(
                fields=["issue", "status", "next_attempt_at"],
                name="delivery_claim_idx",
            ),
        ]

    def __str__(self):
        return f"{self.issue} → {self.email}"


class Suppression(models.Model):
    """An address that bounced permanently; nothing is sent to it on any list."""

    class Reason(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", _("رفض دائم من خادم البريد (5xx)")
        SOFT_BOUNCES = "soft_bounces", _("رفض مؤقت متكرر")
        COMPLAINT = "complaint", _("شكوى بريد مزعج")
        MANUAL = "manual", _("أضيف يدويًا")

    # Stored lower-cased, so lookups match whatever case the account uses.
    email = models.EmailField(_("البريد"), max_length=254, unique=True)
    reason = models.CharField(_("السبب"), max_length=20, choices=Reason)
    detail = models.TextField(_("التفاصيل"), blank=True)
    created_at = models.DateTimeField(_("أضيف في"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("عنوان موقوف")
        verbose_name_plural = _("العناوين الموقوفة")

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)


class ProviderEvent(models.Model):
    """What a mail provider reported about a message (its tracking webhook,
    accounts/newsletters/feedback.py): kept so that a replayed report changes
    nothing, soft bounces can be counted, and an issue's report can say what
    became of it."""

    esp = models.CharField(_("المزوّد"), max_length=30)
    # The provider's id for the event, or a digest of what identifies it.
    event_key = models.CharField(max_length=64)
    event_type = models.CharField(_("الحدث"), max_length=20)
    email = models.EmailField(_("البريد"), max_length=254, blank=True)
    issue = models.ForeignKey(
        NewsletterIssue,
        verbose_name=_("العدد"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="provider_events",
    )
    detail = models.TextField(_("التفاصيل"), blank=True)
    received_at = models.DateTimeField(_("وصل في"), default=timezone.now)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("تقرير مزوّد البريد")
        verbose_name_plural = _("تقارير مزوّد البريد")
        constraints = [
            models.UniqueConstraint(
                fields=["esp", "event_key"], name="unique_provider_event"
            ),
        ]
        indexes = [
            # Soft bounces of one address; an issue's report.
            models.Index(
                fields=["email", "event_type", "received_at"],
                name="providerevent_email_idx",
            ),
        ]

    def __str__(self):
        return f"{self.esp}: {self.event_type} {self.email}"
