"""A curated front page (issue 15): editors pin the lead, the top stories and
the head of section blocks, for a set time. Editors manage pins; writers don't.

`Article.is_lead` stays, as the standing lead when no lead pin is live; only
its help text changes, so no data moves.
"""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

EDITORS = "المحررون"
EDITOR_PERMISSIONS = [
    "add_frontpagepin",
    "change_frontpagepin",
    "delete_frontpagepin",
    "view_frontpagepin",
]
IS_LEAD = models.BooleanField(
    default=False,
    help_text="تتصدر الواجهة حين لا تكون فيها قصة رئيسية مثبتة سارية.",
    verbose_name="القصة الرئيسية",
)


def grant(apps, schema_editor):
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="articles", codename__in=EDITOR_PERMISSIONS
        )
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="articles", codename__in=EDITOR_PERMISSIONS
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_corrections"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(model_name="article", name="is_lead", field=IS_LEAD),
        migrations.AlterField(
            model_name="historicalarticle", name="is_lead", field=IS_LEAD
        ),
        migrations.CreateModel(
            name="FrontPagePin",
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
                    "slot",
                    models.CharField(
                        choices=[
                            ("lead", "القصة الرئيسية"),
                            ("top", "أبرز الأخبار"),
                            ("section", "رأس قسم"),
                        ],
                        default="top",
                        max_length=10,
                        verbose_name="الموضع",
                    ),
                ),
                (
                    "position",
                    models.PositiveSmallIntegerField(
                        default=0,
                        help_text="الأصغر يظهر أولًا.",
                        verbose_name="الترتيب",
                    ),
                ),
                (
                    "starts_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="اتركه فارغًا ليظهر فور الحفظ.",
                        null=True,
                        verbose_name="يبدأ في",
                    ),
                ),
                (
                    "ends_at",
                    models.DateTimeField(
                        help_text="بعده يعود الموضع إلى الملء التلقائي.",
                        verbose_name="ينتهي في",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="أنشئ في"),
                ),
                (
                    "updated_at",
                    models.DateTimeField(auto_now=True, verbose_name="عُدّل في"),
                ),
                (
                    "article",
                    models.ForeignKey(
                        limit_choices_to={"status": "published"},
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="front_page_pins",
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
                        verbose_name="أنشأه",
                    ),
                ),
                (
                    "section",
                    models.ForeignKey(
                        blank=True,
                        help_text="لرأس القسم وحده؛ يُملأ من قسم المقال إن تُرك فارغًا.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="articles.section",
                        verbose_name="القسم",
                    ),
                ),
            ],
            options={
                "verbose_name": "تثبيت في الواجهة",
                "verbose_name_plural": "الواجهة",
                "ordering": ["position", "id"],
                "indexes": [models.Index(fields=["ends_at"], name="pin_ends_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("section__isnull", False), ("slot", "section")),
                            models.Q(
                                models.Q(("slot", "section"), _negated=True),
                                ("section__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="pin_section_only_for_section_head",
                        violation_error_message=(
                            "رأس القسم يحتاج إلى قسم، ولا قسم للمواضع الأخرى."
                        ),
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("starts_at__isnull", True),
                            ("ends_at__gt", models.F("starts_at")),
                            _connector="OR",
                        ),
                        name="pin_ends_after_it_starts",
                        violation_error_message="وقت الانتهاء بعد وقت البدء.",
                    ),
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
