from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, register_converter

from accounts.forms import AdminLoginForm
from accounts.push.views import service_worker

from . import views


class UnicodeSlugConverter:
    """Like Django's `slug` converter, but Arabic letters are allowed too."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(UnicodeSlugConverter, "uslug")

admin.site.site_header = admin.site.site_title = f"{settings.SITE_NAME}: غرفة الأخبار"
admin.site.index_title = "إدارة المحتوى"
# The readers' login limits hold for the back office's login too.
admin.site.login_form = AdminLoginForm

handler400 = "newsroom.views.bad_request"
handler500 = "newsroom.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("manifest.webmanifest", views.web_manifest, name="web_manifest"),
    # At the root in every language, so that its scope is the whole site.
    path("push-sw.js", service_worker, name="push_worker"),
    *(
        path(name, views.root_icon, {"name": name}, name=f"icon-{name}")
        for name in views.ROOT_ICONS
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("articles.sitemap_urls")),
]

# Arabic, the default language, has no prefix; English lives under /en/.
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("accounts.newsletters.urls")),
    path("", include("accounts.push.urls")),
    path("", include("articles.urls")),
    prefix_default_language=False,
)

if settings.SERVE_MEDIA:
    # Development, or a single host without a proxy in front; production
    # normally lets the proxy or object storage serve uploads.
    from django.urls import re_path
    from django.views.static import serve

    urlpatterns.append(
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    )
