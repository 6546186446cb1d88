"""Did you mean: a misspelt query word corrected against the indexed vocabulary.

A word is misspelt when no story uses it. Its correction is the closest word
that stories do use: fewest edits (a letter left out, added, changed or two
swapped), then the commonest. Candidates come from pg_trgm's similarity
index on PostgreSQL, and on SQLite from every spelling one edit away, looked
up in the vocabulary table; both are then judged by the same distance.
"""

import re
from dataclasses import replace

from django.db import connections

from .analysis import normalize
from .documents import TERM_TABLE, WRITTEN_WORD, search_tokens

_ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويء"
_LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_CANDIDATES = 20


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, swaps."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            cost = min(
                previous[j] + 1,
                current[j - 1] + 1,
                previous[j - 1] + (char_a != char_b),
            )
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def _one_edit_away(word: str) -> set[str]:
    letters = _ARABIC_LETTERS if re.search("[\u0600-\u06ff]", word) else _LATIN_LETTERS
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return (
        {a + b[1:] for a, b in splits if b}
        | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        | {a + c + b[1:] for a, b in splits if b for c in letters}
        | {a + c + b for a, b in splits for c in letters}
    ) - {word}


def _candidates_postgresql(cursor, word):
    cursor.execute(
        f"SELECT term, spelling, documents FROM {TERM_TABLE} WHERE term %% %s"
        " ORDER BY similarity(term, %s) DESC LIMIT %s",
        [word, word, _CANDIDATES],
    )
    return cursor.fetchall()


def _candidates_sqlite(cursor, word):
    edits = sorted(_one_edit_away(word))
    cursor.execute(
        f"SELECT term, spelling, documents FROM {TERM_TABLE}"
        f" WHERE term IN ({', '.join(['%s'] * len(edits))})",
        edits,
    )
    return cursor.fetchall()


_CANDIDATE_FINDERS = {
    "postgresql": _candidates_postgresql,
    "sqlite": _candidates_sqlite,
}


def _known(cursor, words) -> set[str]:
    cursor.execute(
        f"SELECT term FROM {TERM_TABLE} WHERE term IN ({', '.join(['%s'] * len(words))})",
        list(words),
    )
    return {term for (term,) in cursor.fetchall()}


def _allowed_edits(word: str) -> int:
    # One slip in a short word, two in a long one; more is another word.
    return 1 if len(word) < 6 else 2


def _best(word, candidates):
    scored = [
        (edit_distance(word, term), -documents, spelling)
        for term, spelling, documents in candidates
    ]
    scored = [entry for entry in scored if entry[0] <= _allowed_edits(word)]
    return min(scored)[2] if scored else None


def corrected(terms, using="default"):
    """`terms` with each unknown word replaced by its closest known one, or None.

    The corrected terms' text is what the reader typed with those words
    respelt, ready to show as "did you mean" and to link to.
    """
    words = [token.surface for token in terms.words]
    if not words:
        return None
    connection = connections[using]
    find = _CANDIDATE_FINDERS[connection.vendor]
    with connection.cursor() as cursor:
        unknown = set(words) - _known(cursor, words)
        fixes = {}
        for word in unknown:
            if len(word) >= 3 and (spelling := _best(word, find(cursor, word))):
                fixes[word] = spelling
    if not fixes:
        return None
    text = WRITTEN_WORD.sub(
        lambda found: fixes.get(normalize(found.group()), found.group()), terms.text
    )
    words = tuple(
        (search_tokens(fixes[token.surface]) or [token])[0]
        if token.surface in fixes
        else token
        for token in terms.words
    )
    return replace(terms, text=text, words=words)
