"""Search documents built by our own Arabic analyser (articles/search/analysis.py).

PostgreSQL: the tsvector columns stay, but now hold the analyser's stems and
marked surface forms, written as literals, so the `arabic_news` Snowball
configuration goes; `pg_trgm` indexes the vocabulary for typo correction.
SQLite: the FTS5 table gains a column of surface forms and keeps diacritics
(the analyser has removed them already). Both: the vocabulary table.

Documents written by the old analyser would never match a new query, so they
are emptied here; `manage.py rebuild_search_index` writes the new ones (a
migration does not import app code; `make run` and `seed_demo` index new
content themselves).
"""

from django.db import migrations

POSTGRESQL_FORWARD = [
    "UPDATE articles_article SET search_vector = NULL, search_title_vector = NULL",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS arabic_news",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE articles_search_term ("
    " term text PRIMARY KEY, spelling text NOT NULL, documents integer NOT NULL)",
    # /search/: "did you mean", the closest known words to a misspelt one.
    "CREATE INDEX article_search_term_trgm_idx ON articles_search_term"
    " USING GIN (term gin_trgm_ops)",
]
POSTGRESQL_BACKWARD = [
    "DROP TABLE IF EXISTS articles_search_term",
    "UPDATE articles_article SET search_vector = NULL, search_title_vector = NULL",
    "CREATE TEXT SEARCH CONFIGURATION arabic_news (COPY = pg_catalog.arabic)",
    "ALTER TEXT SEARCH CONFIGURATION arabic_news"
    " ALTER MAPPING FOR asciiword, asciihword, hword_asciipart WITH english_stem",
]
SQLITE_FORWARD = [
    "DROP TABLE IF EXISTS articles_search_fts",
    "CREATE VIRTUAL TABLE articles_search_fts USING fts5("
    "headline, meta, body, words, tokenize = 'unicode61 remove_diacritics 0')",
    "CREATE TABLE articles_search_term ("
    " term TEXT PRIMARY KEY, spelling TEXT NOT NULL, documents INTEGER NOT NULL)"
    " WITHOUT ROWID",
]
SQLITE_BACKWARD = [
    "DROP TABLE IF EXISTS articles_search_term",
    "DROP TABLE IF EXISTS articles_search_fts",
    "CREATE VIRTUAL TABLE articles_search_fts USING fts5("
    "headline, meta, body, tokenize = 'unicode61 remove_diacritics 2')",
]


def _run(statements):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_article_visibility_index"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
