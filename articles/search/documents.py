"""The search document of an article: what is indexed, and how it is stored.

Design (why it looks like this):

- Every word goes through one analyser (`analysis.py`), in Python, at index
  time and at query time, on both databases. Neither database stems or folds
  anything of its own, so PostgreSQL and SQLite store the same tokens and a
  query meets a document exactly when their analysed words meet.
- Each word is stored twice at one position: its stem, which is what
  matches (وزراء, الوزير and وزيرة all meet at وزير), and its surface form,
  which only adds to the rank, so the reader's exact spelling comes first.
- It cannot be a `GeneratedField`: tags and bylines live in other tables.
  So it is written by `refresh_search_documents()` (or
  `update_search_document()` for one article), which the admin calls after
  saving an article *and* its tags and bylines (`save_related`), inside the
  same transaction, and which `seed_demo` and `rebuild_search_index` call in
  bulk.
- It lives outside the Django model on purpose, so that listing pages never
  load it. PostgreSQL: tsvector columns `search_vector` (headline A; kicker,
  standfirst, tags and authors B; body C) and `search_title_vector` (its A
  and B part alone, which ranking reads; see query.py), written as tsvector
  literals: `to_tsvector('simple', …)` would give each word one position,
  and the stem and the surface need the same one for phrases to work.
  SQLite: an FTS5 table whose rowid is the article id, stems in one column
  per weight and the surface forms in a fourth.
- The vocabulary (`articles_search_term`: every surface form and the number
  of stories using it) is what a misspelt query word is corrected against.
"""

import html
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from django.db import connections

from articles.cache import SEARCH, invalidate
from articles.text import ARABIC_MARKS

from .analysis import is_stop_word, normalize, tokens

FTS_TABLE = "articles_search_fts"
TERM_TABLE = "articles_search_term"
# Surface forms carry this mark in PostgreSQL's vector, so a stem and a word
# spelt like it stay two lexemes (the stem of وزير is وزير).
SURFACE_MARK = "="
# Writing this many documents at once is a bulk load (see below).
BULK = 100
_GIN_INDEXES = (
    "article_search_vector_idx",
    "article_search_title_vector_idx",
    "article_search_term_trgm_idx",
)
# PostgreSQL keeps word positions up to 16,383; later words share the last.
_MAX_POSITION = 16_383

_TAG = re.compile(r"<[^>]*>")
_MARKS = re.compile(f"[{ARABIC_MARKS}]")
_ONE_WORD = re.compile(r"[^\W_]+")
# A word as written: letters and digits with any diacritics or tatweel inside.
WRITTEN_WORD = re.compile(rf"[^\W_][\w{ARABIC_MARKS}]*")


def search_tokens(text: str) -> list:
    """The analysed words of `text` that are indexed and searched for.

    Stop words are dropped on both sides, so a phrase still matches when its
    stop words are not the document's ("وزير في الخارجية").
    """
    return [token for token in tokens(text) if not is_stop_word(token.surface)]


def body_text(body_html: str) -> str:
    """The readable text of sanitised body HTML.

    A regular expression, not `strip_tags`: the body was sanitised by nh3 on
    save, so its tags are well formed, and `strip_tags` (an HTML parser run to
    a fixed point) is the slowest step of indexing 100,000 articles.
    The result is only indexed or escaped before display, never trusted.
    """
    return html.unescape(_TAG.sub(" ", body_html))


def document_texts(article) -> tuple[str, str, str]:
    """The headline, the secondary text and the body (weights A, B, C), as text.

    Expects `tags` and `authors` prefetched when called in a loop.
    """
    secondary = [
        article.kicker,
        article.standfirst,
        *(tag.name for tag in article.tags.all()),
        *(author.name for author in article.authors.all()),
    ]
    return article.headline, "\n".join(secondary), body_text(article.body)


def _tsvector(fields, start=0) -> str:
    """A tsvector literal: stem and marked surface of each word at one position.

    Fields follow each other with a gap of one position, so a phrase never
    runs from the headline into the standfirst.
    """
    positions = defaultdict(list)
    position = start
    for weight, field in fields:
        for token in field:
            position += 1
            at = f"{position if position < _MAX_POSITION else _MAX_POSITION}{weight}"
            positions[token.stem].append(at)
            positions[SURFACE_MARK + token.surface].append(at)
        position += 1
    # Tokens are letters and digits only: nothing in them needs escaping.
    return " ".join(f"'{lexeme}':{','.join(at)}" for lexeme, at in positions.items())


def _write_postgresql(cursor, rows):
    # `||` shifts the body's positions past the title's, so the title part
    # is built once; the body starts one position on, a gap as between fields.
    cursor.executemany(
        "UPDATE articles_article SET search_title_vector = doc.title,"
        " search_vector = doc.title || %s::tsvector"
        " FROM (SELECT %s::tsvector AS title) AS doc WHERE id = %s",
        [
            (
                _tsvector([("C", body)], start=1),
                _tsvector([("A", headline), ("B", secondary)]),
                pk,
            )
            for pk, (headline, secondary, body) in rows
        ],
    )


def _write_sqlite(cursor, rows):
    def stems(field):
        return " ".join(token.stem for token in field)

    cursor.executemany(
        f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk, _ in rows]
    )
    cursor.executemany(
        f"INSERT INTO {FTS_TABLE} (rowid, headline, meta, body, words)"
        " VALUES (%s, %s, %s, %s, %s)",
        [
            (
                pk,
                *map(stems, fields),
                " ".join(token.surface for field in fields for token in field),
            )
            for pk, fields in rows
        ],
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


def _vocabulary(documents, terms=None) -> dict[str, tuple[str, int]]:
    """{surface form: (its commonest spelling, stories using it)}, added to `terms`.

    Read from the words as written, so "did you mean" can offer الحكومة, not
    the folded حكومه; each distinct spelling is analysed once per batch.
    """
    terms = {} if terms is None else terms
    spellings = Counter()
    for texts in documents:
        spellings.update(set(WRITTEN_WORD.findall(" ".join(texts))))
    for written, documents_using in spellings.most_common():
        surface = normalize(written)
        if not _ONE_WORD.fullmatch(surface) or is_stop_word(surface):
            continue
        spelling, count = terms.get(surface, (_MARKS.sub("", written), 0))
        terms[surface] = (spelling, count + documents_using)
    return terms


def _add_terms(cursor, terms):
    """Add new words to the vocabulary; known words keep their count.

    Between two rebuilds the counts are not kept exact: they only choose
    between equally close corrections, and counting each edit again would
    inflate them.
    """
    rows = [(surface, *term) for surface, term in terms.items()]
    for start in range(0, len(rows), 5000):
        cursor.executemany(
            f"INSERT INTO {TERM_TABLE} (term, spelling, documents) VALUES (%s, %s, %s)"
            " ON CONFLICT (term) DO NOTHING",
            rows[start : start + 5000],
        )


def refresh_search_documents(
    queryset,
    *,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
    rebuild_vocabulary: bool = False,
) -> int:
    """Rebuild the stored search documents of every article in `queryset`.

    Streams the articles in batches (one prefetch and one bulk write per
    batch), calls `progress(done_so_far)` after each batch and returns the
    number of articles written. With `rebuild_vocabulary` (a whole rebuild),
    the vocabulary is replaced at the end with exact counts.
    """
    connection = connections[queryset.db]
    write = _WRITERS[connection.vendor]
    articles = (
        queryset.order_by("pk")
        .only("pk", "headline", "kicker", "standfirst", "body")
        .prefetch_related("tags", "authors")
        .iterator(chunk_size=batch_size)
    )
    done, vocabulary = 0, {}
    for batch in _batches(articles, batch_size):
        texts = [document_texts(article) for article in batch]
        rows = [
            (article.pk, tuple(map(search_tokens, text)))
            for article, text in zip(batch, texts, strict=True)
        ]
        with connection.cursor() as cursor:
            write(cursor, rows)
            if rebuild_vocabulary:
                _vocabulary(texts, vocabulary)
            else:
                _add_terms(cursor, _vocabulary(texts))
        done += len(rows)
        if progress:
            progress(done)
    if rebuild_vocabulary:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TERM_TABLE}")
            _add_terms(cursor, vocabulary)
    if connection.vendor == "postgresql" and done >= BULK:
        _merge_pending_index_entries(connection)
    if done:
        # Search pages may sit in shared caches; they show new results now.
        invalidate({SEARCH})
    return done


def _merge_pending_index_entries(connection):
    """Move a bulk write's entries from the GIN pending lists into the indexes.

    Until autovacuum does it, the planner prices the indexes by their pending
    lists and reads every row instead: a search of 4,000 stories took 30 ms
    rather than 1 ms, a "did you mean" lookup 22 ms rather than 0.3 ms.
    """
    with connection.cursor() as cursor:
        for index in _GIN_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        # A rebuilt vocabulary is a new table to the planner.
        cursor.execute(f"ANALYZE {TERM_TABLE}")


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
