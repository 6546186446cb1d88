"""Known-item search quality for Arabic spelling variants (issue 14).

Loads the committed evaluation corpus (eval/corpus.jsonl: the site's own demo
copy, about 660 stories, see eval/SOURCES.md) and runs every query of
eval/queries.jsonl (built by eval/make_queries.py) through the search page's
own parse and search path. Each class of spelling variant must find its story
on the first page for 95% of queries, and the first-page reciprocal rank must
average 0.85 overall.

    .venv/bin/python -m pytest tests/articles/search/test_quality.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_evaltest \\
        .venv/bin/python -m pytest tests/articles/search/test_quality.py

`manage.py bench_search --quality` prints the same table; SOURCES.md says how
to run it on the larger set of real published news, which is not shipped.
"""

from pathlib import Path

import pytest
from django.db import connection

from articles.models import Article
from articles.search.evaluation import (
    format_misses,
    format_table,
    load_corpus,
    read_jsonl,
    run,
)

EVAL = Path(__file__).parent / "eval"
MIN_RECALL = 0.95
MIN_MRR = 0.85

pytestmark = [pytest.mark.django_db, pytest.mark.search_quality]


def test_search_finds_the_story_a_reader_means_in_every_spelling():
    load_corpus(EVAL / "corpus.jsonl")

    report = run(read_jsonl(EVAL / "queries.jsonl"), Article.objects.published())

    weak = [row.name for row in report.classes if row.recall < MIN_RECALL]
    mrr = ", ".join(f"{row.name} {row.mrr:.3f}" for row in report.classes)
    assert not weak and report.overall.mrr >= MIN_MRR, (
        f"Known-item search on {connection.vendor}: recall@10 below {MIN_RECALL}"
        f" for {', '.join(weak) or 'no class'}; MRR {report.overall.mrr:.3f}"
        f" (needs {MIN_MRR}); MRR per class: {mrr}.\n\n{format_table(report)}\n\n"
        f"Some misses:\n{format_misses(report)}"
    )
