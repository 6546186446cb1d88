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
RESULTS_PER_PAGE = 20
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


class TieredResults:
    """PostgreSQL results in two tiers, sliceable like a queryset (for Paginator).

    Tier 1: stories whose headline, kicker, standfirst, tags or byline match
    (the A/B part, `search_title_vector`), ordered by `SearchRank` blended with
    recency. Tier 2: the rest of the matches (body only), newest first.

    This is the order a single ORDER BY rank/recency over the whole weighted
    document would give with body weight C counted as zero, but it is fast on
    a large archive: a common word matches a tenth of it, and ranking every
    match means reading every matching row. Tier 1 is small (GIN on the short
    vector); tier 2 walks the (status, published_at) index newest first and
    stops at the page. The total is counted up to `COUNT_CAP` only.
    """

    COUNT_CAP = 1000

    def __init__(self, queryset, terms):
        query = _tsquery(terms)
        vectors = queryset.alias(
            search_document=_stored_vector(),
            search_title=_stored_vector("search_title_vector"),
        )
        relevance = SearchRank(_stored_vector("search_title_vector"), query)
        # The title vector is part of the document vector, so a title match
        # is a document match: testing only the short vector spares reading
        # (and decompressing) every matching story's whole-text vector.
        self.ranked = (
            vectors.filter(search_title=query)
            .annotate(search_rank=_recency_blend(relevance))
            .order_by(F("search_rank").desc(), "-published_at", "-pk")
        )
        self.rest = (
            vectors.filter(search_document=query)
            .exclude(search_title=query)
            .annotate(search_rank=Value(0.0))
            .order_by("-published_at", "-pk")
        )
        self._ranked_count = None
        self._count = None

    def _count_upto(self, queryset, limit):
        # Unordered and limited, so PostgreSQL stops reading at `limit` rows.
        return queryset.order_by().values("pk")[:limit].count() if limit > 0 else 0

    @property
    def ranked_count(self):
        """Tier-1 matches, counted up to COUNT_CAP.

        A capped count stops reading at the cap; counting in the ranking pass
        instead (COUNT(*) OVER ()) would carry every matching row, whole,
        through the sort, and spills to disk when a word matches thousands.
        """
        if self._ranked_count is None:
            self._ranked_count = self._count_upto(self.ranked, self.COUNT_CAP)
        return self._ranked_count

    def count(self):
        """Matches, exact up to COUNT_CAP (more than that is shown as "1000+")."""
        if self._count is None:
            rest = self._count_upto(self.rest, self.COUNT_CAP - self.ranked_count)
            self._count = min(self.COUNT_CAP, self.ranked_count + rest)
        return self._count

    def is_capped(self):
        return self.count() >= self.COUNT_CAP

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        items = []
        if start < self.ranked_count:
            items += self.ranked[start : min(stop, self.ranked_count)]
        if len(items) < stop - start:
            offset = max(0, start - self.ranked_count)
            items += self.rest[offset : offset + (stop - start - len(items))]
        return items


def search_articles(queryset: QuerySet, terms: SearchTerms):
    """Articles of `queryset` matching every word, best first (relevance blended with recency).

    A queryset, or on PostgreSQL a `TieredResults`; both count and slice.
    """
    if not terms:
        return queryset.none()
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        return TieredResults(queryset, terms)
    if vendor == "sqlite":
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
