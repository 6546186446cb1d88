from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager
from taggit.models import NaturalKeyManager, TagBase, TaggedItemBase

from newsroom.links import url_of

from .sanitize import sanitize_body, sanitize_page
from .storage import originals_storage
from .text import arabic_slugify

# Section slugs live at the site root, so they may not take a path that
# another URL already uses.
RESERVED_SLUGS = frozenset(
    {
        "account",
        "accounts",
        "admin",
        "ar",
        "articles",
        "about",
        "author",
        "breaking",
        "contact",
        "corrections",
        "corrections-policy",
        "en",
        "for-you",
        "healthz",
        "i18n",
        "live",
        "media",
        "newsletters",
        "notifications",
        "opinion",
        "privacy",
        "robots.txt",
        "rss",
        "search",
        "sitemap.xml",
        "sitemap-news.xml",
        "sitemaps",
        "static",
        "tag",
        "terms",
    }
)


def validate_not_reserved(slug):
    if slug.lower() in RESERVED_SLUGS:
        raise ValidationError(
            _("المسار «%(slug)s» محجوز لصفحة أخرى في الموقع؛ اختر مسارًا آخر."),
            code="reserved",
            params={"slug": slug},
        )


class Section(models.Model):
    name = models.CharField(_("الاسم"), max_length=100)
    slug = models.SlugField(
        _("المسار"),
        max_length=100,
        unique=True,
        allow_unicode=True,
        validators=[validate_not_reserved],
        help_text=_("يظهر في الرابط: /المسار/"),
    )
    position = models.PositiveSmallIntegerField(
        _("الترتيب في القائمة"), default=0, help_text=_("الأصغر يظهر أولًا.")
    )
    description = models.TextField(_("الوصف"), blank=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("قسم")
        verbose_name_plural = _("الأقسام")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return url_of("articles:section", section=self.slug)


class AuthorQuerySet(models.QuerySet):
    def published(self, now=None):
        """Authors bylined on a story readers can see now (the articles' own
        gate): the others have no public page, prompt or follow button."""
        return self.filter(
            Exists(Article.objects.published(now).by_author(OuterRef("pk")))
        )


class Author(models.Model):
    name = models.CharField(_("الاسم"), max_length=150)
    slug = models.SlugField(
        _("المسار"), max_length=150, unique=True, allow_unicode=True
    )
    bio = models.TextField(_("نبذة"), blank=True)
    # The original stays private; bylines show its renditions (images.py).
    photo = models.ImageField(
        _("الصورة"), upload_to="authors/", storage=originals_storage, blank=True
    )
    photo_renditions = models.JSONField(default=dict, blank=True, editable=False)
    # Why the background worker made no renditions (images.RenditionError).
    photo_rendition_error = models.CharField(max_length=30, blank=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("حساب المحرر"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
        limit_choices_to={"is_staff": True},
    )
    is_columnist = models.BooleanField(_("كاتب رأي"), default=False)

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("كاتب")
        verbose_name_plural = _("الكتّاب")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return url_of("articles:author", slug=self.slug)


class Picture(models.Model):
    """A photo in the media library: uploaded once, used by many stories.

    The original is private (articles/storage.py); readers only ever get the
    renditions recorded as in articles/images.py, which the background worker
    makes. Until it has, the picture shows nowhere."""

    image = models.ImageField(
        _("الملف"),
        upload_to="articles/%Y/%m/",
        storage=originals_storage,
        width_field="width",
        height_field="height",
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    alt = models.CharField(
        _("وصف الصورة"),
        max_length=300,
        help_text=_("ما تظهره الصورة، لمن لا يراها (قارئات الشاشة ومحركات البحث)."),
    )
    caption = models.CharField(_("تعليق الصورة"), max_length=300, blank=True)
    credit = models.CharField(_("مصدر الصورة"), max_length=150, blank=True)
    focal_x = models.FloatField(_("النقطة المحورية أفقيًا"), default=0.5)
    focal_y = models.FloatField(_("النقطة المحورية عموديًا"), default=0.5)
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    # Why the background worker made no renditions (images.RenditionError).
    rendition_error = models.CharField(max_length=30, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("رفعها"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("رُفعت في"), default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("صورة")
        verbose_name_plural = _("مكتبة الصور")
        constraints = [
            models.CheckConstraint(condition=~Q(alt=""), name="picture_alt_required"),
        ]

    def __str__(self):
        return self.caption or self.alt


class TagQuerySet(models.QuerySet):
    def published(self, now=None):
        """Tags on a story readers can see now (the articles' own gate): the
        others have no public page, prompt or follow button."""
        return self.filter(
            Exists(Article.objects.published(now).tagged(OuterRef("pk")))
        )


class Tag(TagBase):
    """A taggit tag whose slug is always a non-empty Unicode slug."""

    # taggit's natural keys (serialization), with our queryset.
    objects = NaturalKeyManager.from_queryset(TagQuerySet)()

    class Meta:
        verbose_name = _("وسم")
        verbose_name_plural = _("الوسوم")

    def slugify(self, tag, i=None):
        slug = arabic_slugify(tag, fallback="وسم")
        return f"{slug}-{i}" if i is not None else slug

    def get_absolute_url(self):
        return url_of("articles:tag", slug=self.slug)


class TaggedArticle(TaggedItemBase):
    # A real foreign key (not taggit's generic relation) so tag lookups join
    # on an indexed integer column.
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)
    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, related_name="tagged_articles"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="unique_article_tag"
            )
        ]
        # A tag's stories from the index alone (related_to, tag pages).
        indexes = [
            models.Index(fields=["tag", "content_object"], name="article_tag_story_idx")
        ]


def byline_prefetch():
    """Prefetch of articles' authors in byline order (ArticleAuthor.position),
    not by name; it reuses its join on the through table."""
    return models.Prefetch(
        "authors",
        queryset=Author.objects.order_by(
            "articleauthor__position", "articleauthor__id"
        ),
    )


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """Articles readers may see: published, and due (the single gate)."""
        return self.filter(
            status=Article.Status.PUBLISHED,
            published_at__lte=now or timezone.now(),
        )

    def for_listing(self):
        """Everything a story card shows, without a query per card."""
        return self.for_cards().prefetch_related(byline_prefetch())

    def for_cards(self):
        """for_listing() without the bylines, for callers that fetch those for
        several lists at once (prefetch_related_objects with byline_prefetch())."""
        # Cards never show the body, by far the largest column.
        return self.select_related("section", "picture").defer("body")

    def in_section(self, section):
        """Articles filed in `section`."""
        return self.filter(section=section)

    def tagged(self, tag):
        """Articles carrying `tag`."""
        return self.filter(tags=tag)

    def by_author(self, author):
        """Articles bylined to `author`."""
        return self.filter(authors=author)

    def opinion(self):
        """Opinion columns."""
        return self.filter(article_type=Article.ArticleType.OPINION)

    def related_to(self, article, limit=6):
        """Published articles sharing tags with `article`, most shared tags first.

        A busy tag links thousands of stories: the ranking counts shared tags
        on the tag index alone (article_tag_story_idx), newest first among
        equals, and only then loads the few winners. Spares make up for
        winners readers can't see (drafts, scheduled or withdrawn stories).
        """
        tag_ids = TaggedArticle.objects.filter(content_object=article).values("tag")
        winners = (
            TaggedArticle.objects.filter(tag__in=tag_ids)
            .exclude(content_object=article)
            .values("content_object")
            .annotate(shared=Count("tag"))
            .order_by("-shared", "-content_object")
            .values("content_object")[: limit * 4]
        )
        return (
            self.published()
            .filter(pk__in=winners)
            .defer("body")
            .annotate(shared_tags=Count("tags", filter=Q(tags__in=tag_ids)))
            .order_by("-shared_tags", "-published_at")[:limit]
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("مسودة")
        REVIEW = "review", _("قيد المراجعة")
        PUBLISHED = "published", _("منشور")
        WITHDRAWN = "withdrawn", _("مسحوب")

    class ArticleType(models.TextChoices):
        NEWS = "news", _("خبر")
        OPINION = "opinion", _("رأي")
        ANALYSIS = "analysis", _("تحليل")
        INTERVIEW = "interview", _("حوار")

    # Content
    headline = models.CharField(_("العنوان"), max_length=255)
    slug = models.SlugField(
        _("المسار"),
        max_length=255,
        allow_unicode=True,
        blank=True,
        help_text=_("يُولَّد من العنوان إن تُرك فارغًا."),
    )
    kicker = models.CharField(_("العنوان التمهيدي"), max_length=100, blank=True)
    standfirst = models.TextField(_("الموجز"), blank=True)
    body = models.TextField(_("النص"), blank=True)
    dateline = models.CharField(_("مكان الخبر"), max_length=100, blank=True)

    # Taxonomy
    section = models.ForeignKey(
        Section,
        verbose_name=_("القسم"),
        on_delete=models.PROTECT,
        related_name="articles",
    )
    authors = models.ManyToManyField(
        Author,
        verbose_name=_("الكتّاب"),
        through="ArticleAuthor",
        related_name="articles",
        blank=True,
    )
    tags = TaggableManager(verbose_name=_("الوسوم"), through=TaggedArticle, blank=True)
    related = models.ManyToManyField(
        "self",
        verbose_name=_("عناوين ذات صلة"),
        through="RelatedArticle",
        symmetrical=False,
        blank=True,
    )
    article_type = models.CharField(
        _("النوع"), max_length=20, choices=ArticleType, default=ArticleType.NEWS
    )
    is_breaking = models.BooleanField(_("عاجل"), default=False)
    is_lead = models.BooleanField(
        _("القصة الرئيسية"),
        default=False,
        help_text=_("تتصدر الواجهة حين لا تكون فيها قصة رئيسية مثبتة سارية."),
    )

    # Live coverage: a page that grows by dated updates (LiveUpdate) from its
    # publication until an editor ends it.
    is_live = models.BooleanField(
        _("تغطية مباشرة"),
        default=False,
        help_text=_("صفحة تُضاف إليها تحديثات متتالية من غرفة التغطية المباشرة."),
    )
    live_ended_at = models.DateTimeField(
        _("انتهت التغطية في"), null=True, blank=True, editable=False
    )
    live_writers_publish = models.BooleanField(
        _("ينشر الكتّاب تحديثاتهم دون مراجعة"),
        default=False,
        help_text=_("وإلا انتظرت تحديثاتهم موافقة محرر."),
    )

    # Media: the lead image comes from the library (Picture); read it through
    # lead_caption and picture, never the file directly.
    picture = models.ForeignKey(
        Picture,
        verbose_name=_("الصورة الرئيسية"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
    )
    image_caption = models.CharField(
        _("تعليق الصورة في هذا المقال"),
        max_length=300,
        blank=True,
        help_text=_("اتركه فارغًا لاستعمال تعليق الصورة في المكتبة."),
    )

    # SEO
    meta_description = models.CharField(
        _("وصف محركات البحث"), max_length=300, blank=True
    )

    # Publishing
    status = models.CharField(
        _("الحالة"), max_length=20, choices=Status, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("وقت النشر"),
        null=True,
        blank=True,
        help_text=_("وقت في المستقبل يجعل النشر مجدولًا."),
    )
    created_at = models.DateTimeField(_("أنشئ في"), auto_now_add=True)
    updated_at = models.DateTimeField(_("عُدّل في"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("أنشأه"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Moved on by every save(), in the database (see save()); the admin form
    # carries the version it was opened at and refuses to save over a newer
    # one (articles/editing/conflicts.py). A counter, not updated_at: two
    # saves in the same clock tick still get different numbers.
    version = models.PositiveIntegerField(_("رقم النسخة"), default=1, editable=False)

    history = HistoricalRecords()
    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at"]
        get_latest_by = "published_at"
        verbose_name = _("مقال")
        verbose_name_plural = _("المقالات")
        permissions = [
            ("publish_article", _("يستطيع نشر المقالات وجدولتها وسحبها")),
        ]
        indexes = [
            # published() listings: home, feeds, sitemaps, latest news. The
            # home page's per-section blocks rank a month of stories by
            # section from this index alone (an index-only scan on
            # PostgreSQL; other databases ignore `include`).
            models.Index(
                fields=["status", "published_at"],
                include=["section", "id"],
                name="article_published_idx",
            ),
            # Section pages.
            models.Index(
                fields=["section", "status", "published_at"], name="article_section_idx"
            ),
            # Stories reached through another table (tags for related
            # headlines, follows, saves) pass the published() gate and sort
            # by date from this index, without reading their wide rows.
            models.Index(
                fields=["id"],
                include=["status", "published_at"],
                name="article_visibility_idx",
            ),
            # The front page's lead story and breaking strip: a few flagged rows.
            models.Index(
                fields=["-published_at"],
                condition=Q(is_lead=True),
                name="article_lead_idx",
            ),
            models.Index(
                fields=["-published_at"],
                condition=Q(is_breaking=True),
                name="article_breaking_idx",
            ),
            # /opinion/ and the columnists block.
            models.Index(
                fields=["article_type", "status", "published_at"],
                name="article_type_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_article_has_date",
                violation_error_message=_("المقال المنشور يحتاج إلى وقت نشر."),
            ),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = arabic_slugify(self.headline, fallback="مقال")[:255]
        self.body = sanitize_body(self.body)
        if self.status == self.Status.PUBLISHED and not self.published_at:
            self.published_at = timezone.now()
        if not self._state.adding:
            # Incremented by the database, so concurrent saves never share a
            # number; Django reads the new value back before post_save, where
            # the history records it.
            self.version = models.F("version") + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return url_of(
            "articles:detail", section=self.section.slug, pk=self.pk, slug=self.slug
        )

    def clean(self):
        if self.status == self.Status.PUBLISHED and not self.published_at:
            self.published_at = timezone.now()

    def is_published(self, now=None):
        """True when readers can see the article right now."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= (now or timezone.now())
        )

    is_published.boolean = True
    is_published.short_description = _("ظاهر للقراء")

    def is_scheduled(self):
        """Published, but due in the future."""
        return self.status == self.Status.PUBLISHED and not self.is_published()

    def is_opinion(self):
        return self.article_type == self.ArticleType.OPINION

    def publish(self, when=None):
        """Publish now, or at `when` (a future time schedules it)."""
        self.status = self.Status.PUBLISHED
        self.published_at = when or self.published_at or timezone.now()
        self.save()

    def withdraw(self):
        """Take the article away from readers; it keeps its history."""
        self.status = self.Status.WITHDRAWN
        self.save()

    def mark_updated(self, when=None):
        """Count a change readers see outside the article's own row (a
        correction) as an update: its updated time, Last-Modified and sitemap
        lastmod move. An UPDATE, not save(): no revision for an unchanged text."""
        self.updated_at = when or timezone.now()
        Article.objects.filter(pk=self.pk).update(updated_at=self.updated_at)

    @property
    def live_running(self):
        """A live page whose coverage has not been ended: the badge shows,
        open pages poll for updates."""
        return self.is_live and self.live_ended_at is None

    @property
    def lead_caption(self):
        """The lead image's caption in this story: its own, else the library's."""
        if self.picture_id is None:
            return ""
        return self.image_caption or self.picture.caption

    def reading_time(self):
        """Minutes to read the body, at about 180 Arabic words a minute."""
        words = len(strip_tags(self.body).split())
        return max(1, round(words / 180))


class ArticleLock(models.Model):
    """Who has an article's change form open: a soft lock other editors see.

    It warns, it doesn't forbid: saves are guarded by Article.version. In the
    database, not the cache, so every worker sees the same holder and it
    survives restarts. The holder's page renews `last_seen_at` by heartbeat;
    a lock not renewed for EXPIRES_AFTER is free again (articles/editing/locks.py).
    """

    EXPIRES_AFTER = timedelta(minutes=2)

    article = models.OneToOneField(
        Article,
        verbose_name=_("المقال"),
        on_delete=models.CASCADE,
        related_name="edit_lock",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("المحرر"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The browser page holding the lock, so a late "released" from a page the
    # editor has already left can't free the lock their next page holds.
    page = models.CharField(max_length=32)
    started_at = models.DateTimeField(_("بدأ في"))
    last_seen_at = models.DateTimeField(_("آخر نبضة"))
    # Set when someone takes the lock over, so the previous holder's page can
    # say so at its next heartbeat.
    taken_from = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("قفل تحرير")
        verbose_name_plural = _("أقفال التحرير")

    def __str__(self):
        return f"{self.article_id}: {self.user_id} @ {self.last_seen_at:%H:%M}"

    def is_active(self, now=None):
        """Renewed recently enough to still hold the article."""
        return self.last_seen_at > (now or timezone.now()) - self.EXPIRES_AFTER


class ArticleAuthor(models.Model):
    """A byline, in order: the first author is named first."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE)
    author = models.ForeignKey(
        Author, verbose_name=_("الكاتب"), on_delete=models.PROTECT
    )
    position = models.PositiveSmallIntegerField(_("الترتيب"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("كاتب المقال")
        verbose_name_plural = _("كتّاب المقال")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "author"], name="unique_article_author"
            )
        ]

    def __str__(self):
        return str(self.author)


class RelatedArticle(models.Model):
    """An editor-picked related headline, in order."""

    from_article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="related_links"
    )
    to_article = models.ForeignKey(
        Article,
        verbose_name=_("المقال"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("الترتيب"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("عنوان ذو صلة")
        verbose_name_plural = _("عناوين ذات صلة")
        constraints = [
            models.UniqueConstraint(
                fields=["from_article", "to_article"], name="unique_related_article"
            ),
            models.CheckConstraint(
                condition=~Q(from_article=models.F("to_article")),
                name="related_article_not_self",
                violation_error_message=_("لا يكون المقال ذا صلة بنفسه."),
            ),
        ]

    def __str__(self):
        return str(self.to_article)


class CorrectionQuerySet(models.QuerySet):
    def published(self, now=None):
        """Notes on stories readers can see now (the articles' own gate)."""
        return self.filter(article__in=Article.objects.published(now))


class Correction(models.Model):
    """A dated note on a published story: a correction or an editor's note."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("تصحيح")
        EDITORS_NOTE = "editors_note", _("ملاحظة المحرر")

    article = models.ForeignKey(
        Article,
        verbose_name=_("المقال"),
        on_delete=models.CASCADE,
        related_name="corrections",
    )
    kind = models.CharField(
        _("النوع"), max_length=20, choices=Kind, default=Kind.CORRECTION
    )
    text = models.TextField(
        _("النص"),
        help_text=_(
            "ما الذي كان خطأً وما الصحيح، بجمل كاملة كما سيقرؤها القراء تحت المقال."
        ),
    )
    # Set when the note is added, never edited: readers see when we corrected.
    created_at = models.DateTimeField(
        _("تاريخ الملاحظة"), default=timezone.now, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("أضافه"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("تصحيح")
        verbose_name_plural = _("التصحيحات وملاحظات المحرر")
        indexes = [
            # /corrections/ and its feed: the newest notes first.
            models.Index(fields=["-created_at"], name="correction_created_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.article}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#correction-{self.pk}"


class LiveUpdateQuerySet(models.QuerySet):
    def published(self, now=None):
        """Updates readers see: published ones, on live pages readers can see."""
        now = now or timezone.now()
        return self.filter(
            status=LiveUpdate.Status.PUBLISHED,
            published_at__lte=now,
            article__in=Article.objects.published(now),
        )


class LiveUpdate(models.Model):
    """One dated entry of a live page, newest first on the page. Its body
    has the story body's blocks (pictures, galleries, posts from other
    sites), sanitised the same way."""

    class Status(models.TextChoices):
        PENDING = "pending", _("بانتظار محرر")
        PUBLISHED = "published", _("منشور")

    article = models.ForeignKey(
        Article,
        verbose_name=_("التغطية"),
        on_delete=models.CASCADE,
        related_name="live_updates",
        limit_choices_to={"is_live": True},
    )
    title = models.CharField(_("عنوان التحديث"), max_length=200, blank=True)
    body = models.TextField(_("النص"))
    is_key_point = models.BooleanField(
        _("نقطة رئيسية"),
        default=False,
        help_text=_("تُثبَّت في ملخص أعلى الصفحة."),
    )
    author = models.ForeignKey(
        Author,
        verbose_name=_("الكاتب"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("الحالة"), max_length=20, choices=Status, default=Status.PUBLISHED
    )
    # Set when the update is published: the time readers see on it.
    published_at = models.DateTimeField(_("وقت النشر"), null=True, blank=True)
    created_at = models.DateTimeField(_("أنشئ في"), auto_now_add=True)
    updated_at = models.DateTimeField(_("عُدّل في"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("أضافه"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    history = HistoricalRecords()
    objects = LiveUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("تحديث مباشر")
        verbose_name_plural = _("تحديثات التغطية المباشرة")
        indexes = [
            # The live page and its polling endpoint: one page's newest updates.
            models.Index(
                fields=["article", "status", "-published_at"],
                name="liveupdate_article_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_liveupdate_has_date",
            ),
        ]

    def __str__(self):
        return self.title or Truncator(strip_tags(self.body)).words(12)

    def save(self, *args, **kwargs):
        self.body = sanitize_body(self.body)
        if self.status == self.Status.PUBLISHED and not self.published_at:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self):
        return f"update-{self.pk}"

    @property
    def stamp(self):
        """Changes with every edit, to the microsecond: an open page compares
        it to know which updates to replace (static/js/live.js)."""
        return self.updated_at.isoformat()


class ArticleDailyViews(models.Model):
    """Reader views of an article per day, flushed in batches from the cache."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "day"], name="unique_article_day"
            )
        ]
        # Most read: sum of views over the last day or week.
        indexes = [models.Index(fields=["day", "article"], name="views_day_idx")]

    def __str__(self):
        return f"{self.article_id} @ {self.day}: {self.views}"


class FrontPagePinQuerySet(models.QuerySet):
    def for_front_page(self, now=None):
        """Pins not yet ended, on stories readers can see, ready for cards.

        Pins due to start later come too: the home page must expire when they
        start, as when the others end.
        """
        now = now or timezone.now()
        return (
            self.filter(ends_at__gt=now, article__in=Article.objects.published(now))
            .select_related("article__section", "article__picture", "section")
            .defer("article__body")
            .order_by("position", "pk")
        )


class FrontPagePin(models.Model):
    """An editor's choice for a place on the home page, for a set time.

    A place without a live pin fills itself (views.front_page): the lead is
    the `is_lead` story or the latest with a picture, the top stories and
    section blocks the latest ones. A pinned story shows only while readers
    may see it: withdrawn, unpublished or not yet due, it leaves its place to
    the automatic choice.
    """

    class Slot(models.TextChoices):
        LEAD = "lead", _("القصة الرئيسية")
        TOP = "top", _("أبرز الأخبار")
        SECTION_HEAD = "section", _("رأس قسم")

    slot = models.CharField(_("الموضع"), max_length=10, choices=Slot, default=Slot.TOP)
    # CASCADE: a pin is a passing arrangement, nothing worth keeping once its
    # story or section is gone (and it must not block deleting either).
    section = models.ForeignKey(
        Section,
        verbose_name=_("القسم"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("لرأس القسم وحده؛ يُملأ من قسم المقال إن تُرك فارغًا."),
    )
    article = models.ForeignKey(
        Article,
        verbose_name=_("المقال"),
        on_delete=models.CASCADE,
        related_name="front_page_pins",
        limit_choices_to={"status": "published"},
    )
    position = models.PositiveSmallIntegerField(
        _("الترتيب"), default=0, help_text=_("الأصغر يظهر أولًا.")
    )
    starts_at = models.DateTimeField(
        _("يبدأ في"),
        null=True,
        blank=True,
        help_text=_("اتركه فارغًا ليظهر فور الحفظ."),
    )
    ends_at = models.DateTimeField(
        _("ينتهي في"), help_text=_("بعده يعود الموضع إلى الملء التلقائي.")
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
    updated_at = models.DateTimeField(_("عُدّل في"), auto_now=True)

    objects = FrontPagePinQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("تثبيت في الواجهة")
        verbose_name_plural = _("الواجهة")
        indexes = [
            # The home page reads the pins not yet ended; ended ones pile up
            # behind them and are never read.
            models.Index(fields=["ends_at"], name="pin_ends_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(slot="section", section__isnull=False)
                    | (~Q(slot="section") & Q(section__isnull=True))
                ),
                name="pin_section_only_for_section_head",
                violation_error_message=_(
                    "رأس القسم يحتاج إلى قسم، ولا قسم للمواضع الأخرى."
                ),
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="pin_ends_after_it_starts",
                violation_error_message=_("وقت الانتهاء بعد وقت البدء."),
            ),
        ]

    def __str__(self):
        return f"{self.get_slot_display()}: {self.article}"

    def clean(self):
        if (
            self.slot == self.Slot.SECTION_HEAD
            and self.section_id is None
            and self.article_id is not None
        ):
            self.section_id = self.article.section_id
        if self._state.adding and self.ends_at and self.ends_at <= timezone.now():
            raise ValidationError(
                {"ends_at": _("اختر وقتًا في المستقبل: التثبيت المنتهي لا يظهر.")}
            )

    def is_live(self, now=None):
        """Started and not yet ended, whatever the state of its story."""
        now = now or timezone.now()
        return (self.starts_at is None or self.starts_at <= now) and now < self.ends_at

    def is_showing(self, now=None):
        """Live, on a story readers can see now."""
        now = now or timezone.now()
        return self.is_live(now) and self.article.is_published(now)

    is_showing.boolean = True
    is_showing.short_description = _("ظاهر الآن")

    def next_change(self, now=None):
        """When the pin next appears or disappears by itself (after `now`)."""
        now = now or timezone.now()
        if self.starts_at and self.starts_at > now:
            return self.starts_at
        return self.ends_at


class SitePage(models.Model):
    """A page about the newspaper itself, linked from every page's footer:
    who we are, how to reach us, the terms, privacy and corrections
    policies. Editors write it in Arabic and, for the English interface, in
    English; each save is a new version, kept in its history, so a reader's
    consent to the terms (accounts.User.terms_version) names the exact text."""

    class Slug(models.TextChoices):
        ABOUT = "about", _("من نحن")
        CONTACT = "contact", _("اتصل بنا")
        TERMS = "terms", _("شروط الاستخدام")
        PRIVACY = "privacy", _("سياسة الخصوصية")
        CORRECTIONS_POLICY = "corrections-policy", _("سياسة التصحيحات")

    slug = models.SlugField(
        _("الصفحة"),
        max_length=40,
        unique=True,
        choices=Slug,
        help_text=_("رابطها ثابت: الروابط في أسفل كل صفحة تشير إليه."),
    )
    title = models.CharField(_("عنوان الصفحة"), max_length=200)
    body = models.TextField(_("النص"))
    title_en = models.CharField(
        _("عنوان الصفحة بالإنجليزية"),
        max_length=200,
        blank=True,
        help_text=_("تظهر الصفحة بالعربية في الواجهة الإنجليزية إن تُرك فارغًا."),
    )
    body_en = models.TextField(_("النص بالإنجليزية"), blank=True)
    # Moved by the database on every save (see Article.save), so a consent
    # record's number is one revision in the history, never two.
    version = models.PositiveIntegerField(_("الإصدار"), default=1, editable=False)
    updated_at = models.DateTimeField(_("آخر تعديل"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("صفحة تعريفية")
        verbose_name_plural = _("الصفحات التعريفية")
        ordering = ["slug"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = sanitize_page(self.body)
        self.body_en = sanitize_page(self.body_en)
        if not self._state.adding:
            self.version = models.F("version") + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return url_of("articles:page", slug=self.slug)

    @classmethod
    def current_version(cls, slug: str) -> int | None:
        """The version of page `slug` readers see now; None if it is missing."""
        return cls.objects.filter(slug=slug).values_list("version", flat=True).first()

    def in_language(self, language: str) -> tuple[str, str, bool]:
        """(title, body, is_arabic) for an interface in `language`: English
        pages get the English text once both its title and body are written,
        the Arabic otherwise."""
        if language == "en" and self.title_en and self.body_en:
            return self.title_en, self.body_en, False
        return self.title, self.body, True
