"""The Arabic analyser of search: one reduction for documents and queries alike.

Pure Python, so PostgreSQL and SQLite index the same terms and a query meets
a document only through what this module does to both:

- `normalize()` folds spelling variants (letter shapes, marks, digits, case);
- `tokens()` splits normalised text into words and gives each a `stem()`;
- `stem()` is a light stemmer in the spirit of Lucene's ArabicLightStemmer
  (Larkey et al., "light10"): it strips clitics and common suffixes, and maps
  broken plurals to their singular through `plurals.tsv`.

The stemmer prefers a missed match to a wrong one: a clitic letter that may
belong to the word is stripped only when enough word is left, and never from
a word listed as known (`_KEEP`, `_CLITIC_INITIAL` and the lexicon). Whatever
it does to a word X it also does to وX, الX and بالX, so those always meet.
"""

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from .stopwords import ARABIC_STOP_WORDS

# Normalisation ----------------------------------------------------------------

# Tashkeel, Quranic marks and tatweel change how a word looks, not which word
# it is; joiners, bidi controls and soft hyphens are invisible inside words.
# The standalone hamza ء is a letter and stays: it tells ماء (water) from the
# particle ما and مساء from مسا, and both sides are folded the same way anyway.
_INVISIBLE = re.compile(
    "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"
    "\u00ad\u061c\u200c-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)
# One-for-one folds, applied with str.replace behind an `in` test: measured on
# a 450-word article it is ~15x faster than str.translate, which looks every
# character up in a dict (it matters when indexing an archive).
_FOLDS = tuple(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ئ": "ي",
        "ى": "ي",
        "ة": "ه",
        # Persian and Urdu letters people type on their keyboards.
        "ی": "ي",
        "ې": "ي",
        "ے": "ي",
        "ۓ": "ي",
        "ک": "ك",
        "ڪ": "ك",
        "ۀ": "ه",
        "ە": "ه",
        "ھ": "ه",
        "ہ": "ه",
        "ۂ": "ه",
        "ۃ": "ه",
        "\u200b": " ",  # a zero-width *space* still separates words
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
    }.items()
)


def normalize(text: str) -> str:
    """Fold the spelling variants of `text` so that equal words compare equal."""
    # NFKC turns presentation forms (ﻻ, ﺍ) and full-width Latin into letters.
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    for variant, base in _FOLDS:
        if variant in text:
            text = text.replace(variant, base)
    return text.casefold()


# Stop words -------------------------------------------------------------------

STOP_WORDS: frozenset[str] = frozenset(normalize(word) for word in ARABIC_STOP_WORDS)


def is_stop_word(surface: str) -> bool:
    """True for a normalised word that search should neither index nor look for."""
    return surface in STOP_WORDS


# Lexicon ----------------------------------------------------------------------


def _load_plurals(path: Path) -> dict[str, str]:
    plurals = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or not line.strip():
                continue
            plural, singular = (_without_article(w) for w in line.split())
            plurals[plural] = singular
    return plurals


def _without_article(word: str) -> str:
    # Tested before normalising: آلات (machines) is not ال + ات.
    return normalize(word[2:] if word.startswith("ال") else word)


_PLURALS = _load_plurals(Path(__file__).with_name("plurals.tsv"))

# Names whose endings look like suffixes (ان, ين): without this لبنان would
# become لبن (milk) and فلسطين فلسط, while لبناني and فلسطينيين reduce to the
# full name. Also names that begin with a real ال (المانيا, not al-Mania).
_KEEP = frozenset(
    """
    لبنان ايران سودان يابان يونان باكستان افغانستان كردستان اذربيجان شيشان
    فاتيكان تايوان فلسطين بحرين فلبين ارجنتين بوتين جنين برلين الله المانيا المان
    """.split()
)

# Common news words whose first letter (و ف ب ك ل) is part of the word but
# would pass for a clitic. Only prefix stripping consults this list.
_CLITIC_INITIAL = """
    وزاره وزارات وكاله ولايه ولايات وحده وحدات وطن وطني وثيقه وسيله وضع وقت وفد ورقه وجود وصول وفاه
    واقع وادي والد وجه وعد وقف وزن وسط ولد وليد واشنطن واضح وحيد واسع
    وقوع واجب وساطه وقود وفاق وفاء ورشه ولاده ولاء وصايه واجهه وقايه وافد
    وطاه وجبه وداع وشيك وراثي ورود وجدان واحه وقوف وضوح وارد
    فريق فتره فكره فرنسا فنزويلا فيروس فيسبوك فيديو فيلم فندق فصل فوز فقدان
    فيضان فاتوره
    بريطانيا بغداد بيروت بلجيكا بكين بنك بيت بيان برلمان برنامج بحث بحر
    بلد بطوله بطاقه بدايه بيئه بورصه بلديه بترول
    كندا كوريا كينيا كويت كتاب كلمه كاس كرسي كهرباء كهربائي كميه كليه
    ليبيا لندن لجنه لقاء لاعب لاجئ لحظه لغه لائحه لواء ليل لون لاحق لجوء لقاح
    لياقه لاذقيه لادن لسان لافته لزوم ليزر ليتر لعبه لوحه لقب لازم لباس لطيف
"""

# Stemming ---------------------------------------------------------------------

_MIN_STEM = 3  # no rule leaves fewer letters; shorter words stay whole
# Clitic groups with the article, longest first. ب+ال is written بال, and
# ل+ال is written لل.
_GROUPS = (
    "وبال", "وكال", "فبال", "فكال", "ولل", "فلل",
    "وال", "فال", "بال", "كال", "لل", "ال",
)  # fmt: skip
# Single-letter clitics and how long the remaining stem must be: و is the most
# common clitic and a rarer first letter; ف ب ك ل begin many words (فكره,
# بيان, كتاب, كبير), so they need a longer remainder. Before a feminine noun
# (لمده, بنسبه, لسنوات) ب and ل settle for three letters.
_LETTERS = {"و": 3, "ف": 4, "ب": 4, "ك": 4, "ل": 4}
# Possessive pronouns and the stem each must leave. هم كم كن نا also end
# plain words (تفاهم, تراكم, ساكن, مكانا), so they need a longer stem.
_PRONOUNS = {"هما": 3, "كما": 3, "ها": 3, "هم": 4, "هن": 4, "كم": 4, "كن": 4, "نا": 4}
# Lucene's light10 suffixes, stripped each at most once in this order (ة is
# ه after normalisation, so يه covers ية). Unlike Lucene, ات comes before ان
# so that اعلانات goes the way of اعلان.
_ENDINGS = ("ات", "ان", "ون", "ين", "يه", "ه", "ي")


# امرأة drops its alef after the article (المرأة): one word, two spellings.
_SPELLINGS = {"امراه": "مراه"}


def _strip_suffixes(word: str) -> str:
    """The word without suffixes, its broken plural mapped to the singular."""
    if word in _KEEP:
        return word
    word = _PLURALS.get(word, word)
    word = _SPELLINGS.get(word, word)
    for pronoun, minimum in _PRONOUNS.items():
        if word.endswith(pronoun) and len(word) - len(pronoun) >= minimum:
            word = word[: -len(pronoun)]
            if word in _PLURALS:
                word = _PLURALS[word]
            elif word.endswith("ت") and not word.endswith("ات") and len(word) > 3:
                # ة is written ت before a suffix: حكومتها is حكومه + ها.
                word = _PLURALS.get(word[:-1] + "ه", word[:-1] + "ه")
            break
    # Until none is left, so that an adjective meets its noun: برلمانيه loses
    # يه, then ان like برلمان itself; مستشفيات loses ات, then ي like مستشفي.
    while word not in _KEEP:
        ending = next((e for e in _ENDINGS if word.endswith(e)), None)
        if ending is None or len(word) - len(ending) < _MIN_STEM:
            break
        word = word[: -len(ending)]
        # حكومتان, حكومتين (duals) and حكومته (his government): the ت is ة.
        if word.endswith("ت") and (
            (ending in ("ان", "ين") and len(word) > _MIN_STEM)
            or (ending == "ه" and len(word) > 4)
        ):
            word = word[:-1]
    return word


def _protected(words) -> frozenset[str]:
    """Words whose first letter is no clitic, and their stems where telling.

    A short stem cut from a longer word is left out: وال (from والي) would
    also protect و + ال.
    """
    protected = set(words)
    for word in words:
        stripped = _strip_suffixes(word)
        if len(stripped) > 3 or stripped == word:
            protected.add(stripped)
    return frozenset(protected)


# The lexicon's singulars count as known: its filter already dropped those
# more often read as a clitic + a word (بطريق: ب + طريق, not the penguin).
_PROTECTED = _protected(
    [
        *_KEEP,
        *normalize(_CLITIC_INITIAL).split(),
        *(w for w in _PLURALS.values() if w[:1] in "وفبكل"),
    ]
)


def _stem_length(word: str) -> int:
    """How long the stem of `word` is, ها counted off even from a short word.

    بعدها must not pass for ب + عدها because عد is too short to keep its ها.
    """
    for pronoun in ("هما", "ها"):
        if word.endswith(pronoun) and len(word) - len(pronoun) >= 2:
            return len(word) - len(pronoun)
    return len(_strip_suffixes(word))


def _is_known(word: str) -> bool:
    """True if the first letters of `word` belong to it (a listed word)."""
    if word in _KEEP or word in _PLURALS:
        return True
    if word[1:] in _KEEP:  # لجنين is ل + جنين, not the لجن of لجنه
        return False
    if word in _PROTECTED:
        return True
    stripped = _strip_suffixes(word)
    if stripped.endswith(("ان", "ين")):  # برلماني loses ي, and only then ان
        stripped = _strip_suffixes(stripped)
    return stripped in _PROTECTED


def _strip_prefixes(word: str) -> str:
    # One clitic at a time until none is left, so that stem(وX) == stem(X)
    # whatever X begins with (التزام itself loses ال, so الالتزام loses two).
    while not _is_known(word):
        group = next(
            (g for g in _GROUPS if word.startswith(g) and len(word) - len(g) >= 2),
            None,
        )
        if group:
            rest = word[len(group) :]
            # للبنان is ل + لبنان and بالمانيا ب + المانيا: the last letters
            # of the group may belong to the word.
            tail = "ال" if group.endswith("ال") else "ل"
            word = tail + rest if _is_known(tail + rest) else rest
        elif word[:1] in _LETTERS and _is_clitic(word[0], word[1:]):
            word = word[1:]
        else:
            break
    return word


def _is_clitic(letter: str, rest: str) -> bool:
    """True if `letter` is a clitic on `rest`: enough stem left, or a known word."""
    minimum = _LETTERS[letter]
    if letter in "بل" and rest.endswith(("ه", "ات")):
        minimum = 3
    return _stem_length(rest) >= minimum or (len(rest) > 2 and _is_known(rest))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The light stem of a normalised word: clitics, suffixes and plural folded."""
    return _strip_suffixes(_strip_prefixes(word))


# Tokens -----------------------------------------------------------------------

# Letters and digits; punctuation, emoji and underscores separate words.
_WORD = re.compile(r"[^\W_]+")


class Token(NamedTuple):
    # A tuple, not a dataclass: indexing an archive makes tens of millions.
    surface: str  # the normalised word as written, clitics included
    stem: str
    position: int  # index among all words of the text, stop words included


def tokens(text: str) -> list[Token]:
    """Every word of `text`, normalised and stemmed, in order."""
    return [
        Token(surface, stem(surface), position)
        for position, surface in enumerate(_WORD.findall(normalize(text)))
    ]
