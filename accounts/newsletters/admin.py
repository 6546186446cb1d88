import csv
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.push import services as push_services
from articles.models import Article

from . import delivery, services, tasks
from .emails import render_issue
from .forms import SafeModelChoiceField
from .models import (
    Delivery,
    IssueArticle,
    Newsletter,
    NewsletterIssue,
    Subscription,
    Suppression,
)

EXPORT_PERMISSION = "newsletters.export_subscribers"


def _article_autocomplete(model_admin, request):
    """Autocomplete on articles once the article admin can serve it."""
    article_admin = admin.site._registry.get(Article)
    if article_admin and article_admin.get_search_fields(request):
        return ["article"]
    return []


class _Echo:
    def write(self, value):
        return value


def subscribers_csv_response(newsletter: Newsletter) -> StreamingHttpResponse:
    """Stream a list's active subscribers; rows never all sit in memory."""
    rows = (
        newsletter.subscriptions.active()
        .order_by("pk")
        .values_list(
            "user__name", "user__email", "created_at", "confirmed_at", "source"
        )
        .iterator(chunk_size=2000)
    )
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # BOM, so spreadsheet programs read the Arabic as UTF-8
        yield writer.writerow(
            ["name", "email", "subscribed_at", "confirmed_at", "source"]
        )
        for name, email, created_at, confirmed_at, source in rows:
            yield writer.writerow(
                [name, email, created_at.isoformat(), confirmed_at.isoformat(), source]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    filename = f"newsletter-{newsletter.pk}-subscribers.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin.register(Newsletter)
class NewsletterAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "cadence",
        "is_active",
        "subscriber_count",
        "pending_count",
        "export_link",
    ]
    list_filter = ["cadence", "is_active"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["sections"]
    actions = ["export_subscribers"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_subscriber_counts()

    @admin.display(description=gettext_lazy("المشتركون"), ordering="subscriber_count")
    def subscriber_count(self, obj):
        return obj.subscriber_count

    @admin.display(
        description=gettext_lazy("بانتظار التأكيد"), ordering="pending_count"
    )
    def pending_count(self, obj):
        return obj.pending_count

    @admin.display(description=gettext_lazy("تصدير"))
    def export_link(self, obj):
        url = reverse("admin:newsletters_newsletter_export", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("CSV"))

    def get_list_display(self, request):
        fields = list(super().get_list_display(request))
        if not request.user.has_perm(EXPORT_PERMISSION):
            fields.remove("export_link")
        return fields

    def has_export_permission(self, request):
        return request.user.has_perm(EXPORT_PERMISSION)

    @admin.action(
        description=gettext_lazy("تصدير المشتركين النشطين (CSV)"),
        permissions=["export"],
    )
    def export_subscribers(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, _("اختر نشرة واحدة للتصدير."), level=messages.WARNING
            )
            return None
        return self.export_view(request, queryset.get().pk)

    def get_urls(self):
        return [
            path(
                "<int:pk>/export/",
                self.admin_site.admin_view(self.export_view),
                name="newsletters_newsletter_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request, pk):
        if not request.user.has_perm(EXPORT_PERMISSION):
            raise PermissionDenied
        newsletter = get_object_or_404(Newsletter, pk=pk)
        return subscribers_csv_response(newsletter)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "newsletter",
        "source",
        "created_at",
        "confirmed_at",
        "ended_at",
        "end_reason",
    ]
    list_filter = [
        "newsletter",
        "source",
        "end_reason",
        ("ended_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["user", "newsletter"]
    search_fields = ["user__email", "user__name"]
    raw_id_fields = ["user"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        # The consent record is history: once made, only ending it is an edit.
        if obj:
            return ["user", "newsletter", "source", "created_at", "confirmed_at"]
        return ["created_at", "confirmed_at", "ended_at", "end_reason"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.source = Subscription.Source.ADMIN
            if obj.user.is_verified:
                obj.confirmed_at = timezone.now()
        elif obj.ended_at and not obj.end_reason:
            obj.end_reason = Subscription.EndReason.ADMIN
        super().save_model(request, obj, form, change)


class IssueArticleInline(admin.TabularInline):
    model = IssueArticle
    extra = 0
    fields = ["position", "article"]
    verbose_name = gettext_lazy("مقال")
    verbose_name_plural = gettext_lazy("المقالات بالترتيب")

    def get_autocomplete_fields(self, request):
        return _article_autocomplete(self, request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", SafeModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_editable) and super().has_change_permission(
            request, obj
        )

    has_add_permission = has_delete_permission = has_change_permission


class BreakingAlertForm(forms.Form):
    article = SafeModelChoiceField(
        label=gettext_lazy("المقال العاجل"),
        queryset=Article.objects.published(),
        error_messages={
            "invalid_choice": gettext_lazy("اختر مقالًا منشورًا."),
            "required": gettext_lazy("اختر المقال."),
        },
    )

    also_push = forms.BooleanField(
        label=gettext_lazy("أرسل أيضًا تنبيهًا فوريًا"),
        required=False,
        help_text=gettext_lazy(
            "يصل فورًا إلى متصفحات القراء المشتركين في التنبيهات، دون مراجعة."
        ),
    )

    def __init__(self, *args, admin_site, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["article"].queryset = Article.objects.published()
        # Web push (accounts.push): only when configured, for those who may publish.
        if not (push_services.is_enabled() and push_services.can_send(request.user)):
            del self.fields["also_push"]
        field = self.fields["article"]
        if _article_autocomplete(None, request):
            field.widget = AutocompleteSelect(
                IssueArticle._meta.get_field("article"), admin_site
            )
            field.widget.choices = field.choices


@admin.register(NewsletterIssue)
class NewsletterIssueAdmin(admin.ModelAdmin):
    list_display = ["subject", "newsletter", "status", "send_at", "progress_summary"]
    list_filter = ["status", "newsletter"]
    list_select_related = ["newsletter"]
    search_fields = ["subject"]
    date_hierarchy = "created_at"
    inlines = [IssueArticleInline]
    change_form_template = "newsletters/admin/issue_change_form.html"
    change_list_template = "newsletters/admin/issue_change_list.html"
    fieldsets = [
        (None, {"fields": ["newsletter", "subject", "intro", "send_at"]}),
        (
            gettext_lazy("الإرسال"),
            {"fields": ["status", "delivery_progress", "created_by"]},
        ),
    ]

    class Media:
        css = {"all": ["newsletters/admin.css"]}

    def get_readonly_fields(self, request, obj=None):
        fixed = ["status", "delivery_progress", "created_by"]
        if obj and not obj.is_editable:
            return [*fixed, "newsletter", "subject", "intro", "send_at"]
        return fixed

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", SafeModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_queryset(self, request):
        # Delivery counts for the changelist in the same query, not one per row.
        by_status = {
            name: Count("deliveries", filter=Q(deliveries__status__in=statuses))
            for name, statuses in {
                "sent_count": [Delivery.Status.SENT],
                "failed_count": [Delivery.Status.FAILED],
                "waiting_count": [Delivery.Status.QUEUED, Delivery.Status.SENDING],
            }.items()
        }
        return super().get_queryset(request).annotate(**by_status)

    def has_delete_permission(self, request, obj=None):
        # Issues that went out are the record of what readers were sent.
        if obj is not None and not obj.is_editable:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=gettext_lazy("التقدم"))
    def progress_summary(self, obj):
        if obj.status in (obj.Status.DRAFT, obj.Status.SCHEDULED):
            return "—"
        return _("%(sent)s أُرسلت، %(failed)s فشلت، %(queued)s في الانتظار") % {
            "sent": obj.sent_count,
            "failed": obj.failed_count,
            "queued": obj.waiting_count,
        }

    @admin.display(description=gettext_lazy("التسليم"))
    def delivery_progress(self, obj):
        if obj is None or obj.pk is None or obj.started_at is None:
            return _("لم يبدأ الإرسال بعد.")
        counts = obj.delivery_counts()
        total = obj.recipient_count or sum(counts.values())
        done = counts["sent"] + counts["failed"] + counts["skipped"]
        remaining = counts["queued"] + counts["sending"]
        elapsed = (
            (obj.completed_at or timezone.now()) - obj.started_at
        ).total_seconds()
        rate = counts["sent"] / elapsed if elapsed > 0 else 0
        progress = format_html(
            '<progress class="nl-progress" value="{}" max="{}">{}</progress>'
            '<ul class="nl-counts">'
            "<li>{}: <strong>{}</strong></li><li>{}: <strong>{}</strong></li>"
            "<li>{}: <strong>{}</strong></li><li>{}: <strong>{}</strong></li>"
            "<li>{}: <strong>{}</strong></li><li>{}: <strong>{}</strong></li>"
            "</ul>",
            done,
            max(total, 1),
            f"{done}/{total}",
            _("المستلمون"),
            total,
            _("أُرسلت"),
            counts["sent"],
            _("في الانتظار"),
            remaining,
            _("فشلت"),
            counts["failed"],
            _("أُلغيت قبل الإرسال"),
            counts["skipped"],
            _("رسالة في الثانية"),
            f"{rate:.1f}",
        )
        return format_html("{}{}", progress, self._provider_reports(obj))

    def _provider_reports(self, obj):
        """What the mail provider reported on this issue (feedback.py):
        bounces, complaints and unsubscribes, counted; no opens, no clicks."""
        reports = dict(
            obj.provider_events.values_list("event_type")
            .annotate(n=Count("pk"))
            .order_by()
        )
        if not reports:
            return ""
        labels = [
            ("bounced", _("ارتدت")),
            ("deferred", _("تأخّرت")),
            ("complained", _("شكاوى بريد مزعج")),
            ("unsubscribed", _("ألغوا الاشتراك عند المزوّد")),
        ]
        return format_html(
            '<p class="help">{}</p><ul class="nl-counts">{}</ul>',
            _("تقارير مزوّد البريد عن هذا العدد:"),
            format_html_join(
                "",
                "<li>{}: <strong>{}</strong></li>",
                ((label, reports.get(kind, 0)) for kind, label in labels),
            ),
        )

    # Buttons on the change form: each saves the form first, then acts.

    ACTIONS = {
        "_fill": "fill",
        "_send_test": "send_test",
        "_send_now": "send_now",
        "_schedule": "schedule",
        "_unschedule": "unschedule",
    }

    def response_add(self, request, obj, post_url_continue=None):
        return self._run_button(request, obj) or super().response_add(
            request, obj, post_url_continue
        )

    def response_change(self, request, obj):
        return self._run_button(request, obj) or super().response_change(request, obj)

    def _run_button(self, request, obj):
        for key, name in self.ACTIONS.items():
            if key in request.POST:
                return getattr(self, f"_button_{name}")(
                    request, obj
                ) or HttpResponseRedirect(
                    reverse("admin:newsletters_newsletterissue_change", args=[obj.pk])
                )
        return None

    def _button_fill(self, request, obj):
        if not obj.is_editable:
            self.message_user(
                request, _("لا يمكن تعديل عدد بدأ إرساله."), messages.ERROR
            )
            return
        added = services.fill_automatically(obj)
        if added:
            self.message_user(
                request, _("أُضيف %(n)s من أهم القصص.") % {"n": added}, messages.SUCCESS
            )
        else:
            self.message_user(
                request,
                _("لا قصص جديدة منشورة منذ العدد السابق في أقسام هذه النشرة."),
                messages.WARNING,
            )

    def _button_send_test(self, request, obj):
        if not request.user.email:
            self.message_user(request, _("لا بريد في حسابك."), messages.ERROR)
            return
        delivery.send_test(obj, user=request.user)
        self.message_user(
            request,
            _("أُرسلت نسخة تجريبية إلى %(email)s.") % {"email": request.user.email},
            messages.SUCCESS,
        )

    def _button_send_now(self, request, obj):
        if self._refuse_to_send(request, obj):
            return None
        # Not yet: a page says to how many readers, and asks.
        return HttpResponseRedirect(
            reverse("admin:newsletters_newsletterissue_send", args=[obj.pk])
        )

    def _refuse_to_send(self, request, obj):
        if not obj.items.exists():
            self.message_user(request, _("أضف مقالًا واحدًا على الأقل."), messages.ERROR)
            return True
        if not obj.newsletter.is_active:
            self.message_user(request, _("هذه النشرة غير نشطة."), messages.ERROR)
            return True
        return False

    def send_view(self, request, pk):
        """ "Send now", confirmed: the number of readers it goes to, then one
        button. A second click (or a second editor) finds the issue already
        sending: nobody gets it twice."""
        issue = get_object_or_404(NewsletterIssue, pk=pk)
        if not self.has_change_permission(request, issue):
            raise PermissionDenied
        change = reverse("admin:newsletters_newsletterissue_change", args=[issue.pk])
        if request.method == "POST":
            if not self._refuse_to_send(request, issue):
                if delivery.send_issue_now(issue):
                    self.message_user(request, _("بدأ الإرسال."), messages.SUCCESS)
                else:
                    self.message_user(
                        request, _("بدأ إرسال هذا العدد من قبل."), messages.WARNING
                    )
            return HttpResponseRedirect(change)
        if not issue.is_editable:
            self.message_user(
                request, _("بدأ إرسال هذا العدد من قبل."), messages.WARNING
            )
            return HttpResponseRedirect(change)
        recipients = (
            Subscription.objects.deliverable()
            .filter(newsletter=issue.newsletter)
            .count()
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("تأكيد الإرسال"),
            "issue": issue,
            "original": issue,
            "recipients": recipients,
        }
        return TemplateResponse(request, "newsletters/admin/confirm_send.html", context)

    def _button_schedule(self, request, obj):
        if obj.send_at is None:
            self.message_user(request, _("حدّد موعد الإرسال أولًا."), messages.ERROR)
        elif obj.send_at <= timezone.now():
            self.message_user(request, _("اختر موعدًا في المستقبل."), messages.ERROR)
        elif not obj.items.exists():
            self.message_user(request, _("أضف مقالًا واحدًا على الأقل."), messages.ERROR)
        elif services.schedule_issue(obj, send_at=obj.send_at):
            tasks.send_when_due(obj)
            self.message_user(
                request,
                _("جُدول العدد للإرسال في %(when)s.")
                % {"when": timezone.localtime(obj.send_at).strftime("%Y-%m-%d %H:%M")},
                messages.SUCCESS,
            )

    def _button_unschedule(self, request, obj):
        if services.unschedule_issue(obj):
            self.message_user(
                request, _("أُلغيت الجدولة؛ العدد مسودة."), messages.SUCCESS
            )

    # Extra pages: preview and breaking alerts.

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="newsletters_newsletterissue_preview",
            ),
            path(
                "<int:pk>/send/",
                self.admin_site.admin_view(self.send_view),
                name="newsletters_newsletterissue_send",
            ),
            path(
                "breaking/",
                self.admin_site.admin_view(self.breaking_view),
                name="newsletters_newsletterissue_breaking",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk):
        issue = get_object_or_404(NewsletterIssue, pk=pk)
        if not self.has_view_permission(request, issue):
            raise PermissionDenied
        return _preview_response(issue, request.user)

    def breaking_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        # ?article=<id> pre-selects the article (a link from the article admin).
        preset = request.GET.get("article", "")
        form = BreakingAlertForm(
            request.POST or None,
            initial={"article": preset}
            if preset.isdigit() and len(preset) < 19
            else {},
            admin_site=self.admin_site,
            request=request,
        )
        if request.method == "POST" and form.is_valid():
            if form.cleaned_data.get("also_push"):
                self._push(request, form.cleaned_data["article"])
            issue = services.create_breaking_alert(
                article=form.cleaned_data["article"], user=request.user
            )
            if issue is None:
                self.message_user(
                    request, _("لا توجد نشرة تنبيهات عاجلة نشطة."), messages.ERROR
                )
                return redirect("admin:newsletters_newsletterissue_changelist")
            self.message_user(
                request, _("أُنشئ تنبيه عاجل؛ راجعه ثم أرسله."), messages.SUCCESS
            )
            return redirect("admin:newsletters_newsletterissue_change", issue.pk)
        recent = (
            Article.objects.published()
            .filter(
                is_breaking=True,
                published_at__gte=timezone.now() - timedelta(days=2),
            )
            .exclude(Q(newsletter_issues__newsletter=services.breaking_newsletter()))
            .select_related("section")[:10]
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("تنبيه عاجل من مقال"),
            "form": form,
            "recent": recent,
            "opts": self.opts,
            "media": self.media + form.media,
            "breaking_list": services.breaking_newsletter(),
        }
        return TemplateResponse(
            request, "newsletters/admin/breaking_alert.html", context
        )

    def _push(self, request, article):
        alert, created = push_services.create_alert(article=article, user=request.user)
        if created:
            self.message_user(request, _("بدأ إرسال التنبيه الفوري."), messages.SUCCESS)
        elif alert is not None:
            self.message_user(
                request,
                _("أُرسل تنبيه فوري لهذا المقال من قبل؛ لم نرسله مرة أخرى."),
                messages.WARNING,
            )


# The preview is the subscriber's e-mail, whose inline styles the site-wide
# CSP would block; it has no scripts, so this response alone allows inline CSS.
PREVIEW_CSP = {
    "default-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["*", "data:"],
    "frame-ancestors": ["'none'"],
}


def _preview_response(issue, user) -> HttpResponse:
    """Exactly the HTML part a subscriber receives, personalised for `user`."""
    subscription = (
        Subscription.objects.live()
        .filter(user=user, newsletter=issue.newsletter)
        .first()
    )
    token = services.make_unsubscribe_token(subscription) if subscription else "preview"
    message = render_issue(issue).message_for(
        email=user.email, name=user.get_full_name() or user.email, token=token
    )
    response = HttpResponse(
        message.alternatives[0].content, content_type="text/html; charset=utf-8"
    )
    response._csp_config = PREVIEW_CSP
    return response


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["email", "issue", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "issue__newsletter"]
    list_select_related = ["issue"]
    search_fields = ["email"]
    raw_id_fields = ["issue", "subscription", "user"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ["email", "reason", "created_at", "detail"]
    list_filter = ["reason"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
