"""Searching the stored documents: parse what the reader typed, match, rank.

Callers pass a queryset that already applies the visibility gate
(`Article.objects.published()` for readers), so search never decides on its
own what may be shown.
"""

from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connections
from django.db.models import F, FloatField, Func, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest

from .documents import FTS_TABLE, SEARCH_CONFIG, light_stem, search_words

# Longer input is cut, not rejected: nobody types 200 characters on purpose,
# and the cut keeps tsquery parsing and FTS matching cheap.
MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
# A story this many days old ranks half as high as a fresh one that matches
# equally well, so news wins over the archive without hiding it.
RECENCY_HALF_LIFE_DAYS = 30.0


@dataclass(frozen=True)
class SearchTerms:
    """What the reader typed (for display) and the words we search for."""

    text: str
    words: tuple[str, ...]

    def __bool__(self):
        return bool(self.words)


def parse_query(raw: str | None) -> SearchTerms:
    """Cut, normalise and tokenise raw input; punctuation and operators are dropped."""
    text = " ".join((raw or "").split())[:MAX_QUERY_LENGTH]
    words = tuple(dict.fromkeys(search_words(text)))[:MAX_WORDS]
    return SearchTerms(text=text, words=words)


class AgeInDays(Func):
    """Days since a datetime column, as a float (negative for future dates)."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        template = "EXTRACT(EPOCH FROM (CURRENT_TIMESTAMP - %(expressions)s)) / 86400.0"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = "(julianday('now') - julianday(%(expressions)s))"
        return self.as_sql(compiler, connection, template=template, **extra)


def _recency_blend(relevance):
    """relevance / (1 + age / half-life): equal relevance, fresher story first."""
    age = Greatest(AgeInDays("published_at"), Value(0.0))
    return relevance / (Value(1.0) + age / Value(RECENCY_HALF_LIFE_DAYS))


def _stored_vector(column="search_vector"):
    # The tsvector columns are not model fields (see documents.py), so they
    # are named here; listing pages never load them.
    return RawSQL(
        f'"articles_article"."{column}"', [], output_field=SearchVectorField()
    )


def _tsquery(terms):
    # Words are letters and digits only, so plainto_tsquery sees no operators;
    # the configuration is named so PostgreSQL never falls back to English.
    return SearchQuery(" ".join(terms.words), search_type="plain", config=SEARCH_CONFIG)


def _fts_match(terms):
    # Every word quoted, so FTS5 syntax in the input is inert; a trailing *
    # makes longer stems match too (مكافح finds مكافحه and المكافحات).
    return " ".join(
        f'"{stem}"*' if len(stem) >= 3 else f'"{stem}"'
        for stem in (light_stem(word) for word in terms.words)
    )


def _fts_ids(terms):
    return RawSQL(
        f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",
        [_fts_match(terms)],
    )


def _fts_relevance(terms):
    # bm25 is negative, lower is better; the weights mirror PostgreSQL's A/B/C.
    return RawSQL(
        f"SELECT -bm25({FTS_TABLE}, 10.0, 4.0, 1.0) FROM {FTS_TABLE}"
        f' WHERE {FTS_TABLE} MATCH %s AND rowid = "articles_article"."id"',
        [_fts_match(terms)],
        output_field=FloatField(),
    )


def _plain_match(terms):
    # Databases with no index of ours: every word somewhere in the text.
    condition = Q()
    for word in terms.words:
        condition &= (
            Q(headline__icontains=word)
            | Q(standfirst__icontains=word)
            | Q(body__icontains=word)
        )
    return condition


def search_articles(queryset: QuerySet, terms: SearchTerms) -> QuerySet:
    """Articles of `queryset` matching every word, best first (relevance blended with recency)."""
    if not terms:
        return queryset.none()
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        query = _tsquery(terms)
        matched = queryset.alias(search_document=_stored_vector()).filter(
            search_document=query
        )
        # Rank on the headline/standfirst part of the document (weights A and
        # B). ts_rank must read the vector of every match before the first
        # page can be cut; the full vector (body included, often TOASTed) costs
        # tens of microseconds a row, the short one about one, which is what
        # keeps a common word fast on a 100,000-story archive. Body-only
        # matches rank 0 and so come after, newest first.
        relevance = SearchRank(_stored_vector("search_title_vector"), query)
    elif vendor == "sqlite":
        matched = queryset.filter(pk__in=_fts_ids(terms))
        relevance = _fts_relevance(terms)
    else:
        matched = queryset.filter(_plain_match(terms))
        relevance = Value(1.0)
    return matched.annotate(search_rank=_recency_blend(relevance)).order_by(
        F("search_rank").desc(), "-published_at", "-pk"
    )


def matching(queryset: QuerySet, terms: SearchTerms) -> QuerySet:
    """Articles of `queryset` matching every word, unordered; safe to OR with other filters."""
    if not terms:
        return queryset.none()
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        ids = (
            queryset.model._default_manager.alias(search_document=_stored_vector())
            .filter(search_document=_tsquery(terms))
            .values("pk")
        )
        return queryset.filter(pk__in=ids)
    if vendor == "sqlite":
        return queryset.filter(pk__in=_fts_ids(terms))
    return queryset.filter(_plain_match(terms))
