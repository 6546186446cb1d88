"""The media library (issue 15): lead images are Pictures, uploaded once and
reused by many stories."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from articles.images import make_renditions
from articles.models import Article, Picture
from tests.factories import ArticleFactory, PictureFactory, SectionFactory, UserFactory

from .admin_forms import (
    ADD_URL,
    article_data,
    change_url,
    errors_of,
    image_bytes,
    upload,
)

PICTURES_URL = "/admin/articles/picture/"


@pytest.mark.django_db
def test_a_picture_uploaded_once_is_reused_in_two_stories(editor, client, committed):
    section = SectionFactory()
    with committed():
        response = editor.post(
            ADD_URL,
            article_data(
                section,
                headline="الأول",
                status="published",
                image=upload(),
                image_alt="سوق المدينة القديمة",
                image_credit="وكالة الأنباء",
                image_caption="السوق صباح اليوم",
            ),
        )
    assert response.status_code == 302, errors_of(response)
    picture = Picture.objects.get()
    assert picture.caption == "السوق صباح اليوم"  # the library's caption

    response = editor.post(
        ADD_URL,
        article_data(
            section,
            headline="الثاني",
            status="published",
            picture=str(picture.pk),
            image_caption="السوق بعد الظهر",
        ),
    )

    assert response.status_code == 302, errors_of(response)
    assert Picture.objects.count() == 1
    first, second = (
        Article.objects.get(headline="الأول"),
        Article.objects.get(headline="الثاني"),
    )
    assert first.picture == second.picture == picture
    assert first.lead_caption == "السوق صباح اليوم"
    assert second.lead_caption == "السوق بعد الظهر"  # this story's own
    srcset_name = picture.renditions["16x9"][0]["name"]
    for article in (first, second):
        html = client.get(article.get_absolute_url()).content.decode()
        assert srcset_name in html
        assert 'alt="سوق المدينة القديمة"' in html
        assert "وكالة الأنباء" in html
        assert article.lead_caption in html


@pytest.mark.django_db
def test_an_upload_without_alt_text_is_refused(editor):
    response = editor.post(
        ADD_URL, article_data(SectionFactory(), image=upload(), image_alt="  ")
    )

    assert response.status_code == 200
    assert "اكتب وصفًا للصورة الجديدة" in errors_of(response)
    assert not Article.objects.exists() and not Picture.objects.exists()


@pytest.mark.django_db
def test_the_library_refuses_a_picture_without_alt_text(editor):
    response = editor.post(
        PICTURES_URL + "add/",
        {"image": upload(), "alt": "", "caption": "", "credit": ""},
    )

    assert response.status_code == 200
    assert not Picture.objects.exists()
    picture = PictureFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Picture.objects.filter(pk=picture.pk).update(alt="")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad, message",
    [
        (SimpleUploadedFile("a.gif", image_bytes("GIF"), "image/gif"), "غير مقبولة"),
        (
            SimpleUploadedFile(
                "a.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"
            ),
            "تعذّر فتح الملف صورةً",
        ),
        (
            SimpleUploadedFile(
                "big.png",
                image_bytes("PNG", size=(10_000, 6_000), colour=0, mode="1"),
                "image/png",
            ),
            "أبعاد الصورة كبيرة جدًا",
        ),
    ],
)
def test_the_library_applies_the_upload_rules(editor, bad, message):
    response = editor.post(
        PICTURES_URL + "add/",
        {"image": bad, "alt": "وصف", "caption": "", "credit": ""},
    )

    assert response.status_code == 200
    assert message in errors_of(response)
    assert not Picture.objects.exists()


@pytest.mark.django_db
def test_a_library_upload_gets_renditions_and_its_uploader(
    editor, editor_user, committed
):
    with committed():
        response = editor.post(
            PICTURES_URL + "add/",
            {
                "image": upload(size=(1600, 900)),
                "alt": "ميناء الصيد",
                "caption": "",
                "credit": "",
                "focal_x": "0.2",
                "focal_y": "0.5",
            },
        )

    assert response.status_code == 302, errors_of(response)
    picture = Picture.objects.get()
    assert picture.uploaded_by == editor_user
    assert (picture.width, picture.height) == (1600, 900)
    assert set(picture.renditions) == {"16x9", "4x3", "1x1"}
    for entries in picture.renditions.values():
        for entry in entries:
            assert default_storage.exists(entry["name"])


@pytest.mark.django_db
def test_the_library_list_searches_filters_and_shows_thumbnails(editor, editor_user):
    other = UserFactory(is_staff=True)
    mine = PictureFactory(
        caption="مهرجان الربيع", credit="وكالة الأنباء", uploaded_by=editor_user
    )
    make_renditions(mine)
    theirs = PictureFactory(caption="ملعب المدينة", credit="مصور حر", uploaded_by=other)
    ArticleFactory.create_batch(2, picture=mine)

    listing = editor.get(PICTURES_URL).content.decode()
    by_caption = editor.get(PICTURES_URL, {"q": "الربيع"}).context["cl"].result_list
    by_credit = editor.get(PICTURES_URL, {"q": "مصور حر"}).context["cl"].result_list
    by_user = editor.get(PICTURES_URL, {"uploaded_by__id__exact": other.pk})
    by_date = editor.get(
        PICTURES_URL, {"uploaded_at__year": timezone.now().year}
    ).context["cl"]

    assert any(e["name"] in listing for e in mine.renditions["1x1"])
    assert list(by_caption) == [mine]
    assert list(by_credit) == [theirs]
    assert list(by_user.context["cl"].result_list) == [theirs]
    assert by_date.result_count == 2


@pytest.mark.django_db
def test_the_article_form_autocompletes_pictures_for_writers(writer):
    PictureFactory(alt="مبنى البرلمان", caption="")

    response = writer.get(
        "/admin/autocomplete/",
        {
            "app_label": "articles",
            "model_name": "article",
            "field_name": "picture",
            "term": "البرلمان",
        },
    )

    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["مبنى البرلمان"]


@pytest.mark.django_db
def test_a_picture_in_use_cannot_be_deleted(editor):
    picture = PictureFactory()
    ArticleFactory(picture=picture)

    editor.post(f"{PICTURES_URL}{picture.pk}/delete/", {"post": "yes"})

    assert Picture.objects.filter(pk=picture.pk).exists()


@pytest.mark.django_db
def test_changing_the_focal_point_in_a_story_recuts_the_shared_picture(editor):
    picture = PictureFactory()
    make_renditions(picture)
    article = ArticleFactory(picture=picture)

    response = editor.post(
        change_url(article),
        article_data(
            article.section,
            headline=article.headline,
            status="published",
            picture=str(picture.pk),
            image_focal_x="0.1",
        ),
    )

    assert response.status_code == 302, errors_of(response)
    picture.refresh_from_db()
    assert picture.focal_x == 0.1


# The data migration ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_lead_images_into_the_library_losing_nothing():
    before = [("articles", "0010_front_page")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldArticle = old_apps.get_model("articles", "Article")
    OldSection = old_apps.get_model("articles", "Section")
    User = old_apps.get_model("accounts", "User")
    name = default_storage.save(
        "articles/2026/01/old.png", ContentFile(image_bytes(size=(800, 450)))
    )
    renditions = {"16x9": [{"width": 320, "height": 180, "name": "x__16x9_320.webp"}]}
    section = OldSection.objects.create(name="سياسة", slug="سياسة", position=1)
    author = User.objects.create(email="old@example.com", name="محرر")
    common = {"section": section, "body": "<p>نص</p>", "created_by": author}
    with_all = OldArticle.objects.create(
        headline="بكل الحقول",
        slug="a",
        image=name,
        image_width=800,
        image_height=450,
        image_alt="وصف قديم",
        image_caption="تعليق قديم",
        image_credit="مصور",
        image_focal_x=0.25,
        image_focal_y=0.75,
        image_renditions=renditions,
        **common,
    )
    without_alt = OldArticle.objects.create(
        headline="بلا وصف", slug="b", image=name, **common
    )
    OldArticle.objects.create(headline="بلا صورة", slug="c", **common)
    # Revisions keep a file's name as text; one shows an image the story no
    # longer has, which restoring it must still bring back.
    OldHistorical = old_apps.get_model("articles", "HistoricalArticle")
    revision = {
        "id": with_all.pk,
        "headline": "بكل الحقول",
        "slug": "a",
        "section_id": section.pk,
        "body": "<p>نص</p>",
        "history_date": with_all.created_at,
        "history_type": "~",
        "created_at": with_all.created_at,
        "updated_at": with_all.created_at,
    }
    current = OldHistorical.objects.create(image=name, **revision)
    dropped = OldHistorical.objects.create(
        image="articles/2025/12/dropped.png",
        image_width=1200,
        image_height=800,
        image_alt="صورة قديمة",
        **revision,
    )
    # A revision whose image has no recorded size and whose file is gone
    # keeps no picture, and does not stop the migration.
    lost = OldHistorical.objects.create(image="articles/2020/01/lost.png", **revision)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    article = Article.objects.get(pk=with_all.pk)
    picture = article.picture
    assert picture.image.name == name  # the same file, not a copy
    assert (picture.width, picture.height) == (800, 450)
    assert (picture.alt, picture.caption, picture.credit) == (
        "وصف قديم",
        "تعليق قديم",
        "مصور",
    )
    assert (picture.focal_x, picture.focal_y) == (0.25, 0.75)
    # 0014 then made the original private and rendered it again.
    assert set(picture.renditions) == {"16x9", "4x3", "1x1"}
    assert picture.uploaded_by_id == author.pk
    assert article.lead_caption == "تعليق قديم"
    # Pages showed the headline for a missing alt: now the library has it.
    assert Article.objects.get(pk=without_alt.pk).picture.alt == "بلا وصف"
    assert Article.objects.get(slug="c").picture is None
    History = Article.history.model
    assert History.objects.get(pk=current.pk).picture_id == picture.pk
    old_picture = History.objects.get(pk=dropped.pk).picture
    assert (old_picture.image.name, old_picture.alt) == (
        "articles/2025/12/dropped.png",
        "صورة قديمة",
    )
    assert History.objects.get(pk=lost.pk).picture is None
    assert Picture.objects.count() == 3
