"""Corrections and editor's notes on stories (issue 15)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_editing"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Correction",
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
                    "kind",
                    models.CharField(
                        choices=[
                            ("correction", "تصحيح"),
                            ("editors_note", "ملاحظة المحرر"),
                        ],
                        default="correction",
                        max_length=20,
                        verbose_name="النوع",
                    ),
                ),
                (
                    "text",
                    models.TextField(
                        help_text=(
                            "ما الذي كان خطأً وما الصحيح، بجمل كاملة كما سيقرؤها"
                            " القراء تحت المقال."
                        ),
                        verbose_name="النص",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now,
                        editable=False,
                        verbose_name="تاريخ الملاحظة",
                    ),
                ),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="corrections",
                        to="articles.article",
                        verbose_name="المقال",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="أضافه",
                    ),
                ),
            ],
            options={
                "verbose_name": "تصحيح",
                "verbose_name_plural": "التصحيحات وملاحظات المحرر",
                "indexes": [
                    models.Index(
                        fields=["-created_at"], name="correction_created_idx"
                    )
                ],
            },
        ),
    ]
