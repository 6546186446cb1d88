"""The editorial back office: Arabic, right-to-left, role-aware.

Writers add articles and edit their own drafts until they are submitted and
published; editors (with `articles.publish_article`) do everything. Every rule
is checked on the server: in the form (ArticleAdminForm), in the object
permissions below and in each bulk action.
"""

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, Prefetch, Q, When
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from simple_history.admin import SimpleHistoryAdmin

from .blocks import allow_frames
from .editing.admin import ConcurrentEditingAdminMixin
from .editing.live_desk import LiveUpdateAdmin, desk_url
from .editor import EditorPagesAdminMixin, pictures_for_blocks
from .forms import (
    EDITOR_ONLY_FIELDS,
    ArticleAdminForm,
    AuthorAdminForm,
    PictureAdminForm,
    SitePageAdminForm,
    can_publish,
)
from .history import ArticleHistoryHelper
from .images import (
    clear_photo_renditions,
    clear_renditions,
    delete_renditions,
    original_admin_url,
    purge_stories_showing,
    rendition_set,
)
from .models import (
    Article,
    ArticleAuthor,
    Author,
    Correction,
    FrontPagePin,
    LiveUpdate,
    Picture,
    RelatedArticle,
    Section,
    SitePage,
    Tag,
)
from .search.admin import ArabicSearchAdminMixin
from .search.documents import update_search_document
from .tasks import render_author_photo_later, render_picture_later

# What restoring an earlier revision leaves as it is: whether and when the
# story is public, and where it stands on the front page. Only the explicit
# publish and withdraw decisions change those.
PUBLICATION_FIELDS = ["status", "published_at", "is_breaking", "is_lead"]


def published_count(relation):
    """Count of a relation's articles that readers can see now."""
    return Count(
        relation,
        filter=Q(
            **{
                f"{relation}__status": Article.Status.PUBLISHED,
                f"{relation}__published_at__lte": timezone.now(),
            }
        ),
        distinct=True,
    )


def local_time(value):
    """A stored time as editors read it: local, with Arabic month names."""
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def thumbnail(renditions, alt="", error=None):
    """A square rendition; while there is none, why (`error`: the model's
    rendition error, None when there is no file at all)."""
    image = rendition_set(renditions, "1x1")
    if not image:
        if error is None:
            return "—"
        return _("تعذّرت المعالجة") if error else _("قيد المعالجة")
    return format_html(
        '<img src="{}" alt="{}" width="48" height="48" class="nr-thumb" loading="lazy">',
        image["src"],
        alt,
    )


class VisibilityFilter(admin.SimpleListFilter):
    """What readers see, which the status alone doesn't tell (scheduling)."""

    title = _("الظهور للقراء")
    parameter_name = "visibility"

    def lookups(self, request, model_admin):
        return [("live", _("ظاهر الآن")), ("scheduled", _("مجدول"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "live":
            return queryset.published(now)
        if self.value() == "scheduled":
            return queryset.filter(
                status=Article.Status.PUBLISHED, published_at__gt=now
            )
        return queryset


class MineFilter(admin.SimpleListFilter):
    """A writer's own work, in one click."""

    title = _("الكاتب")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", _("مقالاتي"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(created_by=request.user)
        return queryset


class ArticleInlineMixin:
    """Bylines and related headlines belong to the article: whoever may change
    the article may change them (no separate model permissions to hand out)."""

    def _article_permission(self, request, obj):
        article_admin = self.admin_site.get_model_admin(Article)
        if obj is None:
            return article_admin.has_add_permission(
                request
            ) or article_admin.has_change_permission(request)
        return article_admin.has_change_permission(request, obj)

    def has_view_permission(self, request, obj=None):
        return self.admin_site.get_model_admin(Article).has_view_permission(
            request, obj
        )

    def has_add_permission(self, request, obj=None):
        return self._article_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._article_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._article_permission(request, obj)


class ArticleAuthorInline(ArticleInlineMixin, admin.TabularInline):
    model = ArticleAuthor
    autocomplete_fields = ["author"]
    fields = ["author", "position"]
    extra = 1
    verbose_name = _("كاتب")
    verbose_name_plural = _("الكتّاب (بالترتيب)")


class RelatedArticleInline(ArticleInlineMixin, admin.TabularInline):
    model = RelatedArticle
    fk_name = "from_article"
    autocomplete_fields = ["to_article"]
    fields = ["to_article", "position"]
    extra = 1
    verbose_name = _("عنوان ذو صلة")
    verbose_name_plural = _("عناوين ذات صلة يختارها المحرر (بالترتيب)")


class CorrectionInline(ArticleInlineMixin, admin.StackedInline):
    """Corrections and editor's notes: editors add them to stories that have
    been published (ArticleAdmin.get_inlines; a draft has nothing to correct
    yet). ArticleAdmin.save_formset counts them as an update of the story."""

    model = Correction
    fields = ["kind", "text", "created_at"]
    readonly_fields = ["created_at"]
    extra = 0
    verbose_name = _("تصحيح أو ملاحظة محرر")
    verbose_name_plural = _("التصحيحات وملاحظات المحرر")

    def _article_permission(self, request, obj):
        # Writers see the notes on a story they may view; editors write them.
        return can_publish(request.user) and super()._article_permission(request, obj)


@admin.register(Article)
class ArticleAdmin(
    EditorPagesAdminMixin,
    ConcurrentEditingAdminMixin,
    ArabicSearchAdminMixin,
    SimpleHistoryAdmin,
):
    form = ArticleAdminForm
    inlines = [ArticleAuthorInline, RelatedArticleInline, CorrectionInline]
    list_display = [
        "list_thumbnail",
        "headline",
        "editing_now",
        "section",
        "publication_status",
        "byline",
        "published_at",
        "is_breaking",
        "is_published",
    ]
    list_display_links = ["headline"]
    list_filter = [
        MineFilter,
        "status",
        VisibilityFilter,
        "section",
        "article_type",
        "is_breaking",
        "is_lead",
        "is_live",
        "published_at",
    ]
    search_fields = ["headline", "standfirst", "body"]
    date_hierarchy = "published_at"
    # edit_lock__user: the "being edited" column, without a query per row.
    list_select_related = ["section", "picture", "edit_lock__user"]
    list_per_page = 50
    autocomplete_fields = ["section", "picture"]
    prepopulated_fields = {"slug": ["headline"]}
    readonly_fields = [
        "image_preview",
        "live_desk_link",
        "preview_link",
        "created_at",
        "updated_at",
    ]
    save_on_top = True
    # The history in Arabic ("—", not "None"; see also articles/history.py),
    # and a revert form that says restoring leaves the publication alone.
    object_history_list_template = "admin/articles/article/object_history_list.html"
    object_history_form_template = "admin/articles/article/object_history_form.html"

    class Media:
        js = ["js/admin-focal-point.js", "js/admin-editing.js"]

    actions = [
        "publish_selected",
        "withdraw_selected",
        "mark_breaking",
        "unmark_breaking",
        "submit_for_review",
        "create_breaking_alert",
        "pin_to_front_page",
    ]
    fieldsets = [
        (
            _("المحتوى"),
            {
                "fields": [
                    "kicker",
                    "headline",
                    "slug",
                    "standfirst",
                    "dateline",
                    "body",
                ]
            },
        ),
        (
            _("الوسائط"),
            {
                "fields": [
                    "picture",
                    "image",
                    ("image_alt", "image_credit"),
                    "image_preview",
                    ("image_focal_x", "image_focal_y"),
                    "image_caption",
                ],
                "description": _(
                    "اختر صورة من مكتبة الصور أو ارفع صورة جديدة (JPEG أو PNG أو "
                    "WebP) فتُضاف إليها. النقطة المحورية بين 0 و1 (0.5 منتصف "
                    "الصورة) وتُقصّ النسخ حولها."
                ),
            },
        ),
        (_("التصنيف"), {"fields": ["section", "article_type", "tags"]}),
        (
            _("النشر"),
            {
                "fields": [
                    "status",
                    "published_at",
                    ("is_breaking", "is_lead"),
                    ("is_live", "live_writers_publish"),
                    "live_desk_link",
                    "preview_link",
                    ("created_at", "updated_at"),
                ]
            },
        ),
        (_("محركات البحث"), {"fields": ["meta_description"]}),
    ]

    # Queries --------------------------------------------------------------

    def get_queryset(self, request):
        # One query for all bylines on the page, in byline order.
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "articleauthor_set",
                    queryset=ArticleAuthor.objects.select_related("author"),
                )
            )
        )

    def get_inlines(self, request, obj):
        inlines = super().get_inlines(request, obj)
        if obj is None or obj.published_at is None:
            # Nothing to correct before the story has been published.
            inlines = [inline for inline in inlines if inline is not CorrectionInline]
        return inlines

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        if request.GET.get("model_name") == "relatedarticle":
            # Related-headline autocomplete: only stories readers can reach.
            queryset = queryset.filter(status=Article.Status.PUBLISHED)
        return queryset, may_have_duplicates

    # Columns --------------------------------------------------------------

    @admin.display(description=_("صورة"))
    def list_thumbnail(self, obj):
        if obj.picture_id is None:
            return "—"
        picture = obj.picture
        return thumbnail(picture.renditions, picture.alt, picture.rendition_error)

    @admin.display(description=_("الحالة"), ordering="status")
    def publication_status(self, obj):
        if obj.is_scheduled():
            # "Published" would be wrong: readers cannot see it yet.
            return _("مجدولة للنشر في %(time)s") % {
                "time": local_time(obj.published_at)
            }
        return obj.get_status_display()

    @admin.display(description=_("الكتّاب"))
    def byline(self, obj):
        return "، ".join(link.author.name for link in obj.articleauthor_set.all())

    @admin.display(description=_("معاينة الصورة"))
    def image_preview(self, obj):
        if obj.picture_id is None:
            return _("لا صورة بعد.")
        return focal_point_preview(obj.picture)

    @admin.display(description=_("غرفة التغطية المباشرة"))
    def live_desk_link(self, obj):
        if not obj.pk or not obj.is_live:
            return _("تظهر هنا بعد حفظ المقال تغطيةً مباشرة.")
        state = _("انتهت") if obj.live_ended_at else _("جارية")
        return format_html(
            '<a href="{}">{}</a> ({})',
            desk_url(obj.pk),
            _("انشر تحديثًا أو راجع التحديثات"),
            state,
        )

    @admin.display(description=_("المعاينة"))
    def preview_link(self, obj):
        if not obj.pk:
            return _("احفظ المقال أولًا لتعاينه.")
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("admin:articles_article_preview", args=[obj.pk]),
            _("اعرض المقال كما سيراه القراء"),
        )

    # Permissions ----------------------------------------------------------

    def has_publish_permission(self, request):
        return can_publish(request.user)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or can_publish(request.user):
            return True
        # Writers: their own work, until an editor takes it over.
        return obj.created_by_id == request.user.pk and obj.status in (
            Article.Status.DRAFT,
            Article.Status.REVIEW,
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and can_publish(request.user)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not can_publish(request.user):
            # Shown, not editable; ArticleAdminForm refuses forged values.
            readonly += EDITOR_ONLY_FIELDS
        if getattr(request, "_revision_of", None) is not None:
            # Restoring a revision brings back its content only.
            readonly += PUBLICATION_FIELDS
        return list(dict.fromkeys(readonly))

    def get_form(self, request, obj=None, change=False, **kwargs):
        current = getattr(request, "_revision_of", None)
        if current is not None and obj is not None:
            # The revert view builds its form from the old version (`obj`),
            # and simple_history offers no earlier hook: that version gets
            # today's publication state, shown read-only and saved unchanged.
            for name in PUBLICATION_FIELDS:
                setattr(obj, name, getattr(current, name))
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    # Saving ---------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        # Shown in the history list, so editors can scan what each save did.
        obj._change_reason = self._change_reason(request, obj, form, change)
        upload = form.cleaned_data.get("image")
        if upload:
            obj.picture = self._add_to_library(request, form, obj)
        super().save_model(request, obj, form, change)
        picture = obj.picture
        # The focal point fields show the picture the form was opened with;
        # they apply to it only (not to a new upload or a newly chosen one).
        moved = (
            picture is not None
            and not upload
            and "picture" not in form.changed_data
            and {"image_focal_x", "image_focal_y"} & set(form.changed_data)
        )
        if moved:
            # It belongs to the picture: every story using it gets new crops.
            picture.focal_x = form.cleaned_data["image_focal_x"]
            picture.focal_y = form.cleaned_data["image_focal_y"]
            picture.save(update_fields=["focal_x", "focal_y"])
        # A picture the worker gave up on is tried again from the library,
        # not on every save of the stories using it.
        missing = picture is not None and not (
            picture.renditions or picture.rendition_error
        )
        if picture is not None and (upload or moved or missing):
            # In the background: the story is saved now and shows the
            # picture once its renditions exist.
            render_picture_later(picture)
        if obj.is_lead and "is_lead" in form.changed_data:
            # One lead story: choosing a new one retires the previous one.
            # Only choosing does, which takes the publish permission: a save
            # that keeps the flag as it was (a writer's, a restore) retires
            # no one.
            Article.objects.filter(is_lead=True).exclude(pk=obj.pk).update(
                is_lead=False
            )
        # Also here, not only in save_related: restoring a version from the
        # history saves through save_model alone.
        update_search_document(obj)

    def _add_to_library(self, request, form, obj):
        """A Picture for the image uploaded with the story. The caption typed
        with it becomes the picture's own, for every story that reuses it."""
        picture = Picture.objects.create(
            image=form.cleaned_data["image"],
            alt=form.cleaned_data["image_alt"].strip(),
            caption=obj.image_caption,
            credit=form.cleaned_data["image_credit"],
            focal_x=form.cleaned_data["image_focal_x"],
            focal_y=form.cleaned_data["image_focal_y"],
            uploaded_by=request.user,
        )
        obj.image_caption = ""
        return picture

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Tags and bylines are saved now, so the search document can hold them.
        update_search_document(form.instance)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Correction:
            return super().save_formset(request, form, formset, change)
        for correction in formset.save(commit=False):
            if correction.pk is None:
                correction.created_by = request.user
            correction.save()
        for correction in formset.deleted_objects:
            correction.delete()
        if formset.new_objects or formset.changed_objects or formset.deleted_objects:
            # Readers see the story change: its updated time moves past the
            # note's date (Last-Modified, sitemaps, "آخر تحديث").
            form.instance.mark_updated()

    def _change_reason(self, request, obj, form, change):
        if getattr(request, "_restoring_revision", False):
            return _("استعادة نسخة سابقة")
        if not change:
            return _("إنشاء")
        if "status" in form.changed_data:
            return _("الحالة: %(status)s") % {"status": obj.get_status_display()}
        return _("تعديل")

    # Views ----------------------------------------------------------------

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        article = Article.objects.filter(pk=object_id).first()
        if request.method == "POST":
            # simple_history checks only the history permissions; restoring
            # is a change like any other.
            if article is None:
                raise Http404
            if not self.has_change_permission(request, article):
                raise PermissionDenied
            request._restoring_revision = True
        # The version's content with the story's current publication state
        # (get_form, get_readonly_fields).
        request._revision_of = article
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_form_view_title(self, request, obj):
        if self.revert_disabled(request, obj):
            return super().history_form_view_title(request, obj)
        return _("استعادة محتوى نسخة سابقة: %(headline)s") % {"headline": obj}

    def get_historical_record_context_helper(self, request, historical_record):
        # Labels, local Arabic dates and "—" instead of raw stored values.
        return ArticleHistoryHelper(self.model, historical_record)

    def response_change(self, request, obj):
        if getattr(request, "_restoring_revision", False):
            self.message_user(request, self._restored_message(obj), messages.SUCCESS)
            return HttpResponseRedirect(
                reverse("admin:articles_article_change", args=[obj.pk])
            )
        return super().response_change(request, obj)

    def _restored_message(self, article):
        restored = _(
            "استُعيد محتوى «%(headline)s» من نسخة سابقة، ولم تتغير حالة نشره."
        ) % {"headline": article.headline}
        if article.status == Article.Status.WITHDRAWN:
            state = _(
                "ما زال المقال مسحوبًا ولن يراه القراء؛ لإعادته إليهم انشره من جديد."
            )
        elif article.is_scheduled():
            state = _("ما زال المقال مجدولًا للنشر في %(time)s.") % {
                "time": local_time(article.published_at)
            }
        elif article.is_published():
            state = _("المقال منشور، فالقراء يرون المحتوى المستعاد الآن.")
        else:
            state = _("حالة المقال: %(status)s.") % {
                "status": article.get_status_display()
            }
        return f"{restored} {state}"

    def get_urls(self):
        return [
            path(
                "<int:object_id>/preview/",
                self.preview_view,
                name="articles_article_preview",
            ),
            *super().get_urls(),
        ]

    @method_decorator(never_cache)
    def preview_view(self, request, object_id):
        """A draft exactly as readers will see it; staff only, 404 for others
        (no login redirect, so the URL reveals nothing). Staff who have not
        passed their second factor yet are sent to it, as by admin_view()."""
        if not self.admin_site.has_permission(request):
            if request.user.is_active and request.user.is_staff:
                return self.admin_site.second_factor_redirect(
                    request, request.get_full_path()
                )
            raise Http404
        if not self.has_view_permission(request):
            raise Http404
        article = get_object_or_404(
            Article.objects.select_related("section"), pk=object_id
        )
        # The reader view's own context builder: the preview is the page.
        from .views import get_article_context

        context = get_article_context(article)
        context["is_preview"] = True
        response = TemplateResponse(request, "articles/article_detail.html", context)
        return allow_frames(response, context["body"])

    # Bulk actions ---------------------------------------------------------

    def _require_publish(self, request):
        # Django hides these actions from writers; refuse a forged POST too.
        if not self.has_publish_permission(request):
            raise PermissionDenied

    def _report(self, request, count, singular, plural):
        self.message_user(request, ngettext(singular, plural, count) % {"count": count})

    @admin.action(description=_("نشر المقالات المحددة"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._require_publish(request)
        count = 0
        for article in queryset.exclude(status=Article.Status.PUBLISHED):
            article._change_reason = _("نشر (إجراء جماعي)")
            article.publish()
            count += 1
        self._report(request, count, "نُشر مقال واحد.", "نُشر %(count)d من المقالات.")

    @admin.action(description=_("سحب المقالات المحددة"), permissions=["publish"])
    def withdraw_selected(self, request, queryset):
        self._require_publish(request)
        count = 0
        for article in queryset.filter(status=Article.Status.PUBLISHED):
            article._change_reason = _("سحب (إجراء جماعي)")
            article.withdraw()
            count += 1
        self._report(request, count, "سُحب مقال واحد.", "سُحب %(count)d من المقالات.")

    @admin.action(description=_("وسم المحدد بأنه عاجل"), permissions=["publish"])
    def mark_breaking(self, request, queryset):
        self._set_breaking(request, queryset, True)

    @admin.action(description=_("إزالة وسم العاجل"), permissions=["publish"])
    def unmark_breaking(self, request, queryset):
        self._set_breaking(request, queryset, False)

    def _set_breaking(self, request, queryset, value):
        self._require_publish(request)
        count = 0
        # save() per row, so each change is kept in the article's history.
        for article in queryset.exclude(is_breaking=value):
            article.is_breaking = value
            article._change_reason = _("عاجل") if value else _("إلغاء العاجل")
            article.save(update_fields=["is_breaking", "updated_at"])
            count += 1
        self._report(request, count, "عُدّل مقال واحد.", "عُدّل %(count)d من المقالات.")

    @admin.action(
        description=_("إنشاء تنبيه عاجل للنشرة البريدية"), permissions=["alert"]
    )
    def create_breaking_alert(self, request, queryset):
        """One click from a breaking story to a draft issue of the alerts list."""
        from accounts.newsletters.services import create_breaking_alert

        for article in queryset.filter(is_breaking=True):
            issue = create_breaking_alert(article=article, user=request.user)
            if issue is None:
                continue
            url = reverse("admin:newsletters_newsletterissue_change", args=[issue.pk])
            self.message_user(
                request,
                format_html(
                    _('جُهّز تنبيه «{}»: <a href="{}">راجعه وأرسله</a>.'),
                    issue.subject,
                    url,
                ),
            )

    def has_alert_permission(self, request):
        return request.user.has_perm("newsletters.add_newsletterissue")

    @admin.action(description=_("تثبيت المقال المحدد في الواجهة"), permissions=["pin"])
    def pin_to_front_page(self, request, queryset):
        """To the front page's add form, the chosen story filled in; the
        editor picks the place and the time there."""
        chosen = list(
            queryset.filter(status=Article.Status.PUBLISHED).values_list(
                "pk", flat=True
            )[:2]
        )
        if len(chosen) != 1:
            self.message_user(
                request, _("اختر مقالًا منشورًا واحدًا لتثبيته."), messages.WARNING
            )
            return None
        url = reverse("admin:articles_frontpagepin_add")
        return HttpResponseRedirect(f"{url}?article={chosen[0]}")

    def has_pin_permission(self, request):
        return request.user.has_perm("articles.add_frontpagepin")

    @admin.action(description=_("إرسال المسودات المحددة للمراجعة"))
    def submit_for_review(self, request, queryset):
        count = 0
        for article in queryset.filter(status=Article.Status.DRAFT):
            if self.has_change_permission(request, article):
                article.status = Article.Status.REVIEW
                article._change_reason = _("إرسال للمراجعة")
                article.save(update_fields=["status", "updated_at"])
                count += 1
        level = messages.SUCCESS if count else messages.WARNING
        self.message_user(
            request,
            ngettext(
                "أُرسل مقال واحد للمراجعة.",
                "أُرسل %(count)d من المقالات للمراجعة.",
                count,
            )
            % {"count": count},
            level,
        )


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "published_articles"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    # Explicit: the counting annotation (GROUP BY) drops Meta.ordering, which
    # leaves the list and the section autocomplete in no stable order.
    ordering = ["position", "name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(published_articles=published_count("articles"))
        )

    @admin.display(description=_("المقالات المنشورة"), ordering="published_articles")
    def published_articles(self, obj):
        return obj.published_articles


def focal_point_preview(picture):
    # The original, so the focal point is chosen on the whole picture
    # (static/js/admin-focal-point.js); through the staff-only view, as
    # the file itself has no URL.
    return format_html(
        '<span class="nr-focal-frame" data-focal-point>'
        '<img src="{}" alt="" width="{}" height="{}"></span>'
        '<p class="help">{}</p>{}',
        original_admin_url(picture),
        picture.width or "",
        picture.height or "",
        _("انقر على الصورة لتحديد النقطة المحورية، ثم احفظ لتُقصّ النسخ حولها."),
        rendition_state(picture.renditions, picture.rendition_error),
    )


def rendition_state(renditions, error):
    """What readers see of a picture while it has no renditions: nothing."""
    if renditions:
        return ""
    if error:
        message = _("تعذّرت معالجة الصورة فلن تظهر للقراء؛ ارفع الملف من جديد.")
    else:
        message = _("تجري معالجة الصورة في الخلفية، ولن تظهر للقراء قبل أن تكتمل.")
    return format_html('<p class="help"><strong>{}</strong></p>', message)


def image_type(head):
    """The type of a validated upload (JPEG, PNG or WebP) from its first bytes."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


class OriginalFileAdminMixin:
    """A staff-only view of the model's private original (`original_field`):
    the focal-point picker and the file input show it through this URL."""

    original_field = None

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<int:object_id>/original/",
                self.admin_site.admin_view(self.original_view),
                name=f"{opts.app_label}_{opts.model_name}_original",
            ),
            *super().get_urls(),
        ]

    def original_view(self, request, object_id):
        """The original as uploaded, metadata and all (admin_view: staff
        only, never cached)."""
        obj = self.get_object(request, str(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        original = getattr(obj, self.original_field)
        if not original:
            raise Http404
        try:
            handle = original.storage.open(original.name, "rb")
        except FileNotFoundError:
            raise Http404 from None
        content_type = image_type(handle.read(12))
        handle.seek(0)
        return FileResponse(handle, content_type=content_type)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            # Read only, Django would link the file to its URL, which a
            # private original doesn't have.
            fields = [f for f in fields if f != self.original_field]
        return fields


@admin.register(Picture)
class PictureAdmin(OriginalFileAdminMixin, admin.ModelAdmin):
    """The media library: upload once, reuse in many stories."""

    form = PictureAdminForm
    original_field = "image"
    list_display = [
        "list_thumbnail",
        "alt",
        "caption",
        "credit",
        "uploaded_by",
        "uploaded_at",
        "stories",
    ]
    list_display_links = ["list_thumbnail", "alt"]
    list_filter = ["uploaded_at", "uploaded_by", "credit"]
    list_select_related = ["uploaded_by"]
    search_fields = ["alt", "caption", "credit"]
    date_hierarchy = "uploaded_at"
    # Explicit: the story-count annotation groups rows, which drops
    # Meta.ordering (changelist and the article form's autocomplete).
    ordering = ["-uploaded_at", "-pk"]
    list_per_page = 50
    readonly_fields = ["image_preview", "width", "height", "uploaded_by", "uploaded_at"]
    fields = [
        "image",
        "image_preview",
        ("focal_x", "focal_y"),
        "alt",
        "caption",
        "credit",
        ("width", "height"),
        ("uploaded_by", "uploaded_at"),
    ]

    class Media:
        js = ["js/admin-focal-point.js"]

    def get_urls(self):
        return [
            path(
                "blocks/",
                self.admin_site.admin_view(self.blocks_view),
                name="articles_picture_blocks",
            ),
            *super().get_urls(),
        ]

    def blocks_view(self, request):
        """What the article editor shows for its picture blocks."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return pictures_for_blocks(request)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(story_count=Count("articles"))

    @admin.display(description=_("صورة"))
    def list_thumbnail(self, obj):
        return thumbnail(obj.renditions, obj.alt, obj.rendition_error)

    @admin.display(description=_("معاينة الصورة"))
    def image_preview(self, obj):
        if not obj.image:
            return _("لا صورة بعد.")
        return focal_point_preview(obj)

    @admin.display(description=_("المقالات"), ordering="story_count")
    def stories(self, obj):
        return obj.story_count

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
        if change and "image" in form.changed_data:
            # A replaced file leaves every page now, not once the worker
            # has rendered the new one.
            clear_renditions(obj)
        changed = {"image", "focal_x", "focal_y"} & set(form.changed_data)
        if changed or not obj.renditions:
            render_picture_later(obj)
        elif {"alt", "caption", "credit"} & set(form.changed_data):
            # Shown beside the picture in the stories using it.
            purge_stories_showing(obj)

    def delete_model(self, request, obj):
        renditions = obj.renditions
        # A picture in a story's body (not a lead) may go: the story then
        # shows nothing in its place.
        purge_stories_showing(obj)
        super().delete_model(request, obj)
        # Derived files go with the picture (only an unused one can be
        # deleted); the original stays, as the history may still point at it.
        delete_renditions(renditions)

    def delete_queryset(self, request, queryset):
        renditions = list(queryset.values_list("renditions", flat=True))
        for picture in queryset:
            purge_stories_showing(picture)
        super().delete_queryset(request, queryset)
        for entry in renditions:
            delete_renditions(entry)


@admin.register(Author)
class AuthorAdmin(OriginalFileAdminMixin, admin.ModelAdmin):
    form = AuthorAdminForm
    original_field = "photo"
    list_display = [
        "list_photo",
        "name",
        "is_columnist",
        "user",
        "published_articles",
    ]
    list_display_links = ["name"]
    list_filter = ["is_columnist"]
    list_select_related = ["user"]
    search_fields = ["name", "slug", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["user"]
    ordering = ["name"]  # see SectionAdmin.ordering

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(published_articles=published_count("articles"))
        )

    @admin.display(description=_("الصورة"))
    def list_photo(self, obj):
        error = obj.photo_rendition_error if obj.photo else None
        return thumbnail(obj.photo_renditions, obj.name, error)

    @admin.display(description=_("المقالات المنشورة"), ordering="published_articles")
    def published_articles(self, obj):
        return obj.published_articles

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "photo" in form.changed_data:
            clear_photo_renditions(obj)  # replaced or removed: gone at once
        if obj.photo and ("photo" in form.changed_data or not obj.photo_renditions):
            render_author_photo_later(obj)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "published_articles"]
    search_fields = ["name", "slug"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                published_articles=published_count("tagged_articles__content_object")
            )
        )

    @admin.display(description=_("المقالات المنشورة"), ordering="published_articles")
    def published_articles(self, obj):
        return obj.published_articles


class PinStateFilter(admin.SimpleListFilter):
    """Pins holding their place now, still to come, or over."""

    title = _("السريان")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("live", _("سارٍ الآن")),
            ("upcoming", _("لم يبدأ بعد")),
            ("ended", _("منتهٍ")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "live":
            started = Q(starts_at__isnull=True) | Q(starts_at__lte=now)
            return queryset.filter(started, ends_at__gt=now)
        if self.value() == "upcoming":
            return queryset.filter(starts_at__gt=now)
        if self.value() == "ended":
            return queryset.filter(ends_at__lte=now)
        return queryset


# A pin nobody ends must not hold the front page for ever: the add form
# proposes an end this far ahead.
PIN_DEFAULT_DURATION = timedelta(hours=24)


@admin.register(FrontPagePin)
class FrontPagePinAdmin(admin.ModelAdmin):
    """The front page ("الواجهة"): editors pin the lead, the top stories and
    the heads of section blocks, in order and for a time; every place left
    without a pin fills itself (articles.views.front_page). Model
    permissions decide who may: editors, not writers (migration 0010)."""

    list_display = [
        "article",
        "slot",
        "section",
        "position",
        "starts_at",
        "ends_at",
        "is_showing",
        "created_by",
    ]
    list_display_links = ["article"]
    list_editable = ["position"]
    list_filter = [PinStateFilter, "slot", "section"]
    list_select_related = ["article", "section", "created_by"]
    search_fields = ["article__headline"]
    autocomplete_fields = ["article", "section"]
    date_hierarchy = "ends_at"
    fields = ["slot", "section", "article", "position", ("starts_at", "ends_at")]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("article__body")

    def get_ordering(self, request):
        # The page's own order: the lead, the top stories, then section heads
        # in the sections' order; each by position.
        slot_order = Case(
            When(slot=FrontPagePin.Slot.LEAD, then=0),
            When(slot=FrontPagePin.Slot.TOP, then=1),
            default=2,
        )
        return [slot_order.asc(), "section__position", "position", "-ends_at"]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault(
            "ends_at",
            (timezone.now() + PIN_DEFAULT_DURATION).replace(second=0, microsecond=0),
        )
        return initial

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SitePage)
class SitePageAdmin(EditorPagesAdminMixin, SimpleHistoryAdmin):
    """About, contact, terms, privacy and the corrections policy: editors
    edit them (migration 0015); nobody deletes one, since every page's
    footer and the sign-up form link to them. Each save is a version in the
    history, which is what readers' consent to the terms points at."""

    form = SitePageAdminForm
    list_display = ["title", "slug", "has_english", "version", "updated_at"]
    search_fields = ["title", "title_en"]
    readonly_fields = ["version", "updated_at", "view_on_site_link"]
    fieldsets = [
        (None, {"fields": ["slug", "view_on_site_link", "version", "updated_at"]}),
        (_("بالعربية"), {"fields": ["title", "body"]}),
        (_("بالإنجليزية"), {"fields": ["title_en", "body_en"]}),
    ]
    object_history_list_template = "admin/articles/article/object_history_list.html"

    @admin.display(boolean=True, description=_("بالإنجليزية"))
    def has_english(self, page):
        return bool(page.title_en)

    @admin.display(description=_("الرابط"))
    def view_on_site_link(self, page):
        if not page.pk:
            return "—"
        url = page.get_absolute_url()
        return format_html('<a href="{}" dir="ltr">{}</a>', url, url)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # The address is fixed once the page exists: links point at it.
        return [*fields, "slug"] if obj else fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Saving unchanged would make a new version of the same text.
        if change and not form.has_changed():
            return
        super().save_model(request, obj, form, change)

    def get_historical_record_context_helper(self, request, historical_record):
        return ArticleHistoryHelper(self.model, historical_record)


admin.site.register(LiveUpdate, LiveUpdateAdmin)


# taggit's own generic Tag model is unused here (articles.Tag replaces it);
# hiding it keeps editors from tagging into the wrong table.
try:
    from taggit.models import Tag as TaggitTag

    admin.site.unregister(TaggitTag)
except admin.exceptions.NotRegistered:
    pass
