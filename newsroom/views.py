"""Site-wide views that belong to no app: health check, robots.txt, and
the icons and web manifest that browsers and phones ask for."""

import sys

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import (
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from .context_processors import site

DATABASE_RETRY_SECONDS = 30


@never_cache
@require_GET
def healthz(request):
    """For load balancers and monitoring; no session touched.

    - 200 "ok": the database and the cache answer.
    - 200 "degraded: cache unavailable": the site serves, uncached and with
      sign-in attempts refused (newsroom/redis_cache.py); keep this host in
      rotation, and page someone.
    - 503 "database unavailable": only cached pages can be served; take the
      host out of rotation.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse(
            "database unavailable\n", status=503, content_type="text/plain"
        )
    ping = getattr(cache, "ping", None)
    if ping is not None and not ping():
        return HttpResponse("degraded: cache unavailable\n", content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@require_GET
@cache_control(public=True, max_age=3600)
def robots_txt(request):
    # The configured address, never the request's Host header.
    base = settings.SITE_URL
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /account/",
        "Disallow: /en/admin/",
        "Disallow: /en/account/",
        "Disallow: /articles/",
        "Disallow: /newsletters/",
        "Disallow: /for-you/",
        "",
        f"Sitemap: {base}{reverse('sitemap-index')}",
        f"Sitemap: {base}{reverse('sitemap-news')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


# Browsers ask for these at the site root whatever the page says.
ROOT_ICONS = {
    "favicon.ico": "img/favicon.ico",
    "apple-touch-icon.png": "img/apple-touch-icon.png",
    "apple-touch-icon-precomposed.png": "img/apple-touch-icon.png",
}


@require_GET
@cache_control(public=True, max_age=24 * 3600)
def root_icon(request, name):
    """To the icon's static file, whose name changes with its content."""
    return HttpResponseRedirect(static(ROOT_ICONS[name]))


@require_GET
@cache_control(public=True, max_age=24 * 3600)
def web_manifest(request):
    """What a phone needs to put the site on its home screen."""
    manifest = {
        "name": settings.SITE_NAME,
        "short_name": settings.SITE_NAME,
        "lang": "ar",
        "dir": "rtl",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": "#9b1c1c",
        "background_color": "#ffffff",
        "icons": [
            {
                "src": static(f"img/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
            }
            for size in (192, 512)
        ]
        + [{"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return JsonResponse(
        manifest,
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


def bad_request(request, exception):
    """Django's 400 in the site's dress (handler400). Rendered without the
    request: for a bad Host header, reading it again would raise again."""
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL}
    return HttpResponseBadRequest(render_to_string("400.html", context))


def server_error(request):
    """Django's 500 with the site's name (handler500). Rendered without the
    request, so no context processor runs: nothing here reads the database,
    the cache or the session, which may be what failed. The language is the
    one the request was being answered in, as on the other error pages.

    When what failed is the database being away (down, restarting, out of
    connections), the answer is a 503 that says so, with Retry-After: not
    our bug, and clients and the edge (which serves its stale copies on a
    5xx) may come back soon."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(render_to_string("503.html", site(request)), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_SECONDS)
        return response
    return HttpResponseServerError(render_to_string("500.html", site(request)))
