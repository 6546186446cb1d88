"""Marking the searched words in a result's headline and snippet.

Why not PostgreSQL's `SearchHeadline` (ts_headline): it can only highlight
the text it is given. Given the editor's text it misses the very matches this
search exists for, because the Snowball Arabic stemmer does not fold ة:
`to_tsvector('arabic', 'الأسلحة')` is 'اسلح' while the query "الاسلحه"
becomes 'اسلحه', so nothing is marked. Given the normalised text it marks
the right words but shows readers misspelt Arabic (الاسلحه النوويه). So the
marking is done here, on the original text, by comparing each word's
normalised light stem with the query's. It is the same on both databases,
costs a few milliseconds for a page of results, and is XSS-safe by construction:
every piece of text is escaped and only our own <mark> tags are added.
"""

import re
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.text import ARABIC_MARKS, normalize_arabic

from .documents import light_stem

# A word as written: letters and digits with any diacritics or tatweel inside.
_WRITTEN_WORD = re.compile(rf"[^\W_][\w{ARABIC_MARKS}]*")
SNIPPET_WORDS = 32


def _stems(words) -> frozenset[str]:
    return frozenset(light_stem(word) for word in words)


@lru_cache(maxsize=50_000)
def _stem_of(written: str) -> str:
    # A page of snippets looks at thousands of words, mostly the same few
    # hundred; a bounded memo of this pure function makes that a lookup.
    return light_stem(normalize_arabic(written))


def _is_match(written: str, stems: frozenset[str]) -> bool:
    return _stem_of(written) in stems


def has_match(text: str, words) -> bool:
    """True if any word of `text` matches one of `words`."""
    stems = _stems(words)
    return any(_is_match(w, stems) for w in _WRITTEN_WORD.findall(text))


def highlight(text: str, words) -> SafeString:
    """`text` escaped, with every word that matches one of `words` in <mark>."""
    stems = _stems(words)
    pieces, last = [], 0
    for found in _WRITTEN_WORD.finditer(text):
        if _is_match(found.group(), stems):
            pieces.append(escape(text[last : found.start()]))
            pieces.append(f"<mark>{escape(found.group())}</mark>")
            last = found.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped


def snippet(text: str, words, length: int = SNIPPET_WORDS) -> SafeString:
    """The run of `length` words of `text` holding the most matches, highlighted."""
    tokens = text.split()
    if not tokens:
        return mark_safe("")
    stems = _stems(words)
    hits = [
        any(_is_match(w, stems) for w in _WRITTEN_WORD.findall(token))
        for token in tokens
    ]
    start = _best_window(hits, length)
    # Open a few words before the first match, so it reads in context.
    first_hit = next((i for i in range(start, len(hits)) if hits[i]), None)
    if first_hit is not None:
        start = max(0, first_hit - 4)
    chosen = " ".join(tokens[start : start + length])
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + length < len(tokens) else ""
    return mark_safe(f"{prefix}{highlight(chosen, words)}{suffix}")  # noqa: S308


def _best_window(hits: list[bool], length: int) -> int:
    """Start of the window of `length` items with the most hits (earliest wins)."""
    best_start, best = 0, sum(hits[:length])
    current = best
    for start in range(1, max(1, len(hits) - length + 1)):
        current += hits[start + length - 1] - hits[start - 1]
        if current > best:
            best_start, best = start, current
    return best_start
