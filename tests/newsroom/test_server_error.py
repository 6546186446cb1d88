"""The 500 page (handler500): the site's name and language, and nothing read
from the database or the cache, either of which may be what failed."""

import re

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.test import RequestFactory, override_settings
from django.urls import get_resolver, path
from django.utils import translation

from newsroom import urls as root_urls
from newsroom import views


def boom(request):
    raise RuntimeError("secret internals")


# The site's URLs and error handlers, and a view that fails in each language.
urlpatterns = [
    *i18n_patterns(path("boom/", boom), prefix_default_language=False),
    *root_urls.urlpatterns,
]
handler400 = root_urls.handler400
handler500 = root_urls.handler500


def html_and_title(content):
    html = re.search(r"<html[^>]*>", content).group(0)
    title = re.search(r"<title>(.*?)</title>", content, re.S).group(1)
    return html, title


def test_the_site_answers_errors_with_its_own_500_view():
    assert get_resolver().resolve_error_handler(500) is views.server_error


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "html", "title"),
    [
        ("/boom/", '<html lang="ar" dir="rtl">', "حدث خطأ | النشرة"),
        ("/en/boom/", '<html lang="en" dir="ltr">', "Something went wrong | النشرة"),
    ],
)
def test_500_page_names_the_site_in_the_requests_language(
    client, settings, url, html, title
):
    settings.ROOT_URLCONF = __name__
    settings.SITE_NAME = "النشرة"
    client.raise_request_exception = False

    response = client.get(url)

    assert response.status_code == 500
    content = response.content.decode()
    assert html_and_title(content) == (html, title)
    assert "secret internals" not in content


def test_500_page_renders_with_the_database_and_the_cache_down(settings):
    # No django_db mark: pytest-django refuses any query. The cache is a
    # Redis that nobody listens on.
    dead_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    settings.SITE_NAME = "النشرة"
    request = RequestFactory().get("/")

    with override_settings(CACHES=dead_cache), translation.override("ar"):
        response = views.server_error(request)

    assert response.status_code == 500
    html, title = html_and_title(response.content.decode())
    assert html == '<html lang="ar" dir="rtl">'
    assert title == "حدث خطأ | النشرة"
