"""Searching the stored documents: parse what the reader typed, match, rank.

Callers pass a queryset that already applies the visibility gate
(`Article.objects.published()` for readers), so search never decides on its
own what may be shown.

Results come in tiers, each a queryset, read in order (`TieredResults`):
stories with every word in the headline or standfirst, ranked; then those
with every word only in the body, newest first; and, when those two make less
than a page, the same two for stories with all the words but one (a five-word
query with one rare word still finds something). With `newest`, headline and
body matches make one tier, newest first.
"""

import re
from dataclasses import dataclass
from functools import cached_property

from django.db import connections
from django.db.models import BooleanField, F, FloatField, QuerySet
from django.db.models.expressions import RawSQL

from .analysis import Token
from .documents import FTS_TABLE, SURFACE_MARK, search_tokens
from .spelling import corrected

# Longer input is cut, not rejected: nobody types 200 characters on purpose,
# and the cut keeps query parsing and matching cheap.
MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
RESULTS_PER_PAGE = 20
# "…", «…» and “…” mark a phrase; a quote left open is ignored.
_QUOTED = re.compile(r'"([^"]*)"|«([^»]*)»|“([^”]*)”')


@dataclass(frozen=True)
class SearchTerms:
    """What the reader typed (for display), the loose words and the quoted phrases."""

    text: str
    words: tuple[Token, ...] = ()
    phrases: tuple[tuple[Token, ...], ...] = ()

    def __bool__(self):
        return bool(self.words or self.phrases)

    @property
    def clauses(self) -> list[tuple[Token, ...]]:
        """Each loose word alone and each phrase: what a match needs, all of them."""
        return [(word,) for word in self.words] + list(self.phrases)

    @property
    def stems(self) -> frozenset[str]:
        return frozenset(token.stem for clause in self.clauses for token in clause)


def parse_query(raw: str | None) -> SearchTerms:
    """Cut, analyse and split raw input into words and phrases; operators are inert."""
    text = " ".join((raw or "").split())[:MAX_QUERY_LENGTH]
    loose, phrases, position = [], [], 0
    for match in _QUOTED.finditer(text):
        loose += search_tokens(text[position : match.start()])
        quoted = "".join(group or "" for group in match.groups())
        phrase = tuple(search_tokens(quoted))
        if len(phrase) > 1:
            phrases.append(phrase)
        else:
            loose += phrase
        position = match.end()
    loose += search_tokens(text[position:])
    # One clause per stem: "الوزير وزير" asks for one word, not two.
    words = tuple({token.stem: token for token in loose}.values())[:MAX_WORDS]
    budget, kept = MAX_WORDS - len(words), []
    for phrase in phrases:
        if len(phrase) <= budget:
            kept.append(phrase)
            budget -= len(phrase)
    return SearchTerms(text=text, words=words, phrases=tuple(kept))


# Matching and ranking, per database --------------------------------------


def _most(clauses, join, either):
    """Every clause but one, in any of the ways: (b and c) or (a and c) or (a and b)."""
    if len(clauses) < 2:
        return None
    return either.join(
        "(" + join.join(clauses[:i] + clauses[i + 1 :]) + ")"
        for i in range(len(clauses))
    )


class PostgreSQLSearch:
    """tsquery literals over the stored vectors (lexemes are letters and digits only)."""

    def __init__(self, terms):
        self.clauses = [
            " <-> ".join(f"'{token.stem}'" for token in clause)
            for clause in terms.clauses
        ]
        self.all = " & ".join(self.clauses)
        self.most = _most(self.clauses, " & ", " | ")
        # Ranking counts stems and surface forms: the reader's spelling first.
        self.rank_query = " | ".join(
            f"'{lexeme}'"
            for clause in terms.clauses
            for token in clause
            for lexeme in (token.stem, SURFACE_MARK + token.surface)
        )

    @staticmethod
    def _matches(column, query):
        return RawSQL(
            f'"articles_article"."{column}" @@ %s::tsquery',
            [query],
            output_field=BooleanField(),
        )

    def title_match(self, query):
        # The title vector is part of the document vector, so a title match
        # is a document match: testing only the short vector spares reading
        # (and decompressing) every matching story's whole-text vector.
        return self._matches("search_title_vector", query)

    def document_match(self, query):
        return self._matches("search_vector", query)

    def title_rank(self):
        return RawSQL(
            'ts_rank("articles_article"."search_title_vector", %s::tsquery)',
            [self.rank_query],
            output_field=FloatField(),
        )


class SQLiteSearch:
    """FTS5 queries over the stored stems (every word quoted, so input syntax is inert)."""

    STEMS, TITLE = "{headline meta body}", "{headline meta}"

    def __init__(self, terms):
        self.clauses = [
            '"' + " ".join(token.stem for token in clause) + '"'
            for clause in terms.clauses
        ]
        self.all = "(" + " AND ".join(self.clauses) + ")"
        most = _most(self.clauses, " AND ", " OR ")
        self.most = f"({most})" if most else None
        surfaces = " OR ".join(
            f'"{token.surface}"' for clause in terms.clauses for token in clause
        )
        # Every stem or surface form: it matches each row ranked, and bm25
        # then scores them all (surfaces in `words`, the reader's spelling).
        self.rank_query = (
            f"{self.STEMS} : ({' OR '.join(self.clauses)}) OR {{words}} : ({surfaces})"
        )

    @staticmethod
    def _matches(query):
        return RawSQL(
            f'"articles_article"."id" IN (SELECT rowid FROM {FTS_TABLE}'
            f" WHERE {FTS_TABLE} MATCH %s)",
            [query],
            output_field=BooleanField(),
        )

    def title_match(self, query):
        return self._matches(f"{self.TITLE} : {query}")

    def document_match(self, query):
        return self._matches(f"{self.STEMS} : {query}")

    def title_rank(self):
        # bm25 is negative, lower is better; the weights mirror PostgreSQL's A/B/C.
        return RawSQL(
            f"SELECT -bm25({FTS_TABLE}, 10.0, 4.0, 1.0, 2.0) FROM {FTS_TABLE}"
            f' WHERE {FTS_TABLE} MATCH %s AND rowid = "articles_article"."id"',
            [self.rank_query],
            output_field=FloatField(),
        )


BACKENDS = {"postgresql": PostgreSQLSearch, "sqlite": SQLiteSearch}


def backend(queryset, terms):
    return BACKENDS[connections[queryset.db].vendor](terms)


# Results --------------------------------------------------------------------


class TieredResults:
    """Querysets read one after the other, sliceable like a queryset (for Paginator).

    Each tier is counted up to COUNT_CAP only: counting every match of a
    common word means reading a tenth of the archive. `fallback` tiers are
    read only when the tiers before them hold less than a page, and never
    repeat a story those hold.
    """

    # Enough for any reader (ten pages, then "more than 200"), and it bounds
    # the work: a phrase is checked story by story until the cap is found.
    COUNT_CAP = 200

    def __init__(self, tiers, fallback=()):
        self._primary, self._fallback = list(tiers), list(fallback)

    def _count_upto(self, queryset, limit):
        # Unordered and limited, so the database stops reading at `limit` rows.
        return queryset.order_by().values("pk")[:limit].count() if limit > 0 else 0

    def _counted(self, tiers, total=0):
        counted = []
        for tier in tiers:
            counted.append((tier, self._count_upto(tier, self.COUNT_CAP - total)))
            total += counted[-1][1]
        return counted

    @cached_property
    def _primary_counted(self):
        return self._counted(self._primary)

    @property
    def full_matches(self):
        """Stories with every word (the fallback tiers left out)."""
        return sum(count for _, count in self._primary_counted)

    @cached_property
    def tiers(self):
        """[(queryset, its count)] of the tiers that are read, in order."""
        counted, total = self._primary_counted, self.full_matches
        if total >= RESULTS_PER_PAGE or not self._fallback:
            return counted
        # Less than a page, so few ids: leaving them out of the fallback by
        # id spares re-testing every candidate's whole-text vector.
        shown = [
            pk
            for tier, count in counted
            if count
            for pk in tier.values_list("pk", flat=True)
        ]
        fallback = [tier.exclude(pk__in=shown) for tier in self._fallback]
        return counted + self._counted(fallback, total)

    def count(self):
        """Matches, exact up to COUNT_CAP (more than that is shown as "200+")."""
        return sum(count for _, count in self.tiers)

    def is_capped(self):
        return self.count() >= self.COUNT_CAP

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, wanted = index.start or 0, index.stop - (index.start or 0)
        items = []
        for tier, count in self.tiers:
            # `start` is the offset into this tier; later tiers start at 0.
            if len(items) < wanted and start < count:
                items += tier[start : min(count, start + wanted - len(items))]
            start = max(0, start - count)
        return items


def _tiers(queryset, search, query, newest):
    """Stories matching `query`: in the headline or standfirst first, ranked."""
    latest = ("-published_at", "-pk")
    if newest:
        return [queryset.filter(search.document_match(query)).order_by(*latest)]
    title_match = search.title_match(query)
    return [
        queryset.filter(title_match)
        .annotate(search_rank=search.title_rank())
        .order_by(F("search_rank").desc(), *latest),
        queryset.filter(search.document_match(query))
        .exclude(title_match)
        .order_by(*latest),
    ]


def search_articles(queryset: QuerySet, terms: SearchTerms, *, newest=False):
    """Articles of `queryset` matching `terms`, best (or with `newest`, latest) first.

    Ranking reads only the short title vector: ranking every body match of
    a common word would mean reading a tenth of the archive.
    """
    if not terms:
        return TieredResults([queryset.none()])
    search = backend(queryset, terms)
    partial = _tiers(queryset, search, search.most, newest) if search.most else []
    return TieredResults(_tiers(queryset, search, search.all, newest), partial)


def matching(queryset: QuerySet, terms: SearchTerms) -> QuerySet:
    """Articles of `queryset` matching every word, unordered; safe to OR with other filters."""
    if not terms:
        return queryset.none()
    search = backend(queryset, terms)
    return queryset.filter(search.document_match(search.all))


@dataclass(frozen=True)
class Found:
    """What the search page shows: results, the terms they answer, any suggestion."""

    results: TieredResults
    terms: SearchTerms
    suggestion: SearchTerms | None = None

    @property
    def respelt(self) -> bool:
        """True when the results answer the suggestion, not what was typed."""
        return self.suggestion is not None and self.terms is self.suggestion


def find(queryset: QuerySet, terms: SearchTerms, *, newest=False) -> Found:
    """`search_articles`, and when less than a page has every word, a respelt query.

    When nothing has every word as typed, the respelt query's results are
    shown instead; otherwise it is only suggested.
    """
    results = search_articles(queryset, terms, newest=newest)
    if not terms or results.full_matches >= RESULTS_PER_PAGE:
        return Found(results, terms)
    suggestion = corrected(terms, queryset.db)
    if suggestion is None:
        return Found(results, terms)
    respelt = search_articles(queryset, suggestion, newest=newest)
    # The vocabulary counts every story, drafts included: a spelling that
    # finds nothing readers can see is never offered.
    if not respelt.full_matches:
        return Found(results, terms)
    if results.full_matches:
        return Found(results, terms, suggestion)
    return Found(respelt, suggestion, suggestion)
