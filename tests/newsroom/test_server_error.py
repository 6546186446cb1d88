"""The 500 page (handler500): the site's name and language, and nothing read
from the database or the cache, either of which may be what failed."""

import re

import psycopg
import pytest
from django.conf.urls.i18n import i18n_patterns
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import get_resolver, path
from django.utils import translation

from articles.models import Article
from newsroom import urls as root_urls
from newsroom import views

OTHER = {
    key: connection.settings_dict[name]
    for key, name in (("user", "USER"), ("host", "HOST"), ("port", "PORT"))
    if connection.settings_dict.get(name)
}


def boom(request):
    raise RuntimeError("secret internals")


def read_stories(request):
    """A view whose database is away mid-request: its connection is cut
    from another, as a database restart cuts them all."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with psycopg.connect(dbname=connection.settings_dict["NAME"], **OTHER) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    return HttpResponse(str(Article.objects.count()))


# The site's URLs and error handlers, and views that fail in each language.
urlpatterns = [
    *i18n_patterns(
        path("boom/", boom),
        path("stories/", read_stories),
        prefix_default_language=False,
    ),
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


@pytest.mark.faults
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own")
def test_a_database_gone_mid_request_is_a_503_that_says_so(client, settings):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False

    response = client.get("/stories/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    content = response.content.decode()
    assert "الموقع غير متاح مؤقتًا" in content
    assert html_and_title(content)[1].startswith("الموقع غير متاح مؤقتًا")
    # Django closes a broken connection when a request ends (the test client
    # skips that); the next request, on a new one, is served.
    connection.close()
    assert client.get("/").status_code == 200
