from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.newsletters.forms import SafeModelChoiceField
from articles.models import Article

from . import services
from .models import PushAlert, PushSubscription
from .services import can_send


class PushAlertForm(forms.ModelForm):
    article = SafeModelChoiceField(
        label=gettext_lazy("المقال العاجل"),
        queryset=Article.objects.published(),
        error_messages={
            "invalid_choice": gettext_lazy("اختر مقالًا منشورًا."),
            "required": gettext_lazy("اختر المقال."),
        },
        help_text=gettext_lazy(
            "يصل التنبيه إلى كل من طلب الأخبار العاجلة، وإلى من اختار قسم هذا "
            "المقال. تنبيه واحد لكل مقال."
        ),
    )

    class Meta:
        model = PushAlert
        fields = ["article"]

    def __init__(self, *args, admin_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["article"]
        field.queryset = Article.objects.published()
        article_admin = admin.site._registry.get(Article)
        if admin_site and article_admin and article_admin.search_fields:
            field.widget = AutocompleteSelect(
                PushAlert._meta.get_field("article"), admin_site
            )
            field.widget.choices = field.choices

    def clean_article(self):
        article = self.cleaned_data["article"]
        if PushAlert.objects.filter(article=article).exists():
            raise forms.ValidationError(_("أُرسل تنبيه فوري لهذا المقال من قبل."))
        return article


@admin.register(PushAlert)
class PushAlertAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "status",
        "created_at",
        "sent_count",
        "gone_count",
        "failed_count",
        "quiet_count",
        "created_by",
    ]
    list_filter = ["status"]
    list_select_related = ["created_by"]
    search_fields = ["title", "article__headline"]
    date_hierarchy = "created_at"
    actions = ["resume"]
    change_list_template = "push/admin/pushalert_change_list.html"
    readonly_fields = [
        "article",
        "title",
        "body",
        "status",
        "created_by",
        "created_at",
        "started_at",
        "completed_at",
        "sent_count",
        "gone_count",
        "failed_count",
        "quiet_count",
    ]

    # Only those who may publish see or send alerts; the rows are a record.

    def has_module_permission(self, request):
        return can_send(request.user)

    def has_view_permission(self, request, obj=None):
        return can_send(request.user)

    def has_add_permission(self, request):
        return can_send(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resume_permission(self, request):
        return can_send(request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        admin_site = self.admin_site

        class Form(PushAlertForm):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, admin_site=admin_site, **kwargs)

        return Form

    def get_fields(self, request, obj=None):
        return ["article"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "push_enabled": services.is_enabled()}
        return super().changelist_view(request, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        if not services.is_enabled():
            self.message_user(
                request,
                _(
                    "التنبيهات الفورية غير مهيأة: اضبط VAPID_PUBLIC_KEY "
                    "وVAPID_PRIVATE_KEY في بيئة الخادم."
                ),
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:push_pushalert_changelist"))
        return super().add_view(request, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change or not can_send(request.user):
            raise PermissionDenied
        alert, created = services.create_alert(
            article=form.cleaned_data["article"], user=request.user
        )
        if alert is None:
            raise PermissionDenied
        obj.pk = alert.pk
        obj.refresh_from_db()

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            _("بدأ إرسال التنبيه «%(title)s».") % {"title": obj.title},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:push_pushalert_changelist"))

    @admin.action(
        description=gettext_lazy("استأنف إرسال التنبيهات غير المكتملة"),
        permissions=["resume"],
    )
    def resume(self, request, queryset):
        resumed = sum(services.resume_alert(alert) for alert in queryset)
        self.message_user(
            request,
            _("استؤنف إرسال %(n)s من التنبيهات.") % {"n": resumed},
            messages.SUCCESS,
        )


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "wants_breaking", "created_at", "last_pushed_at"]
    list_filter = ["wants_breaking", "sections"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = ["user", "wants_breaking", "sections", "created_at", "last_pushed_at"]
    readonly_fields = ["user", "created_at", "last_pushed_at"]

    def has_add_permission(self, request):
        return False  # only a browser can make one
