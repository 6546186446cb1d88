import re

import pytest
from django.test import Client
from django.urls import path

from newsroom import urls as root_urls

pytestmark = pytest.mark.django_db


def html_tag(response):
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def test_home_page_is_arabic_and_right_to_left(client):
    response = client.get("/")

    assert response.status_code == 200
    assert html_tag(response) == '<html lang="ar" dir="rtl">'


def test_english_prefix_switches_interface_and_direction(client):
    response = client.get("/en/")

    assert response.status_code == 200
    assert html_tag(response) == '<html lang="en" dir="ltr">'


def test_language_switch_form_sets_the_cookie_and_returns(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_page_has_skip_link_landmarks_and_section_navigation(client):
    from tests.factories import SectionFactory

    SectionFactory(name="اقتصاد", slug="اقتصاد")
    content = client.get("/").content.decode()

    assert 'class="skip-link" href="#main"' in content
    assert "<header" in content and "<main" in content and "<footer" in content
    assert "اقتصاد" in content


def test_missing_page_answers_styled_arabic_404(client):
    response = client.get("/no-such-page/at/all/")

    assert response.status_code == 404
    content = response.content.decode()
    assert "الصفحة غير موجودة" in content
    assert 'dir="rtl"' in content
    assert "Traceback" not in content


def boom(request):
    raise RuntimeError("secret internals")


urlpatterns = [path("boom/", boom), *root_urls.urlpatterns]


def test_server_error_page_is_styled_and_leaks_nothing(client, settings):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == 500
    content = response.content.decode()
    assert "حدث خطأ" in content
    assert "secret internals" not in content


def test_csrf_failure_page_is_styled_in_arabic():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/i18n/setlang/", {"language": "en"})

    assert response.status_code == 403
    assert "انتهت صلاحية النموذج" in response.content.decode()


def test_security_headers_are_sent(client):
    response = client.get("/")

    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
