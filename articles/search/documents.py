"""The search document of an article: what is indexed, and how it is stored.

Design (why it looks like this):

- The document is built in Python from text passed through `normalize_arabic`
  and stripped of stop words (`search_words`), the same steps the query goes
  through, so "الأسلحة" in a headline and "الاسلحه" in the search box meet.
- It cannot be a `GeneratedField`: tags and bylines live in other tables.
  So it is written by `refresh_search_documents()` (or
  `update_search_document()` for one article), which the admin calls after
  saving an article *and* its tags and bylines (`save_related`), and which
  `seed_demo` and `rebuild_search_index` call in bulk.
- It lives outside the Django model on purpose, so that listing pages never
  load it: on PostgreSQL a `tsvector` column `articles_article.search_vector`
  (added by migration 0003_search, GIN-indexed) weighted headline A, kicker,
  standfirst, tags and authors B, body C, through our `arabic_news`
  configuration, plus `search_title_vector`, its A and B part alone, which
  ranking reads (see query.py); on SQLite an FTS5 table `articles_search_fts` whose rowid is
  the article id, with one column per weight. FTS5 does no stemming, so the
  SQLite document holds `light_stem`med words instead.
"""

import html
import re
from collections.abc import Callable, Iterable

from django.db import connections

from articles.cache import SEARCH, invalidate
from articles.text import normalize_arabic

from .stopwords import ARABIC_STOP_WORDS

SEARCH_CONFIG = "arabic_news"
FTS_TABLE = "articles_search_fts"

_TAG = re.compile(r"<[^>]*>")
# Letters and digits; runs of punctuation, emoji and underscores separate words.
_WORD = re.compile(r"[^\W_]+")

# Light stemming (after Larkey's "light10"): the clitics and suffixes that
# most often hide a shared word. Longest first; normalised spelling (ة is ه).
_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")


def search_words(text: str) -> list[str]:
    """The normalised words of `text` that are worth indexing or searching for."""
    return [
        word
        for word in _WORD.findall(normalize_arabic(text))
        if word not in ARABIC_STOP_WORDS
    ]


def light_stem(word: str) -> str:
    """Strip a leading و, the article ال and common suffixes from a normalised word.

    Used where PostgreSQL's Snowball stemmer is not available: the SQLite
    index and the highlighting of matched words on both databases.
    """
    if len(word) > 3 and word.startswith("و"):
        word = word[1:]
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix) :]
            break
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[: -len(suffix)]
    return word


def body_text(body_html: str) -> str:
    """The readable text of sanitised body HTML.

    A regular expression, not `strip_tags`: the body was sanitised by nh3 on
    save, so its tags are well formed, and `strip_tags` (an HTML parser run to
    a fixed point) is the slowest step of indexing 100,000 articles.
    The result is only indexed or escaped before display, never trusted.
    """
    return html.unescape(_TAG.sub(" ", body_html))


def document_parts(article) -> tuple[str, str, str]:
    """Headline, secondary text and body of `article`, normalised, for weights A/B/C.

    Expects `tags` and `authors` prefetched when called in a loop.
    """
    secondary = [
        article.kicker,
        article.standfirst,
        *(tag.name for tag in article.tags.all()),
        *(author.name for author in article.authors.all()),
    ]
    return tuple(
        " ".join(search_words(text))
        for text in (article.headline, " ".join(secondary), body_text(article.body))
    )


def _write_postgresql(cursor, rows):
    cursor.executemany(
        "UPDATE articles_article AS article"
        " SET search_title_vector = doc.title,"
        f" search_vector = doc.title || setweight(to_tsvector('{SEARCH_CONFIG}', %s), 'C')"
        f" FROM (SELECT setweight(to_tsvector('{SEARCH_CONFIG}', %s), 'A')"
        f" || setweight(to_tsvector('{SEARCH_CONFIG}', %s), 'B') AS title) AS doc"
        " WHERE article.id = %s",
        [(c, a, b, pk) for pk, (a, b, c) in rows],
    )


def _stemmed(text: str) -> str:
    return " ".join(light_stem(word) for word in text.split())


def _write_sqlite(cursor, rows):
    cursor.executemany(
        f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk, _ in rows]
    )
    cursor.executemany(
        f"INSERT INTO {FTS_TABLE} (rowid, headline, meta, body) VALUES (%s, %s, %s, %s)",
        [(pk, *map(_stemmed, parts)) for pk, parts in rows],
    )


_WRITERS = {"postgresql": _write_postgresql, "sqlite": _write_sqlite}


def _batches(items: Iterable, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def refresh_search_documents(
    queryset,
    *,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Rebuild the stored search documents of every article in `queryset`.

    Streams the articles in batches (one prefetch and one bulk write per
    batch), calls `progress(done_so_far)` after each batch and returns the
    number of articles written. Other databases have no stored document; the
    search then falls back to plain matching and this does nothing.
    """
    connection = connections[queryset.db]
    write = _WRITERS.get(connection.vendor)
    if write is None:
        return 0
    articles = (
        queryset.order_by("pk")
        .only("pk", "headline", "kicker", "standfirst", "body")
        .prefetch_related("tags", "authors")
        .iterator(chunk_size=batch_size)
    )
    done = 0
    for batch in _batches(articles, batch_size):
        rows = [(article.pk, document_parts(article)) for article in batch]
        with connection.cursor() as cursor:
            write(cursor, rows)
        done += len(rows)
        if progress:
            progress(done)
    if done:
        # Search pages may sit in shared caches; they show new results now.
        invalidate({SEARCH})
    return done


def update_search_document(article) -> None:
    """Rewrite the search document of one article after it, its tags or its bylines changed."""
    refresh_search_documents(type(article)._default_manager.filter(pk=article.pk))


def prune_search_documents(using: str = "default") -> int:
    """Drop SQLite index rows of deleted articles (PostgreSQL needs nothing)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {FTS_TABLE} WHERE rowid NOT IN (SELECT id FROM articles_article)"
        )
        return cursor.rowcount
