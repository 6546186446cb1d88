"""Originals are private: what an upload's camera wrote (GPS position, serial
number) never reaches readers, and neither does the uploader's file name.
Everything public is a metadata-free rendition under a random name."""

import io
import json
import re
from html import unescape
from pathlib import Path

import feedparser
import pytest
from django.contrib.auth.models import Permission
from django.core.checks import run_checks
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from PIL import ExifTags, Image

from accounts.newsletters.emails import render_issue
from accounts.newsletters.models import IssueArticle, Newsletter, NewsletterIssue
from articles.models import Article, Author, Picture
from tests.factories import ArticleFactory, SectionFactory, UserFactory
from tests.second_factor import pass_second_factor

from .admin_forms import ADD_URL, article_data, errors_of, image_bytes

pytestmark = pytest.mark.django_db

SERIAL = b"SN-4031-7781"
UPLOAD_NAME = "IMG_4031_beirut_port"


def camera_jpeg(name=f"{UPLOAD_NAME}.jpg", size=(1600, 900)):
    """A JPEG as a phone writes it: where it was taken, by which camera."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.BodySerialNumber] = SERIAL.decode()
    exif[ExifTags.Base.Artist] = "Rami Haddad"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (33.0, 54.0, 5.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (35.0, 31.0, 3.0),
    }
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 90, 140)).save(
        buffer, "JPEG", exif=exif, xmp=b"<x:xmpmeta>Rami Haddad</x:xmpmeta>"
    )
    data = buffer.getvalue()
    assert SERIAL in data and b"GPS" not in data  # GPS is in binary tags
    with Image.open(io.BytesIO(data)) as image:
        assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return SimpleUploadedFile(name, data, "image/jpeg")


def assert_clean(data):
    """Image bytes that say nothing of where, by whom or with what."""
    assert SERIAL not in data and b"Rami" not in data and b"Exif" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "WEBP"
        assert not image.getexif()
        assert not {"exif", "xmp", "icc_profile"} & set(image.info)


def media_path(url, settings):
    """The file a reader gets at `url`: MEDIA_URL is MEDIA_ROOT, nothing else."""
    path = url.removeprefix(settings.SITE_URL)
    assert path.startswith(settings.MEDIA_URL), url
    return path.removeprefix(settings.MEDIA_URL)


def page_image_urls(html):
    """Every image URL of a page: <img> src and srcset, Open Graph, Twitter
    and JSON-LD."""
    urls = re.findall(r'<img[^>]* src="([^"]+)"', html)
    for srcset in re.findall(r' srcset="([^"]+)"', html):
        urls += [part.split()[0] for part in unescape(srcset).split(",")]
    urls += re.findall(r'<meta (?:property|name)="\w+:image" content="([^"]+)"', html)
    for block in re.findall(r'application/ld\+json">(.*?)</script>', html, re.S):
        urls += json.loads(block).get("image", [])
    return [unescape(url) for url in urls]


def public_files(settings):
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def private_files(settings):
    return [p for p in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if p.is_file()]


@pytest.fixture
def story_with_camera_picture(editor, committed):
    """A published story whose lead picture came from a phone's camera, and
    a second story showing the same picture in its body."""
    section = SectionFactory()
    with committed():
        response = editor.post(
            ADD_URL,
            article_data(
                section,
                headline="حريق في مرفأ المدينة",
                status="published",
                image=camera_jpeg(),
                image_alt="دخان فوق المرفأ",
                image_credit="رامي حداد",
            ),
        )
    assert response.status_code == 302, errors_of(response)
    article = Article.objects.get()
    ArticleFactory(
        headline="المرفأ بعد أسبوع",
        body=f'<figure class="picture" data-picture="{article.picture_id}"></figure>',
    )
    return article


def test_no_public_url_serves_the_cameras_metadata(
    client, story_with_camera_picture, settings
):
    settings.SITE_URL = "https://news.example"
    article = story_with_camera_picture
    picture = article.picture
    urls = page_image_urls(client.get(article.get_absolute_url()).content.decode())
    body_story = Article.objects.exclude(pk=article.pk).get()
    urls += page_image_urls(client.get(body_story.get_absolute_url()).content.decode())
    feed = feedparser.parse(client.get(reverse("articles:feed")).content)
    urls += [e.href for entry in feed.entries for e in entry.enclosures]
    home = client.get("/").content.decode()
    urls += page_image_urls(home)

    media = [url for url in urls if "/media/" in url]
    # The lead image, og:image, twitter:image, three JSON-LD crops, the feed
    # enclosure, the body picture, the front page's card.
    assert len(media) >= 8
    for url in media:
        assert UPLOAD_NAME not in url and "IMG_" not in url
        assert_clean(default_storage.open(media_path(url, settings)).read())
    # Nothing anyone could reach under /media/ (a guessed name, a rendition
    # with its suffix stripped) carries the original either.
    for path in public_files(settings):
        assert UPLOAD_NAME not in path.name
        assert_clean(path.read_bytes())
    # The original is kept, untouched, outside MEDIA_ROOT; the credit is in
    # the database.
    (original,) = private_files(settings)
    assert SERIAL in original.read_bytes()
    assert not original.is_relative_to(Path(settings.MEDIA_ROOT))
    assert picture.credit == "رامي حداد"
    with pytest.raises(ValueError):
        picture.image.url  # noqa: B018


def test_the_newsletter_never_links_the_original(story_with_camera_picture):
    newsletter = Newsletter.objects.create(
        name="نشرة الصباح", slug="نشرة-الصباح", description="", cadence="daily"
    )
    issue = NewsletterIssue.objects.create(newsletter=newsletter, subject="موجز")
    IssueArticle.objects.create(
        issue=issue, article=story_with_camera_picture, position=0
    )

    rendered = render_issue(issue)

    assert story_with_camera_picture.headline in rendered.html
    assert UPLOAD_NAME not in rendered.html + rendered.text
    assert "/media/articles/" not in rendered.html
    # The lead story shows its picture, as a clean rendition.
    src = re.search(r'<img[^>]+src="([^"]+)"', rendered.html)[1]
    assert "/media/renditions/" in src


def test_a_drafts_picture_is_as_private_as_a_published_ones(
    editor, client, committed, settings
):
    with committed():
        editor.post(
            ADD_URL,
            article_data(
                SectionFactory(),
                image=camera_jpeg(),
                image_alt="وثيقة مسربة",
            ),
        )
    draft = Article.objects.get()

    preview = editor.get(reverse("admin:articles_article_preview", args=[draft.pk]))

    urls = [u for u in page_image_urls(preview.content.decode()) if "/media/" in u]
    assert urls
    for url in urls:
        assert_clean(default_storage.open(media_path(url, settings)).read())
    for path in public_files(settings):
        assert_clean(path.read_bytes())
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_an_authors_portrait_is_published_as_renditions_only(
    editor, client, committed, settings
):
    with committed():
        response = editor.post(
            "/admin/articles/author/add/",
            {
                "name": "رامي حداد",
                "slug": "رامي-حداد",
                "bio": "",
                "is_columnist": "on",
                "photo": camera_jpeg(name="rami_passport.jpg", size=(600, 600)),
            },
        )
    assert response.status_code == 302, errors_of(response)
    author = Author.objects.get()
    ArticleFactory(authors=[author], opinion=True)

    html = client.get(author.get_absolute_url()).content.decode()

    urls = [u for u in page_image_urls(html) if "/media/" in u]
    assert len(urls) >= 3  # src and the srcset's three widths
    for url in urls:
        assert "rami" not in url
        assert_clean(default_storage.open(media_path(url, settings)).read())
    for path in public_files(settings):
        assert_clean(path.read_bytes())
    (original,) = private_files(settings)
    assert SERIAL in original.read_bytes()


def test_the_editors_preview_of_body_pictures_gives_renditions(
    editor, story_with_camera_picture
):
    picture = story_with_camera_picture.picture

    response = editor.get(reverse("admin:articles_picture_blocks"), {"ids": picture.pk})

    (shown,) = response.json()["pictures"]
    assert shown["src"].startswith("/media/renditions/")
    assert UPLOAD_NAME not in json.dumps(shown)


def test_editors_see_the_original_through_the_admin_only(
    editor, client, reader, story_with_camera_picture
):
    picture = story_with_camera_picture.picture
    url = f"/admin/articles/picture/{picture.pk}/original/"

    change_form = editor.get(f"/admin/articles/picture/{picture.pk}/change/")
    response = editor.get(url)

    assert f'href="{url}"' in change_form.content.decode()  # the file input
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert SERIAL in b"".join(response.streaming_content)
    for outsider in (client, reader):
        assert outsider.get(url).status_code == 302  # to the admin's login


def test_a_view_only_editor_sees_the_picture_without_its_file_field(
    story_with_camera_picture,
):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_picture"))
    browser = Client()
    browser.force_login(viewer)
    pass_second_factor(browser, viewer)
    picture = Picture.objects.get()

    response = browser.get(f"/admin/articles/picture/{picture.pk}/change/")

    assert response.status_code == 200
    assert "data-focal-point" in response.content.decode()


# The data migration ------------------------------------------------------


@pytest.fixture
def back_to_latest_migrations(transactional_db):
    """Whatever a migration test leaves, the next test gets today's schema."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_existing_originals_private_losing_nothing(
    settings, back_to_latest_migrations
):
    before = [("articles", "0013_tag_story_index")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldPicture = old_apps.get_model("articles", "Picture")
    OldAuthor = old_apps.get_model("articles", "Author")
    public = default_storage
    name = public.save(f"articles/2026/01/{UPLOAD_NAME}.jpg", camera_jpeg())
    old_rendition = public.save(
        f"articles/2026/01/{UPLOAD_NAME}__16x9_320.webp",
        ContentFile(image_bytes("WEBP", size=(320, 180))),
    )
    picture = OldPicture.objects.create(
        image=name,
        width=1600,
        height=900,
        alt="المرفأ",
        credit="رامي حداد",
        focal_x=0.2,
        renditions={"16x9": [{"width": 320, "height": 180, "name": old_rendition}]},
    )
    # Its original is gone, its rendition is not: it keeps showing that.
    kept = public.save(
        "articles/2020/01/gone__16x9_320.webp",
        ContentFile(image_bytes("WEBP", size=(320, 180))),
    )
    orphan = OldPicture.objects.create(
        image="articles/2020/01/gone.jpg",
        width=800,
        height=450,
        alt="قديمة",
        renditions={"16x9": [{"width": 320, "height": 180, "name": kept}]},
    )
    photo = public.save(
        "authors/rami_passport.jpg", camera_jpeg(name="p.jpg", size=(500, 500))
    )
    author = OldAuthor.objects.create(name="رامي", slug="رامي", photo=photo)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    picture = Picture.objects.get(pk=picture.pk)
    assert picture.image.name == name  # same name, now in private storage
    assert SERIAL in picture.image.read()  # the original, untouched
    assert (picture.credit, picture.focal_x) == ("رامي حداد", 0.2)
    assert set(picture.renditions) == {"16x9", "4x3", "1x1"}
    orphan = Picture.objects.get(pk=orphan.pk)
    assert orphan.image.name == "articles/2020/01/gone.jpg"
    (entry,) = orphan.renditions["16x9"]
    assert "gone" not in entry["name"] and public.exists(entry["name"])
    author = Author.objects.get(pk=author.pk)
    assert [e["width"] for e in author.photo_renditions["1x1"]] == [96, 192, 384]
    for path in public_files(settings):
        # The old files went once the migration committed.
        assert UPLOAD_NAME not in path.name and "rami" not in path.name
        assert "gone" not in path.name
        assert_clean(path.read_bytes())
    assert sorted(p.name for p in private_files(settings)) == sorted(
        [f"{UPLOAD_NAME}.jpg", "rami_passport.jpg"]
    )

    # Back: the originals return under MEDIA_ROOT for the earlier code.
    MigrationExecutor(connection).migrate(before)
    assert public.exists(name) and public.exists(photo)
    assert private_files(settings) == []


def test_check_warns_when_originals_would_sit_under_media_root(settings):
    assert "articles.W001" not in {m.id for m in run_checks(tags=["security"])}

    settings.PRIVATE_MEDIA_ROOT = Path(settings.MEDIA_ROOT) / "originals"

    assert "articles.W001" in {m.id for m in run_checks(tags=["security"])}
