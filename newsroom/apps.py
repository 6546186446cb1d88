from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    """Django's admin, served by a site that asks staff for a second factor
    before any of its views (accounts/admin_site.py). Every `admin.site` and
    `@admin.register` in the project gets that site."""

    default_site = "accounts.admin_site.StaffAdminSite"
