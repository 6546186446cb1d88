"""Arabic text helpers shared by the apps: its marks, and Unicode slugs.

Search folds spelling variants with its own analyser (articles/search/analysis.py).
"""

import re

from django.utils.text import slugify

# Tashkeel (harakat, tanween, shadda, sukun, superscript alef, Quranic marks)
# and tatweel: they change how a word looks, not which word it is.
ARABIC_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"
_TASHKEEL = re.compile(f"[{ARABIC_MARKS}]")


def arabic_slugify(text: str, fallback: str = "") -> str:
    """A Unicode slug without diacritics or tatweel; `fallback` if nothing is left."""
    slug = slugify(_TASHKEEL.sub("", text), allow_unicode=True)
    return slug or fallback
