"""The media library (issue 15): lead images become `Picture` rows that many
stories can share.

Every existing lead image moves into the library with everything it had (file
path, size, alt text, caption, credit, focal point, renditions); no file is
copied. Revisions in the history point at the same pictures, so restoring
one still brings its image back. 0012 then drops the old columns.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.core.files.storage import default_storage
from django.db import migrations, models

WRITERS = "الكتّاب"
EDITORS = "المحررون"
PERMISSIONS = {
    WRITERS: ["add_picture", "change_picture", "view_picture"],
    EDITORS: ["add_picture", "change_picture", "view_picture", "delete_picture"],
}


def _file_name(value):
    # A story's image is a file; a revision's is its name already
    # (simple_history keeps file fields as text).
    return getattr(value, "name", value)


def _readable(row):
    """False for an image with no recorded size whose file is gone too: a
    Picture would have to open it, and there is nothing left to keep."""
    if row.image_width and row.image_height:
        return True
    return default_storage.exists(_file_name(row.image))


def _picture_fields(row, headline):
    return {
        "image": _file_name(row.image),
        "width": row.image_width,
        "height": row.image_height,
        # Pages already fell back to the headline for an image without alt
        # text; the library requires one, so that is what it gets.
        "alt": row.image_alt.strip() or headline[:300],
        "credit": row.image_credit,
        "focal_x": row.image_focal_x,
        "focal_y": row.image_focal_y,
    }


def move_images_to_library(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    HistoricalArticle = apps.get_model("articles", "HistoricalArticle")
    Picture = apps.get_model("articles", "Picture")
    by_name = {}
    for article in Article.objects.exclude(image="").order_by("pk").iterator():
        if not _readable(article):
            continue
        picture = Picture.objects.create(
            **_picture_fields(article, article.headline),
            caption=article.image_caption,
            renditions=article.image_renditions or {},
            uploaded_by_id=article.created_by_id,
            uploaded_at=article.created_at,
        )
        by_name.setdefault(_file_name(article.image), picture)
        # The caption now lives on the picture; the story's own field is
        # left for a caption that differs from it.
        Article.objects.filter(pk=article.pk).update(picture=picture, image_caption="")
    revisions = HistoricalArticle.objects.exclude(image="").order_by("history_date")
    for revision in revisions.iterator():
        picture = by_name.get(_file_name(revision.image))
        if picture is None and not _readable(revision):
            continue
        if picture is None:
            # An image the story no longer shows: kept, so that restoring
            # this revision still brings it back.
            picture = Picture.objects.create(
                **_picture_fields(revision, revision.headline),
                caption=revision.image_caption,
                uploaded_by_id=revision.created_by_id,
                uploaded_at=revision.history_date,
            )
            by_name[_file_name(revision.image)] = picture
        HistoricalArticle.objects.filter(pk=revision.pk).update(picture=picture)


def move_images_back(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    HistoricalArticle = apps.get_model("articles", "HistoricalArticle")
    for model in (Article, HistoricalArticle):
        rows = model.objects.exclude(picture=None).select_related("picture")
        for row in rows.iterator():
            picture = row.picture
            fields = {
                "image": picture.image.name,
                "image_width": picture.width,
                "image_height": picture.height,
                "image_alt": picture.alt,
                "image_credit": picture.credit,
                "image_focal_x": picture.focal_x,
                "image_focal_y": picture.focal_y,
                "image_caption": row.image_caption or picture.caption,
            }
            if model is Article:
                fields["image_renditions"] = picture.renditions
            model.objects.filter(pk=row.pk).update(**fields)


def grant(apps, schema_editor):
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="articles", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="articles", codename__endswith="_picture"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_front_page"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Picture",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "image",
                    models.ImageField(
                        height_field="height",
                        upload_to="articles/%Y/%m/",
                        verbose_name="الملف",
                        width_field="width",
                    ),
                ),
                (
                    "width",
                    models.PositiveIntegerField(blank=True, editable=False, null=True),
                ),
                (
                    "height",
                    models.PositiveIntegerField(blank=True, editable=False, null=True),
                ),
                (
                    "alt",
                    models.CharField(
                        help_text="ما تظهره الصورة، لمن لا يراها (قارئات الشاشة ومحركات البحث).",
                        max_length=300,
                        verbose_name="وصف الصورة",
                    ),
                ),
                (
                    "caption",
                    models.CharField(
                        blank=True, max_length=300, verbose_name="تعليق الصورة"
                    ),
                ),
                (
                    "credit",
                    models.CharField(
                        blank=True, max_length=150, verbose_name="مصدر الصورة"
                    ),
                ),
                (
                    "focal_x",
                    models.FloatField(
                        default=0.5, verbose_name="النقطة المحورية أفقيًا"
                    ),
                ),
                (
                    "focal_y",
                    models.FloatField(
                        default=0.5, verbose_name="النقطة المحورية عموديًا"
                    ),
                ),
                (
                    "renditions",
                    models.JSONField(blank=True, default=dict, editable=False),
                ),
                (
                    "uploaded_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="رُفعت في"
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="رفعها",
                    ),
                ),
            ],
            options={
                "verbose_name": "صورة",
                "verbose_name_plural": "مكتبة الصور",
                "ordering": ["-uploaded_at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("alt", ""), _negated=True),
                        name="picture_alt_required",
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="article",
            name="picture",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="articles",
                to="articles.picture",
                verbose_name="الصورة الرئيسية",
            ),
        ),
        migrations.AddField(
            model_name="historicalarticle",
            name="picture",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="articles.picture",
                verbose_name="الصورة الرئيسية",
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="image_caption",
            field=models.CharField(
                blank=True,
                help_text="اتركه فارغًا لاستعمال تعليق الصورة في المكتبة.",
                max_length=300,
                verbose_name="تعليق الصورة في هذا المقال",
            ),
        ),
        migrations.AlterField(
            model_name="historicalarticle",
            name="image_caption",
            field=models.CharField(
                blank=True,
                help_text="اتركه فارغًا لاستعمال تعليق الصورة في المكتبة.",
                max_length=300,
                verbose_name="تعليق الصورة في هذا المقال",
            ),
        ),
        migrations.RunPython(move_images_to_library, move_images_back),
        migrations.RunPython(grant, revoke),
    ]
