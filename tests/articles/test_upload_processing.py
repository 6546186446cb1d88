"""Uploads: checked cheaply in the request, decoded and rendered by the
background worker after the commit. A broken file is a form error that
leaves nothing on disk; a picture shows nowhere until it has renditions."""

import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.models import Article, Author, Picture
from articles.tasks import render_picture
from tests.factories import ArticleFactory, PictureFactory, SectionFactory

from .admin_forms import ADD_URL, article_data, errors_of, image_bytes, upload

pytestmark = pytest.mark.django_db

PICTURE_ADD_URL = "/admin/articles/picture/add/"
PROCESSING = "تجري معالجة الصورة في الخلفية"
FAILED = "تعذّرت معالجة الصورة"


def noisy(fmt, size=(1200, 675)):
    # Noise, so that half the file is half the picture's data.
    buffer = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(buffer, fmt)
    return buffer.getvalue()


def truncated(fmt):
    data = noisy(fmt)
    return data[: len(data) // 2]


BROKEN = {
    "truncated JPEG": ("photo.jpg", lambda: truncated("JPEG"), "ناقصة أو تالفة"),
    "truncated PNG": ("photo.png", lambda: truncated("PNG"), "ناقصة أو تالفة"),
    "garbage .jpg": ("photo.jpg", lambda: b"\xff\xd8\xff" + b"junk" * 500, "تعذّر"),
}


def files_under(root):
    return [p for p in Path(root).rglob("*") if p.is_file()]


def assert_nothing_on_disk(settings):
    assert files_under(settings.MEDIA_ROOT) == []
    assert files_under(settings.PRIVATE_MEDIA_ROOT) == []


@pytest.mark.parametrize("broken", BROKEN, ids=list(BROKEN))
def test_a_broken_image_is_a_form_error_in_the_library(
    editor, committed, settings, broken
):
    name, data, message = BROKEN[broken]
    with committed():
        response = editor.post(
            PICTURE_ADD_URL,
            {
                "image": SimpleUploadedFile(name, data(), "image/jpeg"),
                "alt": "وصف",
                "caption": "",
                "credit": "",
                "focal_x": "0.5",
                "focal_y": "0.5",
            },
        )

    assert response.status_code == 200
    assert message in errors_of(response)
    assert not Picture.objects.exists()
    assert_nothing_on_disk(settings)


@pytest.mark.parametrize("broken", BROKEN, ids=list(BROKEN))
def test_a_broken_image_is_a_form_error_in_the_article_form(
    editor, committed, settings, broken
):
    name, data, message = BROKEN[broken]
    with committed():
        response = editor.post(
            ADD_URL,
            article_data(
                SectionFactory(),
                image=SimpleUploadedFile(name, data(), "image/jpeg"),
                image_alt="وصف",
            ),
        )

    assert response.status_code == 200
    assert message in errors_of(response)
    assert not Article.objects.exists() and not Picture.objects.exists()
    assert_nothing_on_disk(settings)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_whole_file_in_each_format_passes_the_cheap_checks(editor, fmt):
    response = editor.post(
        PICTURE_ADD_URL,
        {
            "image": SimpleUploadedFile(f"p.{fmt.lower()}", noisy(fmt)),
            "alt": "وصف",
            "caption": "",
            "credit": "",
            "focal_x": "0.5",
            "focal_y": "0.5",
        },
    )

    assert response.status_code == 302, errors_of(response)


def test_renditions_are_made_by_the_worker_after_the_commit(
    editor, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as after_commit:
        response = editor.post(
            ADD_URL,
            article_data(
                SectionFactory(),
                status="published",
                image=upload(),
                image_alt="ميناء الصيد",
            ),
        )
    assert response.status_code == 302, errors_of(response)
    article = Article.objects.get()
    picture = article.picture

    # Saved, not yet rendered: the picture shows nowhere, the desk says why.
    assert picture.renditions == {}
    page = client.get(article.get_absolute_url()).content.decode()
    assert "/media/" not in page and "story__figure" not in page
    assert "قيد المعالجة" in editor.get("/admin/articles/picture/").content.decode()
    change_form = editor.get(f"/admin/articles/picture/{picture.pk}/change/")
    assert PROCESSING in change_form.content.decode()

    for callback in after_commit:
        callback()  # the commit: the task runs (ImmediateBackend)

    picture.refresh_from_db()
    assert set(picture.renditions) == {"16x9", "4x3", "1x1"}
    page = client.get(article.get_absolute_url()).content.decode()
    assert picture.renditions["16x9"][0]["name"] in page
    change_form = editor.get(f"/admin/articles/picture/{picture.pk}/change/")
    assert PROCESSING not in change_form.content.decode()


def test_an_authors_portrait_is_rendered_by_the_worker_too(
    editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as after_commit:
        editor.post(
            "/admin/articles/author/add/",
            {"name": "سلمى", "slug": "سلمى", "bio": "", "photo": upload()},
        )
    author = Author.objects.get()
    assert author.photo and author.photo_renditions == {}
    assert "قيد المعالجة" in editor.get("/admin/articles/author/").content.decode()

    for callback in after_commit:
        callback()

    author.refresh_from_db()
    assert [e["width"] for e in author.photo_renditions["1x1"]] == [96, 192, 384]


def test_a_replaced_file_leaves_the_pages_before_its_renditions_exist(
    editor, client, committed, django_capture_on_commit_callbacks
):
    with committed():
        editor.post(
            ADD_URL,
            article_data(
                SectionFactory(), status="published", image=upload(), image_alt="أ"
            ),
        )
    article = Article.objects.get()
    old = article.picture.renditions["16x9"][0]["name"]
    assert old in client.get(article.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks():
        editor.post(
            f"/admin/articles/picture/{article.picture_id}/change/",
            {
                "image": upload(name="other.png", colour=(200, 30, 30)),
                "alt": "أ",
                "caption": "",
                "credit": "",
                "focal_x": "0.5",
                "focal_y": "0.5",
            },
        )

    page = client.get(article.get_absolute_url()).content.decode()
    assert old not in page and "/media/" not in page


def test_the_worker_gives_up_at_the_time_limit(editor, client, committed, settings):
    settings.IMAGE_RENDER_SECONDS = 0
    with committed():
        editor.post(
            ADD_URL,
            article_data(
                SectionFactory(), status="published", image=upload(), image_alt="أ"
            ),
        )
    article = Article.objects.get()
    picture = article.picture

    assert (picture.renditions, picture.rendition_error) == ({}, "timeout")
    assert "/media/" not in client.get(article.get_absolute_url()).content.decode()
    change_form = editor.get(f"/admin/articles/picture/{picture.pk}/change/")
    assert FAILED in change_form.content.decode()
    assert "تعذّرت المعالجة" in editor.get("/admin/articles/picture/").content.decode()
    assert files_under(settings.MEDIA_ROOT) == []  # no rendition half made


def test_the_worker_keeps_to_the_pixel_budget(settings):
    picture = PictureFactory()  # 1600 x 900
    settings.MAX_UPLOAD_IMAGE_PIXELS = 1_000_000

    result = render_picture.enqueue(picture.pk)

    picture.refresh_from_db()
    assert result.return_value == "too_many_pixels"
    assert picture.renditions == {}
    assert files_under(settings.MEDIA_ROOT) == []


def test_the_worker_refuses_an_original_it_cannot_decode(settings):
    data = image_bytes("JPEG", size=(800, 450))
    picture = PictureFactory(image=ContentFile(data[:-200], name="cut.jpg"))

    result = render_picture.enqueue(picture.pk)

    picture.refresh_from_db()
    assert result.return_value == "unreadable"
    assert (picture.renditions, picture.rendition_error) == ({}, "unreadable")
    # Saved again in the library, it is tried again.
    picture.image.save("whole.jpg", ContentFile(data))
    render_picture.enqueue(picture.pk)
    picture.refresh_from_db()
    assert picture.renditions and picture.rendition_error == ""


def test_a_large_jpeg_decoded_at_a_fraction_still_gets_every_width():
    # 6000 x 4000: the widest rendition (1280) needs a quarter of that.
    big = ContentFile(image_bytes("JPEG", size=(6000, 4000)), name="big.jpg")
    article = ArticleFactory(picture=PictureFactory(image=big))

    render_picture.enqueue(article.picture_id)

    article.picture.refresh_from_db()
    assert [e["width"] for e in article.picture.renditions["1x1"]] == [
        320,
        640,
        960,
        1280,
    ]
