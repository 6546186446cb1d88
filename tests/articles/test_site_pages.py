"""Site pages (about, contact, terms, privacy, the corrections policy):
public, the same for every reader, in Arabic and English, edited in the
admin, purged when edited."""

import re

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import SitePage

from .admin_forms import errors_of

pytestmark = pytest.mark.django_db

SLUGS = ["about", "contact", "terms", "privacy", "corrections-policy"]


def page_url(slug, language="ar"):
    return f"/{slug}/" if language == "ar" else f"/en/{slug}/"


def admin_change_url(page):
    return f"/admin/articles/sitepage/{page.pk}/change/"


def form_data(page, **overrides):
    return {
        "title": page.title,
        "body": page.body,
        "title_en": page.title_en,
        "body_en": page.body_en,
        **overrides,
    }


# What the migration made ------------------------------------------------------
def test_the_migration_creates_the_five_pages_in_both_languages():
    pages = {page.slug: page for page in SitePage.objects.all()}

    assert sorted(pages) == sorted(SLUGS)
    for page in pages.values():
        assert page.version == 1
        assert re.search("[\u0600-\u06ff]", page.title + page.body)
        assert page.title_en and "<p>" in page.body_en
        assert "lorem" not in (page.body + page.body_en).lower()
        # Version 1's text is in the history, for consent records to name.
        assert page.history.get().version == 1
    assert "شروط" in pages["terms"].title
    assert "Privacy" in pages["privacy"].title_en


# Reading them -----------------------------------------------------------------
@pytest.mark.parametrize("slug", SLUGS)
def test_each_page_is_public_in_arabic_and_english(client, slug):
    page = SitePage.objects.get(slug=slug)

    arabic = client.get(page_url(slug))
    english = client.get(page_url(slug, "en"))

    assert arabic.status_code == english.status_code == 200
    assert f'<h1 class="site-page__title">{page.title}</h1>' in arabic.text
    assert f'<h1 class="site-page__title">{page.title_en}</h1>' in english.text
    assert '<html lang="en" dir="ltr">' in english.text
    for response in (arabic, english):
        assert "public" in response["Cache-Control"]
        assert f"page-{slug}" in response["Surrogate-Key"].split()
        assert response["Last-Modified"]
        assert not response.cookies


def test_a_page_is_byte_for_byte_the_same_signed_in(client, reader):
    for language in ("ar", "en"):
        url = page_url("terms", language)
        with time_machine.travel(timezone.now(), tick=False):
            cache.clear()
            signed_in = reader.get(url)
            cache.clear()
            anonymous = client.get(url)
        assert signed_in.content == anonymous.content, url
        assert not re.search(r'name="csrfmiddlewaretoken" value="[^"]', anonymous.text)
        assert "cookie" not in anonymous.get("Vary", "").lower()


def test_english_readers_get_the_arabic_text_marked_as_such_until_translated(client):
    page = SitePage.objects.get(slug="about")
    page.title_en = page.body_en = ""
    page.save()

    response = client.get(page_url("about", "en"))

    assert response.status_code == 200
    assert '<article class="site-page" lang="ar" dir="rtl">' in response.text
    assert page.title in response.text


def test_the_page_shows_its_version_and_date(client):
    response = client.get(page_url("terms"))

    assert "الإصدار 1" in response.text
    assert '<time datetime="' in response.text


def test_every_page_links_them_in_its_footer(client):
    for url in ("/", "/en/", page_url("about")):
        footer = client.get(url).text.split('<footer class="site-footer">')[1]
        prefix = "/en" if url.startswith("/en/") else ""
        for slug in SLUGS:
            assert f'href="{prefix}/{slug}/"' in footer, (url, slug)


def test_the_addresses_reverse_in_each_language():
    page = SitePage.objects.get(slug="corrections-policy")
    for language, url in (
        ("ar", "/corrections-policy/"),
        ("en", "/en/corrections-policy/"),
    ):
        with translation.override(language):
            assert reverse("articles:page", kwargs={"slug": page.slug}) == url
            assert page.get_absolute_url() == url


@pytest.mark.parametrize("url", ["/about-us/", "/terms/x/", "/en/privacy-policy/"])
def test_unknown_addresses_near_them_are_404s(client, url):
    assert client.get(url).status_code == 404


def test_a_missing_page_is_a_404(client):
    SitePage.objects.filter(slug="contact").delete()

    assert client.get(page_url("contact")).status_code == 404


def test_page_query_budget(client, django_assert_max_num_queries):
    # The next due story (cache lifetime), the page, the sections menu.
    with django_assert_max_num_queries(3):
        assert client.get(page_url("privacy")).status_code == 200


@pytest.mark.parametrize("slug", ["about", "terms", "privacy", "contact"])
def test_their_addresses_are_reserved_section_slugs(editor, slug):
    response = editor.post(
        "/admin/articles/section/add/",
        {"name": "قسم", "slug": slug, "position": "1"},
    )

    assert response.status_code == 200
    assert "محجوز" in errors_of(response)


# Editing them -----------------------------------------------------------------
def test_an_editor_edits_a_page_in_the_arabic_admin(editor, editor_user):
    page = SitePage.objects.get(slug="contact")
    changelist = editor.get("/admin/articles/sitepage/")
    assert changelist.status_code == 200
    assert "الصفحات التعريفية" in changelist.text

    form = editor.get(admin_change_url(page))
    assert form.status_code == 200
    assert "بالإنجليزية" in form.text
    response = editor.post(
        admin_change_url(page),
        form_data(page, title="تواصل معنا", body="<p>اكتب إلينا.</p>"),
    )

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.title == "تواصل معنا"
    assert page.version == 2
    latest = page.history.first()
    assert (latest.version, latest.title, latest.history_user) == (
        2,
        "تواصل معنا",
        editor_user,
    )


def test_rich_text_is_sanitised_on_save(editor):
    page = SitePage.objects.get(slug="about")
    body = (
        '<p onclick="steal()">نص <a href="javascript:alert(1)">رابط</a> '
        '<a href="https://example.com/">آخر</a></p><script>alert(1)</script>'
        '<img src=x onerror="alert(1)"><h2 style="color:red">عنوان</h2>'
    )

    editor.post(admin_change_url(page), form_data(page, body=body, body_en=body))

    page.refresh_from_db()
    for html in (page.body, page.body_en):
        assert "<script" not in html and "onclick" not in html
        assert "javascript:" not in html and "<img" not in html
        assert "style=" not in html
        assert '<a href="https://example.com/" rel="noopener noreferrer nofollow">' in (
            html
        )
        assert "<h2>عنوان</h2>" in html


def test_saving_unchanged_makes_no_new_version(editor):
    page = SitePage.objects.get(slug="privacy")

    editor.post(admin_change_url(page), form_data(page))

    page.refresh_from_db()
    assert page.version == 1
    assert page.history.count() == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"title": "", "body": ""},
        {"title_en": "Half", "body_en": ""},
        {"title_en": "", "body_en": "<p>Body without a title</p>"},
        {"title": "ع" * 500},
        {"title": ["a", "b"], "body": "\x00"},
    ],
)
def test_junk_input_is_answered_with_form_errors(editor, overrides):
    page = SitePage.objects.get(slug="terms")

    response = editor.post(admin_change_url(page), form_data(page, **overrides))

    assert response.status_code == 200
    assert errors_of(response)
    page.refresh_from_db()
    assert page.version == 1


def test_nobody_deletes_a_page(admin_client):
    page = SitePage.objects.get(slug="terms")

    response = admin_client.post(
        f"/admin/articles/sitepage/{page.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 403
    assert SitePage.objects.filter(pk=page.pk).exists()


def test_the_address_cannot_change_once_the_page_exists(editor):
    page = SitePage.objects.get(slug="about")

    editor.post(admin_change_url(page), form_data(page, slug="terms", title="عنا"))

    page.refresh_from_db()
    assert (page.slug, page.title) == ("about", "عنا")


def test_writers_and_readers_cannot_edit_them(writer, reader):
    page = SitePage.objects.get(slug="about")

    assert writer.get(admin_change_url(page)).status_code == 403
    assert reader.get(admin_change_url(page)).status_code == 302  # to login


def test_the_history_is_readable_in_the_admin(editor):
    page = SitePage.objects.get(slug="about")
    editor.post(admin_change_url(page), form_data(page, title="عن الموقع"))

    response = editor.get(f"/admin/articles/sitepage/{page.pk}/history/")

    assert response.status_code == 200
    assert "عن الموقع" in response.text


# Purging ----------------------------------------------------------------------
def test_editing_a_page_purges_it_alone(edge, committed, editor):
    page = SitePage.objects.get(slug="privacy")

    with committed():
        editor.post(admin_change_url(page), form_data(page, title="الخصوصية"))

    assert edge.next_purge() == {"page-privacy"}


def test_the_origin_cache_serves_the_edit_at_once(client, editor):
    url = page_url("privacy")
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    page = SitePage.objects.get(slug="privacy")

    editor.post(admin_change_url(page), form_data(page, title="سياستنا للخصوصية"))

    response = client.get(url)
    assert "سياستنا للخصوصية" in response.text
    assert response["X-Page-Cache"] == "miss"
