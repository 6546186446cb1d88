"""Build a newsroom-sized data set for `make bench`, or reuse one that exists.

100,000 Arabic articles over three years in 30 sections, 1,000 tags, 200 authors,
20,000 readers with saved articles and follows, and 200,000 newsletter
subscriptions. Batched inserts with progress; a few minutes on two cores.
"""

import random
import time
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Follow, SavedArticle, User
from accounts.newsletters.models import Newsletter, Subscription
from articles.models import Article, ArticleAuthor, Author, Section, Tag, TaggedArticle

BATCH = 2000
SUBJECTS = [
    "الحكومة",
    "البرلمان",
    "وزارة الاقتصاد",
    "البنك المركزي",
    "المنتخب الوطني",
    "الأمم المتحدة",
    "مجلس الأمن",
    "الجامعة العربية",
    "وزير الخارجية",
    "المعارضة",
    "شركات الطاقة",
    "المزارعون",
    "الباحثون",
    "نقابة المعلمين",
    "وزارة الصحة",
    "سكان المدينة",
    "المستثمرون",
    "الاتحاد الأفريقي",
]
VERBS = [
    "تعلن",
    "تناقش",
    "ترفض",
    "تدرس",
    "تطلق",
    "تراجع",
    "تبحث",
    "تدعم",
    "تنتقد",
    "تقر",
    "تؤجل",
    "تكشف",
]
OBJECTS = [
    "خطة جديدة لمكافحة التضخم",
    "مشروع قانون الموازنة",
    "اتفاقية للتعاون الاقتصادي",
    "برنامجا لدعم الشباب",
    "إصلاحات في قطاع التعليم",
    "مبادرة لحماية البيئة",
    "تقريرا عن أزمة المياه",
    "استراتيجية للطاقة المتجددة",
    "نتائج الانتخابات البلدية",
    "خطة لإعادة الإعمار",
    "مفاوضات وقف إطلاق النار",
    "إجراءات لخفض الأسعار",
    "مشروعا لتحلية مياه البحر",
    "قواعد جديدة للاستثمار الأجنبي",
    "حملة للتطعيم",
]
PLACES = [
    "الرباط",
    "القاهرة",
    "بيروت",
    "عمّان",
    "الرياض",
    "تونس",
    "الجزائر",
    "بغداد",
    "الدوحة",
    "دبي",
]
SENTENCES = [
    "وقال مسؤول رفيع في تصريحات صحافية إن القرار جاء بعد مشاورات مطولة مع الأطراف المعنية.",
    "وأشار خبراء اقتصاديون إلى أن الخطوة قد تنعكس على الأسواق خلال الأشهر المقبلة.",
    "ويأتي ذلك في وقت تشهد فيه المنطقة تحولات سياسية واقتصادية متسارعة.",
    "وأكد المتحدث باسم الوزارة أن الحكومة ملتزمة بتنفيذ الإصلاحات في مواعيدها المحددة.",
    "في المقابل، انتقدت أحزاب المعارضة ما وصفته بغياب الشفافية في إدارة الملف.",
    "وتشير الأرقام الرسمية إلى ارتفاع ملحوظ في معدلات النمو خلال الربع الأخير من العام.",
    "ويرى محللون أن نجاح المبادرة يتوقف على قدرة المؤسسات على التنسيق فيما بينها.",
    "وشهدت العاصمة اجتماعات مكثفة شارك فيها ممثلون عن المجتمع المدني والقطاع الخاص.",
    "وأوضح التقرير أن التحديات المناخية باتت تفرض أولويات جديدة على صناع القرار.",
    "وطالب ناشطون بإشراك الشباب في صياغة السياسات التي تمس مستقبلهم بشكل مباشر.",
    "ولفت مراقبون إلى أن الملف سيبقى مفتوحا على احتمالات عدة في ظل تباين المواقف.",
    "وتعهدت الجهات المختصة بنشر تقرير مفصل عن النتائج قبل نهاية الشهر الجاري.",
]


def headline(rng):
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"


def body(rng, paragraphs):
    return "".join(
        "<p>" + " ".join(rng.choices(SENTENCES, k=rng.randint(3, 6))) + "</p>"
        for _ in range(paragraphs)
    )


class Command(BaseCommand):
    help = "Build (or reuse) the benchmark data set. Run before bench_site."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100_000)
        parser.add_argument(
            "--readers", type=int, default=20_000, help="active readers"
        )
        parser.add_argument("--subscriptions", type=int, default=200_000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, articles, readers, subscriptions, seed, **options):
        self.rng = random.Random(seed)
        started = time.monotonic()
        sections = self.sections(30)
        authors = self.authors(200)
        tags = self.tags(1000)
        missing = articles - Article.objects.count()
        if missing > 0:
            self.articles(missing, sections, authors, tags)
            call_command("rebuild_search_index", stdout=self.stdout)
        else:
            self.stdout.write(f"Reusing {Article.objects.count():,} articles.")
        lists = list(Newsletter.objects.all())
        # Enough readers for the subscriptions: every reader takes every list.
        user_ids = self.readers(max(readers, -(-subscriptions // max(len(lists), 1))))
        if not SavedArticle.objects.exists():
            self.saved_articles(user_ids[:readers])
            self.follows(user_ids[:readers], sections, authors, tags)
        if not Subscription.objects.exists():
            self.subscriptions(user_ids, lists, subscriptions)
        if connection.vendor == "postgresql":
            # Fresh planner statistics, as autovacuum would give them later.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(f"Done in {time.monotonic() - started:.0f}s.")

    def progress(self, label, done, total):
        self.stdout.write(f"\r{label}: {done:,}/{total:,}", ending="")
        if done >= total:
            self.stdout.write("")
        self.stdout.flush()

    def sections(self, count):
        Section.objects.bulk_create(
            [
                Section(name=f"قسم الأخبار {n}", slug=f"قسم-{n}", position=n)
                for n in range(count)
            ],
            ignore_conflicts=True,
        )
        return list(Section.objects.all())

    def authors(self, count):
        Author.objects.bulk_create(
            [
                Author(name=f"الكاتب {n}", slug=f"كاتب-{n}", is_columnist=n % 10 == 0)
                for n in range(count)
            ],
            ignore_conflicts=True,
        )
        return list(Author.objects.all())

    def tags(self, count):
        Tag.objects.bulk_create(
            [Tag(name=f"وسم {n}", slug=f"وسم-{n}") for n in range(count)],
            ignore_conflicts=True,
        )
        return list(Tag.objects.all())

    def articles(self, count, sections, authors, tags):
        rng, now = self.rng, timezone.now()
        three_years = 3 * 365 * 24 * 3600
        for start in range(0, count, BATCH):
            size = min(BATCH, count - start)
            with transaction.atomic():
                batch = Article.objects.bulk_create(
                    [
                        Article(
                            headline=(title := headline(rng)),
                            slug=title.replace(" ", "-"),
                            kicker=rng.choice(PLACES),
                            standfirst=" ".join(rng.choices(SENTENCES, k=2)),
                            body=body(rng, rng.randint(4, 8)),
                            dateline=rng.choice(PLACES),
                            section=rng.choice(sections),
                            article_type=rng.choices(
                                Article.ArticleType.values, weights=[80, 10, 7, 3]
                            )[0],
                            status=Article.Status.PUBLISHED,
                            published_at=now
                            - timedelta(seconds=rng.randint(60, three_years)),
                        )
                        for _ in range(size)
                    ]
                )
                ArticleAuthor.objects.bulk_create(
                    [
                        ArticleAuthor(article=a, author=rng.choice(authors))
                        for a in batch
                    ]
                )
                TaggedArticle.objects.bulk_create(
                    [
                        TaggedArticle(content_object=a, tag=tag)
                        for a in batch
                        for tag in rng.sample(tags, rng.randint(2, 5))
                    ]
                )
            self.progress("articles", start + size, count)

    def readers(self, count):
        password = make_password("bench-reader-password")
        now = timezone.now()
        for start in range(User.objects.filter(is_staff=False).count(), count, BATCH):
            User.objects.bulk_create(
                [
                    User(
                        email=f"bench-reader-{n}@example.com",
                        name=f"قارئ {n}",
                        password=password,
                        email_verified_at=now,
                    )
                    for n in range(start, min(start + BATCH, count))
                ],
                ignore_conflicts=True,
            )
            self.progress("readers", min(start + BATCH, count), count)
        return list(
            User.objects.filter(is_staff=False)
            .order_by("id")
            .values_list("id", flat=True)
        )

    def saved_articles(self, user_ids):
        rng = self.rng
        article_ids = list(
            Article.objects.order_by("-published_at").values_list("id", flat=True)[
                :5000
            ]
        )
        for start in range(0, len(user_ids), BATCH):
            SavedArticle.objects.bulk_create(
                [
                    SavedArticle(user_id=user_id, article_id=article_id)
                    for user_id in user_ids[start : start + BATCH]
                    for article_id in rng.sample(article_ids, 5)
                ],
                ignore_conflicts=True,
            )
            self.progress(
                "saved articles", min(start + BATCH, len(user_ids)), len(user_ids)
            )

    def follows(self, user_ids, sections, authors, tags):
        rng = self.rng
        for start in range(0, len(user_ids), BATCH):
            rows = []
            for user_id in user_ids[start : start + BATCH]:
                rows += [
                    Follow(user_id=user_id, section=s) for s in rng.sample(sections, 2)
                ]
                rows += [Follow(user_id=user_id, tag=t) for t in rng.sample(tags, 3)]
                rows += [
                    Follow(user_id=user_id, author=a) for a in rng.sample(authors, 2)
                ]
            Follow.objects.bulk_create(rows, ignore_conflicts=True)
            self.progress("follows", min(start + BATCH, len(user_ids)), len(user_ids))

    def subscriptions(self, user_ids, lists, count):
        now = timezone.now()
        pairs = [(user_id, newsletter) for newsletter in lists for user_id in user_ids]
        pairs = pairs[:count]
        for start in range(0, len(pairs), BATCH):
            Subscription.objects.bulk_create(
                [
                    Subscription(
                        user_id=user_id,
                        newsletter=newsletter,
                        source=Subscription.Source.ADMIN,
                        confirmed_at=now,
                    )
                    for user_id, newsletter in pairs[start : start + BATCH]
                ],
                ignore_conflicts=True,
            )
            self.progress("subscriptions", min(start + BATCH, len(pairs)), len(pairs))
