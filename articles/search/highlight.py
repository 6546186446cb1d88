"""Marking the searched words in a result's headline and snippet.

Done here, not by PostgreSQL's `ts_headline`: the stored document holds the
analyser's tokens, not the editor's text, and SQLite has no equivalent. Each
word of the original text is analysed like the query, and marked when its
stem is one of the query's: the reader typed وزير, the story's الوزراء is
marked as the story spells it. The same on both databases, a few
milliseconds for a page of results, and XSS-safe by construction: every
piece of text is escaped and only our own <mark> tags are added.
"""

from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .analysis import normalize, stem
from .documents import WRITTEN_WORD

SNIPPET_WORDS = 32


@lru_cache(maxsize=50_000)
def _stem_of(written: str) -> str:
    # A page of snippets looks at thousands of words, mostly the same few
    # hundred; a bounded memo of this pure function makes that a lookup.
    return stem(normalize(written))


def _is_match(written: str, stems: frozenset[str]) -> bool:
    return _stem_of(written) in stems


def has_match(text: str, stems: frozenset[str]) -> bool:
    """True if any word of `text` has one of `stems`."""
    return any(_is_match(w, stems) for w in WRITTEN_WORD.findall(text))


def highlight(text: str, stems: frozenset[str]) -> SafeString:
    """`text` escaped, with every word that has one of `stems` in <mark>."""
    pieces, last = [], 0
    for found in WRITTEN_WORD.finditer(text):
        if _is_match(found.group(), stems):
            pieces.append(escape(text[last : found.start()]))
            pieces.append(f"<mark>{escape(found.group())}</mark>")
            last = found.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped


def snippet(
    text: str, stems: frozenset[str], length: int = SNIPPET_WORDS
) -> SafeString:
    """The run of `length` words of `text` holding the most matches, highlighted."""
    tokens = text.split()
    if not tokens:
        return mark_safe("")
    hits = [
        any(_is_match(w, stems) for w in WRITTEN_WORD.findall(token))
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
    return mark_safe(f"{prefix}{highlight(chosen, stems)}{suffix}")  # noqa: S308


def _best_window(hits: list[bool], length: int) -> int:
    """Start of the window of `length` items with the most hits (earliest wins)."""
    best_start, best = 0, sum(hits[:length])
    current = best
    for start in range(1, max(1, len(hits) - length + 1)):
        current += hits[start + length - 1] - hits[start - 1]
        if current > best:
            best_start, best = start, current
    return best_start
