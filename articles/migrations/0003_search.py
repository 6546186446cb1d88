"""Full-text search storage, per database (see articles/search/documents.py).

PostgreSQL: the `arabic_news` text-search configuration (Snowball Arabic
stemmer; stop words are removed in Python because PostgreSQL ships no Arabic
stop-word file), `search_vector` and `search_title_vector` tsvector columns
kept outside the Django model, and GIN indexes on both. SQLite: an FTS5
table keyed by article id. Other databases get nothing and search falls back
to plain matching.
"""

from django.db import migrations

POSTGRESQL_FORWARD = [
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS arabic_news",
    "CREATE TEXT SEARCH CONFIGURATION arabic_news (COPY = pg_catalog.arabic)",
    # Latin-script words in Arabic copy (names, acronyms) get English stemming.
    "ALTER TEXT SEARCH CONFIGURATION arabic_news"
    " ALTER MAPPING FOR asciiword, asciihword, hword_asciipart WITH english_stem",
    # The whole weighted document (A/B/C), for matching...
    "ALTER TABLE articles_article ADD COLUMN search_vector tsvector",
    # ...and its short A/B part (headline, kicker, standfirst, tags, authors),
    # for ranking: ts_rank over it is cheap, over the full one it is not.
    "ALTER TABLE articles_article ADD COLUMN search_title_vector tsvector",
    # /search/: the @@ match of every reader query.
    "CREATE INDEX article_search_vector_idx ON articles_article"
    " USING GIN (search_vector)",
    # /search/: the first tier, stories whose headline or standfirst match.
    "CREATE INDEX article_search_title_vector_idx ON articles_article"
    " USING GIN (search_title_vector)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS article_search_vector_idx",
    "DROP INDEX IF EXISTS article_search_title_vector_idx",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_title_vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS arabic_news",
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE articles_search_fts USING fts5("
    "headline, meta, body, tokenize = 'unicode61 remove_diacritics 2')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS articles_search_fts"]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for statement in statements.get(vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_roles"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
        # It indexed existing articles here with app code; 0007 replaced the
        # document, and `rebuild_search_index` fills it (see the README).
    ]
