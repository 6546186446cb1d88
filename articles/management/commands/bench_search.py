"""Benchmark /search/ on PostgreSQL: fill an archive, time a fixed set of queries.

    DATABASE_URL=postgres://…/newsroom_searchbench python manage.py migrate
    DATABASE_URL=postgres://…/newsroom_searchbench python manage.py bench_search

Tops the database up to --articles published stories of realistic Arabic
length (about 450 words each, from news vocabulary plus a long tail of rarer
words, spread over ten years and 10 sections), writes their search documents
through the same code path as the admin, then runs every query the way the
search page does (count + first page of 20) and prints median and 95th
percentile times and the EXPLAIN ANALYZE of a typical query. Run it against a
database of its own: it adds data, it never deletes any. Not a test.

With --quality it measures how well search finds a story rather than how
fast: it loads a known-item evaluation corpus unless the database already has
it, runs every query through the search page's path and prints recall@10 and
MRR per class of spelling variant. By default that is the committed demo set
(tests/articles/search/eval/); --corpus and --queries point it at another,
such as the larger set on real news that SOURCES.md there says how to build.
It searches every published article in the database, so give it a database
of its own, on either engine:

    DATABASE_URL=sqlite:////tmp/eval.sqlite3 python manage.py migrate
    DATABASE_URL=sqlite:////tmp/eval.sqlite3 python manage.py bench_search --quality
"""

import itertools
import random
import statistics
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from articles.models import Article, ArticleAuthor, Author, Section
from articles.search import evaluation
from articles.search.documents import refresh_search_documents
from articles.search.query import find, parse_query, search_articles

BATCH = 2000
PAGE = 20
EVAL_DIR = settings.BASE_DIR / "tests" / "articles" / "search" / "eval"

TOPICS = {
    "سياسة": "الحكومة البرلمان الانتخابات الرئيس الوزراء المعارضة الحزب الدستور"
    " التصويت النواب الائتلاف الاستقالة الحقيبة الوزارية المرشحين الاقتراع"
    " المجلس التشريعي الإصلاحات القانون",
    "اقتصاد": "الاقتصاد البنك المركزي التضخم الأسعار الفائدة الاستثمار الصادرات"
    " الموازنة العجز الديون البورصة الأسهم النفط الغاز الإنتاج النمو الضرائب"
    " الشركات الأسواق العملة",
    "رياضة": "المنتخب المباراة الدوري البطولة الهدف المدرب اللاعبين الملعب"
    " الجماهير التأهل النهائي كأس العالم الفوز الهزيمة التعادل الحارس"
    " الموسم الانتقالات",
    "ثقافة": "المهرجان الرواية الكاتب الشاعر المعرض الفيلم المسرح الموسيقى"
    " الجائزة الكتاب التراث المتحف الفنان السينما الترجمة الأدب القراء",
    "علوم": "الباحثون الدراسة الجامعة التجربة الفضاء المريخ الذكاء الاصطناعي"
    " الخوارزميات الخلايا الجينات المختبر الاكتشاف الطاقة الشمسية المناخ"
    " الانبعاثات",
    "صحة": "المستشفى الأطباء المرضى اللقاح الوباء العلاج الدواء وزارة الصحة"
    " الإصابات الفيروس السرطان السكري التطعيم العيادات الممرضين",
    "دولي": "الأمم المتحدة مجلس الأمن القمة المفاوضات الأسلحة النووية العقوبات"
    " السفير الخارجية اللاجئين الحدود الهدنة وقف إطلاق النار الاتفاق الوساطة",
    "مجتمع": "المدارس المعلمين الطلاب الأسر السكن الإيجارات البطالة الشباب"
    " المرأة الأطفال الجمعيات المتطوعين الفقر الهجرة القرى",
    "تقنية": "الهواتف التطبيقات الإنترنت الشبكات الأمن السيبراني البيانات"
    " المنصات الشركات الناشئة الحوسبة السحابية الرقمية المستخدمين الاختراق",
    "بيئة": "الجفاف الأمطار الفيضانات المياه السدود التصحر الغابات الحرائق"
    " التلوث النفايات التنوع البيولوجي الزراعة المحاصيل الاحتباس الحراري",
}
GENERAL = (
    "قال أعلن أكد أضاف أوضح أشار كشف ذكر تقرير مصادر مسؤول اليوم أمس الأسبوع"
    " الماضي المقبل العام الحالي خلال بعد قبل في من على إلى عن مع أن الذي التي"
    " هذه هذا كما وفق بحسب نحو أكثر أقل ملايين مليار دولار نسبة المائة الجديد"
    " الكبير الأولى الثانية المدينة العاصمة البلاد المنطقة العربية الدول"
    " المحلية الرسمية الوطنية الدولية جديدة كبيرة مهمة عدة بين حتى منذ لدى"
).split()
CITIES = "الرياض القاهرة بيروت الرباط عمان بغداد دمشق تونس الجزائر الدوحة".split()
QUERIES = [
    "الحكومة",
    "الانتخابات البرلمانية",
    "الاسلحه النوويه",
    "مكافحة التصحر",
    "البنك المركزي الفائدة",
    "كأس العالم",
    "الذكاء الاصطناعي",
    "اللقاح",
    "أسعار النفط",
    "الأمم المتحدة اللاجئين",
    "المهرجان السينما",
    "الجفاف المياه",
    "الشركات الناشئة",
    "بيروت",
    "وزارة الصحة المستشفى",
    "المنتخب الوطني",
    "الاحتباس الحراري",
    "الروايه الجائزه",
    "التضخم الأسعار",
    # Phrases, and misspellings that the "did you mean" fallback corrects.
    '"البنك المركزي"',
    '"كأس العالم" المنتخب',
    "الحكومو",
    "الانتخابت البرلمانية",
    "اللقحا",
]
LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def _tail_vocabulary(rng, size=20_000):
    # Rare words (names, places, technical terms) make up the long tail of a
    # real archive; pseudo-words of Arabic letters give the index that shape.
    return [
        "".join(rng.choice(LETTERS) for _ in range(rng.randint(4, 7)))
        for _ in range(size)
    ]


class Corpus:
    """Reproducible Arabic news text: topic words, common words, a Zipf tail.

    Each topic gets one long random stream of words, drawn once; articles are
    random windows of it, which keeps 100,000 bodies cheap to generate.
    """

    POOL = 100_000

    def __init__(self, seed):
        self.rng = rng = random.Random(seed)
        self.tail = _tail_vocabulary(rng)
        tail_weights = list(
            itertools.accumulate(1 / (rank + 1) for rank in range(len(self.tail)))
        )
        general_weights = list(
            itertools.accumulate(1 / (rank + 1) ** 0.6 for rank in range(len(GENERAL)))
        )
        self.pools = {}
        for topic, words in TOPICS.items():
            topical = words.split()
            streams = {
                "g": iter(
                    rng.choices(GENERAL, cum_weights=general_weights, k=self.POOL)
                ),
                "t": iter(rng.choices(topical, k=self.POOL)),
                "r": iter(
                    rng.choices(self.tail, cum_weights=tail_weights, k=self.POOL)
                ),
            }
            kinds = rng.choices("gtr", weights=(55, 30, 15), k=self.POOL)
            self.pools[topic] = [next(streams[kind]) for kind in kinds]

    def words(self, topic, count):
        start = self.rng.randrange(self.POOL - count)
        return self.pools[topic][start : start + count]

    def sentence(self, topic):
        return " ".join(self.words(topic, self.rng.randint(10, 22))) + "."

    def body(self, topic):
        paragraphs = []
        for _ in range(self.rng.randint(5, 9)):
            text = " ".join(self.sentence(topic) for _ in range(self.rng.randint(3, 4)))
            paragraphs.append(f"<p>{text}</p>")
        return "".join(paragraphs)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100_000)
        parser.add_argument("--rounds", type=int, default=5, help="Runs per query.")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--quality",
            action="store_true",
            help="Measure search quality (recall@10, MRR) instead of speed.",
        )
        parser.add_argument(
            "--corpus",
            type=Path,
            default=EVAL_DIR / "corpus.jsonl",
            help="Stories to load for --quality (JSON lines).",
        )
        parser.add_argument(
            "--queries",
            type=Path,
            default=EVAL_DIR / "queries.jsonl",
            help="Known-item queries for --quality (JSON lines).",
        )

    def handle(self, *args, articles, rounds, seed, quality, **options):
        if quality:
            self.quality(options["corpus"], options["queries"])
            return
        if connection.vendor != "postgresql":
            raise CommandError("The search benchmark needs PostgreSQL (DATABASE_URL).")
        corpus = Corpus(seed)
        self.fill(corpus, articles)
        # Plus a rare word from the long tail, as readers search for names.
        queries = [*QUERIES, corpus.tail[400]]
        self.report(queries, rounds)

    # Quality ----------------------------------------------------------------

    def quality(self, corpus, queries):
        default_sqlite = settings.BASE_DIR / "db.sqlite3"
        if connection.vendor == "sqlite" and Path(
            connection.settings_dict["NAME"]
        ) == Path(default_sqlite):
            raise CommandError(
                "--quality loads the evaluation stories; point it at a"
                " throwaway database, not the development one:\n"
                "  DATABASE_URL=sqlite:////tmp/eval.sqlite3 python manage.py migrate\n"
                "  DATABASE_URL=sqlite:////tmp/eval.sqlite3"
                " python manage.py bench_search --quality"
            )
        if evaluation.is_loaded():
            self.stdout.write("Evaluation corpus already loaded; reusing it.")
        else:
            started = time.monotonic()
            count = evaluation.load_corpus(corpus)
            self.stdout.write(
                f"Loaded {count} stories from {corpus}"
                f" ({time.monotonic() - started:.0f}s)."
            )
        published = Article.objects.published()
        others = published.exclude(section__slug=evaluation.EVAL_SECTION).count()
        if others:
            self.stdout.write(
                f"Note: {others} other published articles are searched too;"
                " they compete with the evaluation stories."
            )
        started = time.monotonic()
        report = evaluation.run(evaluation.read_jsonl(queries), published)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"\n## Known-item search quality on {self.engine()}\n\n"
            f"{evaluation.format_table(report)}\n\n"
            f"{report.overall.queries} queries in {elapsed:.0f}s"
            f" ({elapsed / max(report.overall.queries, 1) * 1000:.0f} ms each)."
        )
        if report.overall.misses:
            self.stdout.write(f"\nSome misses:\n{evaluation.format_misses(report)}")

    def engine(self):
        if connection.vendor == "sqlite":
            return f"SQLite {connection.Database.sqlite_version}"
        if connection.vendor == "postgresql":
            major, minor = divmod(connection.pg_version, 10000)
            return f"PostgreSQL {major}.{minor}"
        return connection.display_name

    # Data -------------------------------------------------------------------

    def fill(self, corpus, wanted):
        have = Article.objects.count()
        if have >= wanted:
            self.stdout.write(f"{have} articles already there; reusing them.")
        else:
            self.insert(corpus, have, wanted)
        self.index_missing()

    def index_missing(self):
        """Write the documents an interrupted run left out, then refresh statistics."""
        missing = Article.objects.filter(
            pk__in=RawSQL(
                "SELECT id FROM articles_article WHERE search_vector IS NULL", []
            )
        )
        started = time.monotonic()
        self.stdout.write("Writing search documents…")
        refresh_search_documents(
            missing,
            batch_size=BATCH,
            progress=lambda done: self.stdout.write(
                f"  indexed {done} ({time.monotonic() - started:.0f}s)"
            ),
        )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE articles_article")

    def insert(self, corpus, have, wanted):
        sections = self.sections()
        authors = self.authors()
        started = time.monotonic()
        now = timezone.now()
        for offset in range(have, wanted, BATCH):
            size = min(BATCH, wanted - offset)
            batch = [self.article(corpus, sections, now) for _ in range(size)]
            with transaction.atomic():
                created = Article.objects.bulk_create(batch)
                ArticleAuthor.objects.bulk_create(
                    ArticleAuthor(article=a, author=corpus.rng.choice(authors))
                    for a in created
                )
            self.stdout.write(
                f"  inserted {offset + size}/{wanted}"
                f" ({time.monotonic() - started:.0f}s)"
            )

    def sections(self):
        return {
            name: Section.objects.get_or_create(
                slug=f"bench-{position}", defaults={"name": name, "position": position}
            )[0]
            for position, name in enumerate(TOPICS)
        }

    def authors(self):
        return [
            Author.objects.get_or_create(
                slug=f"bench-author-{n}", defaults={"name": f"كاتب {n}"}
            )[0]
            for n in range(50)
        ]

    def article(self, corpus, sections, now):
        rng = corpus.rng
        topic = rng.choice(list(TOPICS))
        headline = " ".join(corpus.words(topic, rng.randint(6, 11)))
        return Article(
            headline=headline[:255],
            slug=f"bench-{rng.getrandbits(48):x}",
            kicker=rng.choice(CITIES),
            standfirst=corpus.sentence(topic) + " " + corpus.sentence(topic),
            body=corpus.body(topic),
            section=sections[topic],
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(minutes=rng.randint(10, 10 * 365 * 24 * 60)),
        )

    # Timing -----------------------------------------------------------------

    def run_query(self, text):
        """What the search page does: count the matches, fetch the first page
        (correcting a misspelt word when too little matches as typed)."""
        results = find(
            Article.objects.published().for_listing(), parse_query(text)
        ).results
        count = results.count()
        page = list(results[:PAGE])
        return count, page

    def report(self, queries, rounds):
        for text in queries:  # warm the cache, as a running site has it warm
            self.run_query(text)
        timings, per_query = [], {}
        for _ in range(rounds):
            for text in queries:
                started = time.perf_counter()
                count, _page = self.run_query(text)
                elapsed = (time.perf_counter() - started) * 1000
                timings.append(elapsed)
                per_query.setdefault(text, (count, []))[1].append(elapsed)
        self.stdout.write("\n| query | matches | median ms |\n| --- | ---: | ---: |")
        for text, (count, times) in per_query.items():
            self.stdout.write(f"| {text} | {count} | {statistics.median(times):.1f} |")
        p95 = statistics.quantiles(timings, n=20)[-1]
        self.stdout.write(
            f"\n{Article.objects.count()} articles, {len(timings)} timed searches"
            f" (count + first page of {PAGE}):"
            f" median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms"
        )
        results = search_articles(
            Article.objects.published(), parse_query("الاسلحه النوويه")
        )
        self.stdout.write(
            "\nEXPLAIN (ANALYZE) for «الاسلحه النوويه», tier 1 (headline matches):"
        )
        (ranked, _), (body_only, _) = results.tiers[:2]
        self.stdout.write(ranked[:PAGE].explain(analyze=True, buffers=True))
        self.stdout.write("\nTier 2 (body-only matches, newest first):")
        self.stdout.write(body_only[:PAGE].explain(analyze=True, buffers=True))
        self.stdout.write("\nCount (capped):")
        capped = body_only.order_by().values("pk")[: results.COUNT_CAP]
        self.stdout.write(capped.explain(analyze=True, buffers=True))
