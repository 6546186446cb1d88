"""Known-item search evaluation: does search find the one story a reader means?

A corpus of stories (JSON lines: `id`, `headline`, `standfirst`, `body`,
`section`) is loaded as published articles of one section, `eval`, and
indexed the way the admin indexes; queries (JSON lines: `query`, `doc`,
`class`) then go through the search page's own path, `parse_query` and
`find` (typo correction included), and each one scores by the rank of its story on the first
page of ten: recall@10 and mean reciprocal rank per class of spelling variant.

The evaluation set lives in tests/articles/search/eval/ (SOURCES.md says where
the stories come from); `bench_search --quality` and
tests/articles/search/test_quality.py run it. Paths are passed in, so this
module depends on nothing under tests/.
"""

import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from html import escape
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from articles.models import Article, ArticleAuthor, Author, Section
from articles.text import arabic_slugify

from .documents import refresh_search_documents
from .query import find, parse_query

EVAL_SECTION = "eval"
TOP = 10
BATCH = 500
# Stories are spread over two years, so recency weighs on ranking as it does
# on the live site (where a known item is often an old one).
SPREAD = timedelta(days=730)


def read_jsonl(path: Path | str) -> list[dict]:
    """The rows of a JSON-lines file."""
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def doc_slug(doc_id: str) -> str:
    """The article slug of corpus story `doc_id`: how a query finds its story."""
    return arabic_slugify(doc_id, fallback="eval")[:255]


def is_loaded(using: str = "default") -> bool:
    """True when the evaluation section exists (the corpus was loaded)."""
    return Section.objects.using(using).filter(slug=EVAL_SECTION).exists()


def _published_at(doc_id: str, now):
    # A hash of the id, not the row's position: a story keeps its age whatever
    # else the corpus holds.
    fraction = zlib.crc32(doc_id.encode()) / 2**32
    return now - timedelta(hours=1) - SPREAD * fraction


def _body_html(body: str) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in body.split("\n") if p.strip())


def load_corpus(path: Path | str, *, now=None) -> int:
    """Create the corpus's stories as published articles of section `eval`,
    index them, and return how many were created."""
    docs = read_jsonl(path)
    now = now or timezone.now()
    # One transaction: the section is the "already loaded" marker, so it must
    # not outlive a load that failed half way.
    with transaction.atomic():
        section, _ = Section.objects.get_or_create(
            slug=EVAL_SECTION, defaults={"name": "تقييم البحث", "position": 99}
        )
        author, _ = Author.objects.get_or_create(
            slug="eval-desk", defaults={"name": "مكتب التقييم"}
        )
        for start in range(0, len(docs), BATCH):
            created = Article.objects.bulk_create(
                _article(doc, section, now) for doc in docs[start : start + BATCH]
            )
            ArticleAuthor.objects.bulk_create(
                ArticleAuthor(article=article, author=author) for article in created
            )
        refresh_search_documents(
            Article.objects.filter(section=section), batch_size=BATCH
        )
    if connection.vendor == "postgresql":
        # Fresh rows have no planner statistics yet; without them PostgreSQL
        # plans every search as if the table were empty.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE articles_article")
    return len(docs)


def _article(doc: dict, section: Section, now) -> Article:
    return Article(
        headline=doc["headline"][:255],
        slug=doc_slug(doc["id"]),
        kicker=doc.get("section", "")[:100],
        standfirst=doc.get("standfirst", ""),
        # bulk_create skips save(), and with it sanitize_body(): the body is
        # built here from escaped plain text.
        body=_body_html(doc.get("body", "")),
        meta_description=doc.get("standfirst", "")[:300],
        section=section,
        status=Article.Status.PUBLISHED,
        published_at=_published_at(doc["id"], now),
    )


@dataclass
class ClassResult:
    """The scores of one class of queries."""

    name: str
    queries: int = 0
    found: int = 0
    reciprocal_ranks: float = 0.0
    misses: list[dict] = field(default_factory=list)

    @property
    def recall(self) -> float:
        """Share of queries whose story is on the first page (recall@10)."""
        return self.found / self.queries if self.queries else 0.0

    @property
    def mrr(self) -> float:
        """Mean of 1/rank over the first page, 0 for a story not on it."""
        return self.reciprocal_ranks / self.queries if self.queries else 0.0

    def add(self, query: dict, rank: int | None) -> None:
        self.queries += 1
        if rank is None:
            self.misses.append(query)
        else:
            self.found += 1
            self.reciprocal_ranks += 1 / rank


@dataclass
class Report:
    """Per-class results, in the order the classes first appear, and all together."""

    classes: list[ClassResult]
    overall: ClassResult


def run(queries: Iterable[dict], queryset) -> Report:
    """Search `queryset` for every query and score the rank of its story."""
    queries = list(queries)
    slugs = {doc_slug(q["doc"]) for q in queries}
    stories = dict(
        queryset.filter(section__slug=EVAL_SECTION, slug__in=slugs).values_list(
            "slug", "pk"
        )
    )
    classes: dict[str, ClassResult] = {}
    overall = ClassResult("all")
    for query in queries:
        target = stories.get(doc_slug(query["doc"]))
        results = find(queryset, parse_query(query["query"])).results
        ranked = [getattr(item, "pk", item) for item in results[:TOP]]
        rank = ranked.index(target) + 1 if target in ranked else None
        klass = classes.setdefault(query["class"], ClassResult(query["class"]))
        klass.add(query, rank)
        overall.add(query, rank)
    return Report(classes=list(classes.values()), overall=overall)


def format_table(report: Report) -> str:
    """A Markdown table: class | queries | recall@10 | MRR, then an "all" row."""
    lines = ["| class | queries | recall@10 | MRR |", "| --- | ---: | ---: | ---: |"]
    for row in [*report.classes, report.overall]:
        name = f"**{row.name}**" if row is report.overall else row.name
        lines.append(f"| {name} | {row.queries} | {row.recall:.3f} | {row.mrr:.3f} |")
    return "\n".join(lines)


def format_misses(report: Report, per_class: int = 3) -> str:
    """A few missed queries of each class, for reading why they failed."""
    lines = []
    for row in report.classes:
        for query in row.misses[:per_class]:
            lines.append(f"- {row.name}: «{query['query']}» → {query['doc']}")
    return "\n".join(lines)
