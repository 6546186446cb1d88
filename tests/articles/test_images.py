import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template

from articles.images import article_srcset, crop_box, make_renditions
from articles.models import Article, Author, Picture
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    PictureFactory,
    SectionFactory,
)

from .admin_forms import (
    ADD_URL,
    article_data,
    change_url,
    errors_of,
    image_bytes,
    png_header_only,
    upload,
)

pytestmark = pytest.mark.django_db


def _post_image(editor, image):
    section = SectionFactory()
    return editor.post(
        ADD_URL, article_data(section, image=image, image_alt="صورة الخبر")
    )


def _keeping_picture(article, **overrides):
    """A change POST that keeps the story's current library picture."""
    return article_data(
        article.section,
        headline=article.headline,
        picture=str(article.picture_id),
        **overrides,
    )


@pytest.mark.parametrize(
    "upload_file, message",
    [
        (
            SimpleUploadedFile(
                "photo.jpg", b"not an image at all\n" * 20, "image/jpeg"
            ),
            "تعذّر فتح الملف صورةً",
        ),
        (
            SimpleUploadedFile("anim.gif", image_bytes("GIF"), "image/gif"),
            "صيغة الصورة GIF غير مقبولة",
        ),
        (
            SimpleUploadedFile("scan.bmp", image_bytes("BMP"), "image/bmp"),
            "صيغة الصورة BMP غير مقبولة",
        ),
        (
            # A GIF wearing a .png name: the content decides, not the name.
            SimpleUploadedFile("fake.png", image_bytes("GIF"), "image/png"),
            "غير مقبولة",
        ),
    ],
)
def test_unusable_uploads_are_refused_with_a_form_error(editor, upload_file, message):
    response = _post_image(editor, upload_file)

    assert response.status_code == 200
    assert message in errors_of(response)
    assert not Article.objects.exists()


def test_a_60_megapixel_image_is_refused(editor):
    # Bilevel PNG: 60 million pixels in a few kilobytes.
    big = image_bytes("PNG", size=(10_000, 6_000), colour=0, mode="1")
    assert len(big) < 200_000

    response = _post_image(editor, SimpleUploadedFile("big.png", big, "image/png"))

    assert response.status_code == 200
    assert "أبعاد الصورة كبيرة جدًا" in errors_of(response)


def test_a_decompression_bomb_is_refused_without_decoding(editor):
    bomb = png_header_only(30_000, 30_000)  # 900 megapixels claimed

    response = _post_image(editor, SimpleUploadedFile("bomb.png", bomb, "image/png"))

    assert response.status_code == 200
    assert "أبعاد الصورة كبيرة جدًا" in errors_of(response)


def test_a_file_over_the_byte_limit_is_refused(editor, settings):
    settings.MAX_UPLOAD_IMAGE_BYTES = 1000

    response = _post_image(editor, upload(size=(800, 450)))

    assert "حجم الصورة أكبر من المسموح" in errors_of(response)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_are_accepted(editor, fmt):
    response = _post_image(editor, upload(name=f"lead.{fmt.lower()}", fmt=fmt))

    assert response.status_code == 302, errors_of(response)
    assert Article.objects.get().picture.width == 1200


def _rendition_names(renditions):
    return [entry["name"] for entries in renditions.values() for entry in entries]


def test_renditions_cover_three_crops_in_webp_capped_at_the_original(editor, committed):
    with committed():
        _post_image(editor, upload(size=(1000, 600)))
    picture = Article.objects.get().picture

    renditions = picture.renditions
    assert set(renditions) == {"16x9", "4x3", "1x1"}
    # Never upscaled; the largest is the crop's own width, for sharing.
    assert [e["width"] for e in renditions["16x9"]] == [320, 640, 960, 1000]
    assert [e["width"] for e in renditions["1x1"]] == [320, 600]
    for crop, (w, h) in {"16x9": (16, 9), "4x3": (4, 3), "1x1": (1, 1)}.items():
        for entry in renditions[crop]:
            assert abs(entry["height"] - entry["width"] * h / w) <= 1
            assert entry["name"].endswith(".webp")
            # A random name, not the uploader's ("lead.png").
            assert entry["name"].startswith("renditions/")
            assert "lead" not in entry["name"]
            assert default_storage.exists(entry["name"])


def test_uploading_a_new_image_adds_it_and_keeps_the_old_one_in_the_library(
    editor, committed
):
    with committed():
        _post_image(editor, upload(name="first.png"))
    article = Article.objects.get()
    first = article.picture
    old = _rendition_names(first.renditions)

    with committed():
        response = editor.post(
            change_url(article),
            _keeping_picture(
                article, image=upload(name="second.png"), image_alt="الصورة الثانية"
            ),
        )

    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.picture != first
    new = _rendition_names(article.picture.renditions)
    assert new and not set(new) & set(old)
    # Another story may use the first picture: it stays, renditions and all.
    assert all(default_storage.exists(name) for name in old)


def test_replacing_a_library_file_removes_its_old_renditions(editor, committed):
    picture = PictureFactory()
    make_renditions(picture)
    old = _rendition_names(picture.renditions)

    with committed():
        response = editor.post(
            f"/admin/articles/picture/{picture.pk}/change/",
            {
                "image": upload(name="second.png"),
                "alt": picture.alt,
                "caption": "",
                "credit": "",
                "focal_x": "0.5",
                "focal_y": "0.5",
            },
        )

    assert response.status_code == 302, errors_of(response)
    picture.refresh_from_db()
    assert picture.image.name.endswith(".png")
    new = _rendition_names(picture.renditions)
    assert new and not set(new) & set(old)
    assert not any(default_storage.exists(name) for name in old)


def test_clearing_the_lead_image_leaves_the_picture_in_the_library(editor, committed):
    with committed():
        _post_image(editor, upload())
    article = Article.objects.get()
    names = _rendition_names(article.picture.renditions)

    with committed():
        editor.post(
            change_url(article),
            article_data(article.section, headline=article.headline, picture=""),
        )

    article.refresh_from_db()
    assert article.picture is None
    assert Picture.objects.count() == 1
    assert names and all(default_storage.exists(name) for name in names)


def test_moving_the_focal_point_recuts_the_renditions(editor, committed):
    with committed():
        _post_image(editor, upload(size=(1600, 600)))
    article = Article.objects.get()
    old = _rendition_names(article.picture.renditions)

    with committed():
        editor.post(change_url(article), _keeping_picture(article, image_focal_x="0.9"))

    picture = Picture.objects.get()
    assert picture.focal_x == 0.9
    new = _rendition_names(picture.renditions)
    assert len(new) == len(old) and all(default_storage.exists(n) for n in new)
    # New names for the new crops (no cache keeps the old ones under them);
    # the old files are gone.
    assert not set(new) & set(old)
    assert not any(default_storage.exists(n) for n in old)


@pytest.mark.parametrize("value", ["1.5", "-0.1", "abc"])
def test_focal_point_outside_the_image_is_refused(editor, value):
    section = SectionFactory()

    response = editor.post(ADD_URL, article_data(section, image_focal_x=value))

    assert response.status_code == 200
    assert not Article.objects.exists()


def test_crop_box_stays_inside_the_image_around_the_focal_point():
    assert crop_box(1600, 900, (1, 1)) == (350, 0, 1250, 900)
    assert crop_box(1600, 900, (1, 1), focal_x=0.0) == (0, 0, 900, 900)
    assert crop_box(1600, 900, (1, 1), focal_x=1.0) == (700, 0, 1600, 900)
    assert crop_box(1600, 900, (16, 9)) == (0, 0, 1600, 900)
    assert crop_box(900, 1600, (4, 3), focal_y=0.1) == (0, 0, 900, 675)


def test_srcset_helpers_read_recorded_renditions():
    picture = PictureFactory(
        image=ContentFile(image_bytes(size=(1400, 800)), name="lead.png")
    )
    article = ArticleFactory(picture=picture)
    make_renditions(picture)

    data = article_srcset(article, "16x9")
    html = Template('{% load images %}{{ article|srcset:"4x3" }}').render(
        Context({"article": article})
    )

    assert data["srcset"].count("w, ") == 3  # 320, 640, 960, 1280
    assert data["width"] == 960 and data["height"] == 540
    assert data["src"].endswith("__16x9_960.webp")
    assert "__4x3_320.webp 320w" in html


def test_srcset_helpers_give_nothing_before_renditions_exist():
    without = ArticleFactory()
    only_original = ArticleFactory(picture=PictureFactory())

    assert article_srcset(without) is None
    # The original is never a stand-in: it has no URL at all.
    assert article_srcset(only_original) is None
    with pytest.raises(ValueError):
        only_original.picture.image.url  # noqa: B018


def test_author_photo_is_validated_and_gets_square_renditions(editor, committed):
    with committed():
        response = editor.post(
            "/admin/articles/author/add/",
            {
                "name": "سلمى الحسيني",
                "slug": "سلمى-الحسيني",
                "bio": "",
                "photo": upload(name="salma.png", size=(500, 600)),
            },
        )

    assert response.status_code == 302, errors_of(response)
    author = Author.objects.get()
    assert [e["width"] for e in author.photo_renditions["1x1"]] == [96, 192, 384]


def test_author_photo_rejects_unsupported_formats(editor):
    response = editor.post(
        "/admin/articles/author/add/",
        {
            "name": "كاتب",
            "slug": "كاتب",
            "photo": SimpleUploadedFile("p.gif", image_bytes("GIF"), "image/gif"),
        },
    )

    assert response.status_code == 200
    assert "غير مقبولة" in errors_of(response)
    assert not Author.objects.exists()


def test_author_list_shows_portrait_thumbnails(editor):
    author = AuthorFactory()
    author.photo_renditions = {
        "1x1": [{"width": 96, "height": 96, "name": "authors/x__1x1_96.webp"}]
    }
    author.save()

    response = editor.get("/admin/articles/author/")

    assert "authors/x__1x1_96.webp" in response.content.decode()


def test_change_form_offers_a_focal_point_picker_on_the_original(
    editor, client, committed
):
    sent = upload()
    with committed():
        _post_image(editor, sent)
    article = Article.objects.get()

    html = editor.get(change_url(article)).content.decode()

    # The original, through the admin's staff-only view of it.
    original_url = f"/admin/articles/picture/{article.picture.pk}/original/"
    assert "data-focal-point" in html
    assert f'src="{original_url}"' in html
    assert "js/admin-focal-point.js" in html
    response = editor.get(original_url)
    assert response["Content-Type"] == "image/png"
    sent.seek(0)
    assert b"".join(response.streaming_content) == sent.read()
    assert "no-store" in response["Cache-Control"]
    assert client.get(original_url).status_code == 302  # to the admin login


@pytest.mark.parametrize("how", ["delete_view", "bulk_delete"])
def test_deleting_an_article_keeps_its_picture_in_the_library(editor, how, committed):
    with committed():
        _post_image(editor, upload())
    article = Article.objects.get()
    names = _rendition_names(article.picture.renditions)

    if how == "delete_view":
        response = editor.post(
            f"/admin/articles/article/{article.pk}/delete/", {"post": "yes"}
        )
    else:
        response = editor.post(
            "/admin/articles/article/",
            {
                "action": "delete_selected",
                "_selected_action": [article.pk],
                "post": "yes",
            },
        )

    assert response.status_code == 302
    assert not Article.objects.exists()
    assert Picture.objects.exists()
    assert names and all(default_storage.exists(name) for name in names)
