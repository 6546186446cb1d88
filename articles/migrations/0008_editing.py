"""Concurrent editing (issue 15): article versions and soft edit locks."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_search_analyser"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="version",
            field=models.PositiveIntegerField(
                default=1, editable=False, verbose_name="رقم النسخة"
            ),
        ),
        migrations.AddField(
            model_name="historicalarticle",
            name="version",
            field=models.PositiveIntegerField(
                default=1, editable=False, verbose_name="رقم النسخة"
            ),
        ),
        migrations.CreateModel(
            name="ArticleLock",
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
                ("page", models.CharField(max_length=32)),
                ("started_at", models.DateTimeField(verbose_name="بدأ في")),
                ("last_seen_at", models.DateTimeField(verbose_name="آخر نبضة")),
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="edit_lock",
                        to="articles.article",
                        verbose_name="المقال",
                    ),
                ),
                (
                    "taken_from",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="المحرر",
                    ),
                ),
            ],
            options={
                "verbose_name": "قفل تحرير",
                "verbose_name_plural": "أقفال التحرير",
            },
        ),
    ]
