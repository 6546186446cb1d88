"""The four lists every installation starts with.

Migration 0002 creates them; `seed_newsletters()` re-runs the same
get_or_create and links the weekly letters to their sections once those
sections exist (the demo seed creates sections after migrations have run).
"""

DEMO_NEWSLETTERS = [
    {
        "slug": "موجز-الصباح",
        "name": "موجز الصباح",
        "description": (
            "أهم ما يجب أن تعرفه قبل أن يبدأ يومك: قصص الليلة وما ينتظرنا اليوم، "
            "في رسالة واحدة تصلك كل صباح."
        ),
        "cadence": "daily",
        "position": 1,
        "section_slugs": [],
    },
    {
        "slug": "تنبيهات-عاجلة",
        "name": "تنبيهات عاجلة",
        "description": ("رسالة فورية حين يقع حدث كبير، ولا شيء غير ذلك. قليلة ومهمة."),
        "cadence": "breaking",
        "position": 2,
        "section_slugs": [],
    },
    {
        "slug": "أسبوع-الاقتصاد",
        "name": "أسبوع الاقتصاد",
        "description": (
            "الأسواق والطاقة والأعمال في العالم العربي: قراءة هادئة في أخبار "
            "الأسبوع وأرقامه، كل يوم أحد."
        ),
        "cadence": "weekly",
        "position": 3,
        "section_slugs": ["اقتصاد", "economy"],
    },
    {
        "slug": "رسالة-الثقافة",
        "name": "رسالة الثقافة",
        "description": (
            "كتب وفنون وسينما وأفكار: مختارات محرري الثقافة من الأسبوع، كل خميس."
        ),
        "cadence": "weekly",
        "position": 4,
        "section_slugs": ["ثقافة", "culture"],
    },
]


def create_demo_newsletters(Newsletter, Section):
    """Idempotent: usable from a migration (historical models) or seed code."""
    for spec in DEMO_NEWSLETTERS:
        values = {k: v for k, v in spec.items() if k not in ("slug", "section_slugs")}
        newsletter, _ = Newsletter.objects.get_or_create(
            slug=spec["slug"], defaults=values
        )
        sections = Section.objects.filter(slug__in=spec["section_slugs"])
        if spec["section_slugs"] and not newsletter.sections.exists():
            newsletter.sections.add(*sections)


def seed_newsletters():
    """Create the demo lists if missing and link sections that now exist."""
    from articles.models import Section

    from .models import Newsletter

    create_demo_newsletters(Newsletter, Section)
