from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

from articles.models import Article, ArticleAuthor, TaggedArticle


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        # Log-in is case-insensitive on the address.
        return self.get(email__iexact=email)


class User(AbstractUser):
    """A reader or a member of staff; the e-mail address is the login."""

    username = None
    first_name = None
    last_name = None
    name = models.CharField(_("الاسم"), max_length=150)
    email = models.EmailField(_("البريد الإلكتروني"), unique=True)
    email_verified_at = models.DateTimeField(
        _("تاريخ تأكيد البريد"), null=True, blank=True
    )
    # Replaced by every e-mail change request and cleared when one is used:
    # change links are bound to it (accounts.tokens), so only the newest
    # link works, and only once. The database default lets code that does
    # not know the column (during a deploy, old migrations' models) insert.
    email_change_nonce = models.CharField(
        _("رمز طلب تغيير البريد"),
        max_length=32,
        blank=True,
        default="",
        db_default="",
        editable=False,
    )
    # The consent line of the sign-up form: which version of the terms of use
    # (articles.SitePage, whose history keeps every version's text) the
    # reader accepted, and when. Empty for accounts made another way.
    terms_version = models.PositiveIntegerField(
        _("إصدار شروط الاستخدام المقبول"), null=True, blank=True, editable=False
    )
    terms_accepted_at = models.DateTimeField(
        _("وقت قبول شروط الاستخدام"), null=True, blank=True, editable=False
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("مستخدم")
        verbose_name_plural = _("المستخدمون")
        constraints = [
            # One account per address, whatever its case.
            models.UniqueConstraint(Lower("email"), name="unique_user_email_ci")
        ]

    def __str__(self):
        return self.name or self.email

    @property
    def is_verified(self):
        return self.email_verified_at is not None

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else self.email


class SavedArticle(models.Model):
    """An article a reader kept for later; one row per reader and article."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("القارئ"),
        on_delete=models.CASCADE,
        related_name="saved_articles",
    )
    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("المقال"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    saved_at = models.DateTimeField(_("وقت الحفظ"), default=timezone.now)

    class Meta:
        verbose_name = _("مقال محفوظ")
        verbose_name_plural = _("المقالات المحفوظة")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "article"],
                name="unique_saved_article",
                violation_error_message=_("هذا المقال محفوظ لديك من قبل."),
            )
        ]
        indexes = [
            # /account/saved/: one reader's list, newest first.
            models.Index(fields=["user", "-saved_at"], name="saved_user_recent_idx"),
        ]

    def __str__(self):
        return f"{self.user} ← {self.article}"


class LoginCode(models.Model):
    """The code and link of the newest "e-mail me a code" request of an
    account (accounts.login_codes): keyed hashes only, never the code. Its
    tries are counted in the cache, for every address alike.

    One row per account, replaced by every request, so nothing piles up to
    prune; a used code's row is deleted."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("المستخدم"),
        on_delete=models.CASCADE,
        related_name="login_code",
    )
    code_hash = models.CharField(max_length=64, editable=False)
    # The magic link's lookup (accounts.views.login_link).
    link_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("وقت الطلب"), default=timezone.now)
    expires_at = models.DateTimeField(_("ينتهي في"))
    # Where the reader asked, and the save or follow waiting there
    # (accounts.pending), so that the link does it from any browser.
    next_url = models.CharField(max_length=2000, blank=True, default="")
    action = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("رمز دخول")
        verbose_name_plural = _("رموز الدخول")

    def __str__(self):
        return str(self.user)


class FollowQuerySet(models.QuerySet):
    def of_kind(self, kind: str):
        """Follows of one kind: "section", "tag" or "author"."""
        return self.filter(**{f"{kind}__isnull": False})

    def target_ids(self, kind: str):
        """The ids followed for `kind`, as a subquery-friendly values queryset."""
        return self.of_kind(kind).values(f"{kind}_id")

    def of_public_targets(self):
        """Follows whose target readers may see (Follow.followable): a tag or
        author no published story carries anymore drops out, name and all."""
        published = Article.objects.published()
        return self.filter(
            Q(tag__isnull=True) | Exists(published.tagged(OuterRef("tag"))),
            Q(author__isnull=True) | Exists(published.by_author(OuterRef("author"))),
        )

    def articles(self):
        """Published articles matching any of these follows, newest first.

        One query whatever the number of follows. Each kind is an IN
        subquery that PostgreSQL runs once and hashes (the ids of articles
        carrying a followed tag or byline), rather than a correlated EXISTS
        probed for every article, which made the paginator's COUNT take
        seconds at 100,000 articles. IN also keeps each article once, so no
        DISTINCT is needed.
        """
        tagged = TaggedArticle.objects.filter(tag_id__in=self.target_ids("tag")).values(
            "content_object_id"
        )
        bylined = ArticleAuthor.objects.filter(
            author_id__in=self.target_ids("author")
        ).values("article_id")
        return (
            Article.objects.published()
            .filter(
                Q(section_id__in=self.target_ids("section"))
                | Q(pk__in=tagged)
                | Q(pk__in=bylined)
            )
            .order_by("-published_at", "-pk")
        )


class Follow(models.Model):
    """A reader following exactly one section, tag or author."""

    class Kind(models.TextChoices):
        SECTION = "section", _("قسم")
        TAG = "tag", _("وسم")
        AUTHOR = "author", _("كاتب")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("القارئ"),
        on_delete=models.CASCADE,
        related_name="follows",
    )
    section = models.ForeignKey(
        "articles.Section",
        verbose_name=_("القسم"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    tag = models.ForeignKey(
        "articles.Tag",
        verbose_name=_("الوسم"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    author = models.ForeignKey(
        "articles.Author",
        verbose_name=_("الكاتب"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("وقت المتابعة"), default=timezone.now)

    objects = FollowQuerySet.as_manager()

    class Meta:
        verbose_name = _("متابعة")
        verbose_name_plural = _("المتابعات")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(section__isnull=False, tag__isnull=True, author__isnull=True)
                    | Q(section__isnull=True, tag__isnull=False, author__isnull=True)
                    | Q(section__isnull=True, tag__isnull=True, author__isnull=False)
                ),
                name="follow_exactly_one_target",
                violation_error_message=_(
                    "المتابعة تكون لقسم واحد أو وسم واحد أو كاتب واحد."
                ),
            ),
            # Each also serves the "what does this reader follow" lookups of
            # /for-you/ and the follow buttons (user is the leading column).
            *(
                models.UniqueConstraint(
                    fields=["user", kind],
                    condition=Q(**{f"{kind}__isnull": False}),
                    name=f"unique_follow_{kind}",
                    violation_error_message=_("أنت تتابع هذا من قبل."),
                )
                for kind in ("section", "tag", "author")
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.target}"

    @classmethod
    def target_model(cls, kind: str):
        """The model a follow of `kind` points at, or None for junk."""
        if kind not in cls.Kind.values:
            return None
        return cls._meta.get_field(kind).related_model

    @classmethod
    def followable(cls, kind: str):
        """What readers may follow of `kind`, or None for junk: any section
        (every page's menu names them all), but a tag or an author only
        while a story readers can see carries it."""
        model = cls.target_model(kind)
        if model is None:
            return None
        if kind == cls.Kind.SECTION:
            return model.objects.all()
        return model.objects.published()

    @classmethod
    def kind_of(cls, target) -> str:
        """ "section", "tag" or "author" for a followable object, else ""."""
        for kind in cls.Kind.values:
            if isinstance(target, cls.target_model(kind)):
                return kind
        return ""

    @property
    def kind(self) -> str:
        for kind in self.Kind.values:
            if getattr(self, f"{kind}_id") is not None:
                return kind
        return ""

    @property
    def target(self):
        return getattr(self, self.kind, None) if self.kind else None


class Passkey(Device):
    """A WebAuthn credential a reader or staff member signs in with
    (accounts/passkeys.py). Only the public key is kept: the private key
    never leaves the reader's device or password manager.

    A django-otp device, so a sign-in with one, which requires user
    verification (a fingerprint, face or PIN on the device), also counts as
    the admin's second factor (accounts/second_factor.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("المستخدم"),
        on_delete=models.CASCADE,
        related_name="passkeys",
    )
    name = models.CharField(_("الاسم"), max_length=64)
    # base64url of the authenticator's credential id (at most 1023 bytes).
    credential_id = models.CharField(
        _("معرّف المفتاح"), max_length=1400, unique=True, editable=False
    )
    public_key = models.BinaryField(_("المفتاح العام"), editable=False)
    sign_count = models.PositiveBigIntegerField(_("عدّاد التوقيعات"), default=0)
    transports = models.JSONField(_("طرق الاتصال"), default=list, blank=True)
    # The WebAuthn user handle the credential was made for: one per account,
    # random, checked again on every sign-in.
    user_handle = models.BinaryField(_("معرّف الحساب لدى المفتاح"), editable=False)
    created_at = models.DateTimeField(_("وقت الإضافة"), default=timezone.now)
    last_used_at = models.DateTimeField(_("آخر استخدام"), null=True, blank=True)

    class Meta:
        verbose_name = _("مفتاح مرور")
        verbose_name_plural = _("مفاتيح المرور")
        # The account page's list (accounts.views.profile), oldest first.
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.name
