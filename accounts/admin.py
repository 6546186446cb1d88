from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import second_factor
from .models import Follow, SavedArticle, User

# django-otp's own device admins show secrets and recovery codes. Staff see
# theirs on the admin's "two-step verification" page; superusers reset them
# from the users' list (or `manage.py reset_second_factor`).
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users log in with their address; there is no username."""

    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = [
        "email",
        "name",
        "is_verified",
        "is_staff",
        "has_second_factor",
        "is_active",
        "date_joined",
        "last_login",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "date_joined"]
    search_fields = ["email", "name"]
    date_hierarchy = "date_joined"
    readonly_fields = [
        "date_joined",
        "last_login",
        "email_verified_at",
        "terms_version",
        "terms_accepted_at",
    ]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("البيانات الشخصية"),
            {
                "fields": [
                    "name",
                    "email_verified_at",
                    ("terms_version", "terms_accepted_at"),
                ]
            },
        ),
        (
            _("الصلاحيات"),
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        (_("تواريخ مهمة"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "name",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        )
    ]

    actions = ["reset_second_factor"]

    @admin.display(boolean=True, description=_("البريد مؤكَّد"))
    def is_verified(self, user):
        return user.is_verified

    def get_queryset(self, request):
        confirmed_apps = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return (
            super()
            .get_queryset(request)
            .annotate(has_authenticator_app=Exists(confirmed_apps))
        )

    @admin.display(
        boolean=True,
        description=_("التحقق بخطوتين"),
        ordering="has_authenticator_app",
    )
    def has_second_factor(self, user):
        return user.has_authenticator_app

    def has_reset_second_factor_permission(self, request):
        return request.user.is_superuser

    @admin.action(
        description=_("إعادة ضبط التحقق بخطوتين (هاتف مفقود)"),
        permissions=["reset_second_factor"],
    )
    def reset_second_factor(self, request, queryset):
        reset = sum(
            bool(second_factor.reset_second_factor(user=user)) for user in queryset
        )
        self.message_user(
            request,
            gettext(
                "أُعيد ضبط التحقق بخطوتين لحسابات عددها %(count)s: يربط كلٌّ منها "
                "تطبيق مصادقة جديدًا عند دخوله التالي إلى غرفة الأخبار."
            )
            % {"count": reset},
        )


@admin.register(SavedArticle)
class SavedArticleAdmin(admin.ModelAdmin):
    list_display = ["article", "user", "saved_at"]
    list_select_related = ["article", "user"]
    search_fields = ["user__email", "article__headline"]
    date_hierarchy = "saved_at"
    raw_id_fields = ["user", "article"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "section", "tag", "author", "created_at"]
    list_select_related = ["user", "section", "tag", "author"]
    list_filter = ["section"]
    search_fields = ["user__email", "tag__name", "author__name", "section__name"]
    date_hierarchy = "created_at"
    raw_id_fields = ["user", "section", "tag", "author"]
