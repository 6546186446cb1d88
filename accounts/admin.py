from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from .models import Follow, SavedArticle, User


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
        "is_active",
        "date_joined",
        "last_login",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "date_joined"]
    search_fields = ["email", "name"]
    date_hierarchy = "date_joined"
    readonly_fields = ["date_joined", "last_login", "email_verified_at"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("البيانات الشخصية"), {"fields": ["name", "email_verified_at"]}),
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

    @admin.display(boolean=True, description=_("البريد مؤكَّد"))
    def is_verified(self, user):
        return user.is_verified


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
