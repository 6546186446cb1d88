"""Build the Arabic known-item search evaluation: corpus.jsonl and queries.jsonl.

A data-building tool, not a test. Run it from the repository root with the
project's interpreter:

    # The committed set, tests/articles/search/eval/*.jsonl: the site's own
    # demo copy (articles/demo_content.py) and nothing else.
    .venv/bin/python tests/articles/search/eval/make_queries.py

    # The larger set on real published news, for a local measurement only: a
    # checkout of the ANT corpus (see SOURCES.md for the commit) plus the same
    # demo stories, written outside the repository (never committed).
    .venv/bin/python tests/articles/search/eval/make_queries.py \\
        --ant /tmp/ant --out /tmp/search-eval-ant

Each query is what a reader would type to find one story: two to four words of
its headline, with one word written in a variant of the query's class (see
CLASSES). Everything is seeded and read in sorted order, so a rerun writes the
same bytes.

The script is independent of the code it evaluates: it has its own spelling
fold, stop words, light stemming and singular/plural list, and checks
variants against the corpus vocabulary (a produced word must occur somewhere in
the corpus where the class calls for a real word, and must not occur where it
calls for a typo). It never reads articles/search/.
"""

import argparse
import functools
import html
import json
import random
import re
import string
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]
ANT_OUT = Path("/tmp/search-eval-ant")
SEED = 14
ANT_DOCS = 3800  # plus the demo stories: about 4,500 documents, about 6 MB
BODY_WORDS = 220  # bodies are cut at a paragraph boundary past this many words
# Each demo headline template is filled up to this many times with different
# values (cities, countries, teams, numbers); a template without placeholders
# gives one story.
DEMO_FILLS = 12

# Queries wanted per class; a class may come out short when the corpus has
# too few headlines it applies to (the report says how many were made). About
# 2,000 in all on the ANT set.
CLASSES = {
    "exact": 250,
    "clitic": 200,
    "sound_plural": 150,
    "broken_plural": 150,
    "feminine": 150,
    "pronoun_suffix": 120,
    "hamza": 200,
    "persian": 120,
    "digits": 120,
    "tashkeel": 120,
    "tatweel": 120,
    "typo": 150,
    "phrase": 120,
}
# The committed demo set asks up to this many of every class: about 650
# queries keep test_quality.py at a few seconds.
DEMO_QUERIES = 50

# Spelling ------------------------------------------------------------------

MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
TATWEEL = "\u0640"
_MARKS = re.compile(f"[{MARKS}{TATWEEL}]")
_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",
        "ک": "ك",
        "ة": "ه",
        "ؤ": "و",
        "ئ": "ي",
        **{chr(0x0660 + d): str(d) for d in range(10)},
        **{chr(0x06F0 + d): str(d) for d in range(10)},
    }
)
ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
LATIN = re.compile(r"[A-Za-z]")
_EDGE_PUNCT = re.compile(rf"^[^\w{MARKS}{TATWEEL}]+|[^\w{MARKS}{TATWEEL}]+$")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def fold(word: str) -> str:
    """Letters only as they are compared: no marks, one alef, one yeh, ascii digits."""
    return _MARKS.sub("", word).translate(_FOLD)


STOP = frozenset(
    fold(w)
    for w in """
    في فى من إلى الى على عن مع منذ حتى عند لدى بين بعد قبل خلال ضد نحو حول دون عبر
    تحت فوق أمام وراء ثم أو أم بل لكن غير سوى إلا أن إن كان كانت يكون تكون ليس لم لن
    لا ما ماذا لماذا كيف أين متى هل قد لقد سوف إذا لو كي كما مثل أي كل بعض جميع عدة
    عدد هذا هذه هؤلاء ذلك تلك هنا هناك الذي التي الذين هو هي هم هن هما نحن أنا أنت أنتم
    إنه أنه إنها أنها له لها لهم به بها
    فيه فيها منه منها عليه عليها إليه عنه وفي ومن وعلى وإلى وعن ومع وأن ولا وما وقد
    أيضا حيث بينما عندما كذلك ذات بـ لـ و ف ب ل ك يا أمس اليوم غدا الآن رسميا جديد جديدة
    """.split()
)
PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل")
SUFFIXES = ("هما", "ها", "هم", "ات", "ون", "ين", "ان", "ية", "ه", "ي", "ة")


def key(word: str) -> str:
    """A coarse stem for deciding whether two words could be the same word."""
    w = fold(word)
    for prefix in PREFIXES:
        if w.startswith(prefix) and len(w) - len(prefix) >= 3:
            w = w[len(prefix) :]
            break
    for suffix in SUFFIXES:
        suffix = fold(suffix)
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    return w


def words(text: str) -> list[str]:
    """Whitespace tokens with edge punctuation removed; marks stay in the word."""
    out = []
    for token in text.split():
        token = _EDGE_PUNCT.sub("", token)
        if token:
            out.append(token)
    return out


def dateline(headline: str) -> int:
    """How many words lead the headline before a colon ("صفاقس : ..."): a
    place or a speaker's name, which morphological variants leave alone."""
    head = headline.split(":", 1)
    if len(head) == 2 and 0 < len(words(head[0])) <= 4:
        return len(words(head[0]))
    return 0


def is_content(word: str) -> bool:
    """A word a reader would type: Arabic letters (two or more) or a number."""
    f = fold(word)
    if LATIN.search(word) or f in STOP:
        return False
    if f.isdigit():
        return True
    return bool(re.fullmatch(r"[\u0621-\u064a]{2,}", f))


# Corpus ----------------------------------------------------------------------

ANT_CATEGORIES = {
    "culture": "ثقافة",
    "diverse": "متفرقات",
    "economy": "اقتصاد",
    "internationalNews": "دولية",
    "localNews": "وطنية",
    "politic": "سياسة",
    "society": "مجتمع",
    "sport": "رياضة",
    "technology": "تكنولوجيا",
}


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", html.unescape(_INVISIBLE.sub("", text)))
    return " ".join(text.split())


def _tag(doc: str, name: str) -> str:
    match = re.search(rf"<{name}>(.*?)</{name}>", doc, re.S)
    return match.group(1) if match else ""


def _cut(paragraphs: list[str], limit: int) -> list[str]:
    kept, count = [], 0
    for paragraph in paragraphs:
        kept.append(paragraph)
        count += len(paragraph.split())
        if count >= limit:
            break
    return kept


def ant_documents(folder: Path) -> list[dict]:
    """Every usable ANT story: a headline of 3+ words and 20+ words of text."""
    docs = []
    for path in sorted(folder.glob("*/*.txt")):
        raw = path.read_text(encoding="utf-8")
        headline = _clean(_tag(raw, "TITLE"))
        paragraphs = [_clean(p) for p in _tag(raw, "TEXT").splitlines()]
        paragraphs = [p for p in paragraphs if p]
        standfirst = _clean(_tag(raw, "ABSTRACT"))
        if not standfirst and paragraphs:
            standfirst = paragraphs[0]
        if paragraphs and fold(paragraphs[0]) == fold(standfirst):
            paragraphs = paragraphs[1:]
        text_words = len(standfirst.split()) + sum(len(p.split()) for p in paragraphs)
        if len(words(headline)) < 3 or text_words < 20 or LATIN.search(headline):
            continue
        docs.append(
            {
                "id": "ant-" + _clean(_tag(raw, "DOCNO")),
                "headline": headline,
                "standfirst": standfirst,
                "body": "\n".join(_cut(paragraphs, BODY_WORDS)),
                "section": ANT_CATEGORIES.get(_clean(_tag(raw, "CAT")), ""),
                "source": "ant",
            }
        )
    return docs


def demo_content():
    """articles/demo_content.py: plain data, imported without Django."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from articles import demo_content

    return demo_content


def demo_fill(rng: random.Random, slug: str) -> dict:
    """Values for a template's placeholders, drawn the way seed_demo draws them."""
    demo = demo_content()
    country, country2 = rng.sample(demo.COUNTRIES, 2)
    team, team2 = rng.sample(demo.TEAMS, 2)
    return {
        "city": rng.choice(demo.WORLD_CITIES if slug == "دولي" else demo.CITIES),
        "world_city": rng.choice(demo.WORLD_CITIES),
        "country": country,
        "country2": country2,
        "world": rng.choice(demo.WORLD),
        "team": team,
        "team2": team2,
        "num": rng.choice(demo.NUMBERS),
        "pct": rng.choice(demo.PERCENTS),
        "month": rng.choice(demo.MONTHS),
        "topic": rng.choice(demo.TOPICS),
    }


def demo_documents(rng: random.Random) -> list[dict]:
    """The site's own demo copy: every headline template filled up to
    DEMO_FILLS times with different values, each story with a standfirst and
    three body paragraphs filled with the same values."""
    demo = demo_content()
    names = {slug: name for name, slug, _ in demo.SECTIONS}
    docs, seen = [], set()
    for slug in sorted(demo.HEADLINES):
        standfirsts = demo.STANDFIRSTS.get(slug, demo.STANDFIRSTS["default"])
        paragraphs = demo.PARAGRAPHS.get(slug, demo.PARAGRAPHS["default"])
        for number, template in enumerate(demo.HEADLINES[slug]):
            slots = [f for _, f, _, _ in string.Formatter().parse(template) if f]
            fills = DEMO_FILLS if slots else 1
            copy = 0
            # A template with few possible values (seven countries of WORLD)
            # gives fewer stories: repeated headlines are drawn again, a
            # bounded number of times.
            for _attempt in range(fills * 4):
                if copy == fills:
                    break
                fill = demo_fill(rng, slug)
                headline = template.format(**fill)
                if fold(headline) in seen:
                    continue
                seen.add(fold(headline))
                body = [p.format(**fill) for p in rng.sample(paragraphs, 3)]
                docs.append(
                    {
                        "id": f"demo-{slug}-{number}-{copy}",
                        "headline": headline,
                        "standfirst": rng.choice(standfirsts),
                        "body": "\n".join(body),
                        "section": names[slug],
                        "source": "demo",
                    }
                )
                copy += 1
    return docs


def build_corpus(ant_folder: Path | None) -> list[dict]:
    """The demo stories, after a seeded sample of ANT's when `ant_folder` is given."""
    rng = random.Random(SEED)
    if ant_folder is None:
        return demo_documents(rng)
    ant = ant_documents(ant_folder)
    if not ant:
        sys.exit(f"{ant_folder}: no ANT stories (*/*.txt) found")
    # A story filed twice (same headline, folded) is one story: keep neither
    # copy's twin, so a known item is always a single document.
    counts = Counter(fold(d["headline"]) for d in ant)
    ant = [d for d in ant if counts[fold(d["headline"])] == 1]
    ant = sorted(rng.sample(ant, min(ANT_DOCS, len(ant))), key=lambda d: d["id"])
    demo = demo_documents(rng)
    demo_headlines = {fold(d["headline"]) for d in demo}
    return [d for d in ant if fold(d["headline"]) not in demo_headlines] + demo


# Variants ---------------------------------------------------------------------

# Hand-made singular/plural pairs of news vocabulary (broken plurals only; the
# regular ات/ون/ين endings are the sound_plural class). Written independently
# of the site's own plural table.
BROKEN_PLURALS = """
وزير وزراء|رئيس رؤساء|دولة دول|مدينة مدن|شهر أشهر|يوم أيام|طفل أطفال|شاب شباب
مدرسة مدارس|مشروع مشاريع|سعر أسعار|فريق فرق|نادي أندية|حزب أحزاب|عامل عمال
طالب طلبة|طالب طلاب|سجن سجون|شارع شوارع|مسجد مساجد|بلد بلدان|حي أحياء|منزل منازل
بيت بيوت|طريق طرق|سوق أسواق|جيش جيوش|قائد قادة|عضو أعضاء|نائب نواب|سفير سفراء
أمير أمراء|ملك ملوك|شيخ شيوخ|حاكم حكام|قاضي قضاة|خبير خبراء|عالم علماء
شاعر شعراء|كاتب كتاب|ساكن سكان|جندي جنود|ضابط ضباط|شهيد شهداء|جريح جرحى|قتيل قتلى
أسير أسرى|مريض مرضى|طبيب أطباء|دواء أدوية|مرض أمراض|سبب أسباب|حادث حوادث
جريمة جرائم|مكتب مكاتب|مركز مراكز|مصنع مصانع|بنك بنوك|مصرف مصارف|سهم أسهم|قرض قروض
سلعة سلع|رقم أرقام|عقد عقود|شرط شروط|حق حقوق|قانون قوانين|نظام أنظمة
مجلس مجالس|محكمة محاكم|تقرير تقارير|خبر أخبار|صحيفة صحف|كتاب كتب|فيلم أفلام
مسرح مسارح|عرض عروض|جائزة جوائز|بطل أبطال|هدف أهداف|ملعب ملاعب|دور أدوار|موسم مواسم
شوط أشواط|حارس حراس|لقب ألقاب|كأس كؤوس|نجم نجوم|جمهور جماهير|أرض أراضي|بحر بحار
نهر أنهار|جبل جبال|بئر آبار|سد سدود|مطر أمطار|ريح رياح|حريق حرائق|زلزال زلازل
منطقة مناطق|قرية قرى|إقليم أقاليم|جزيرة جزر|حد حدود|معبر معابر|ميناء موانئ|سفينة سفن
قارب قوارب|صاروخ صواريخ|سلاح أسلحة|قنبلة قنابل|لغم ألغام|معركة معارك|حرب حروب
شعب شعوب|قبيلة قبائل|أسرة أسر|امرأة نساء|رجل رجال|ولد أولاد|أخ إخوة|أب آباء
صديق أصدقاء|زعيم زعماء|وكيل وكلاء|شريك شركاء|عميل عملاء|فقير فقراء|غني أغنياء
لجنة لجان|فرع فروع|قسم أقسام|مادة مواد|قوة قوى|صوت أصوات|رأي آراء|فكرة أفكار
موقف مواقف|شأن شؤون|وضع أوضاع|ظرف ظروف|نوع أنواع|شكل أشكال
جزء أجزاء|عنصر عناصر|فرد أفراد|شخص أشخاص|أسبوع أسابيع|دقيقة دقائق|قرن قرون
وقت أوقات|مرحلة مراحل|برنامج برامج|مصدر مصادر|موقع مواقع|درس دروس|أستاذ أساتذة
تلميذ تلاميذ|معهد معاهد|جهاز أجهزة|هاتف هواتف|حاسوب حواسيب|طبق أطباق|مطعم مطاعم
فندق فنادق|سائح سياح|زائر زوار|حاج حجاج|متحف متاحف|معرض معارض|شريط أشرطة
طابق طوابق|جسر جسور|مطلب مطالب|حاجز حواجز|منصب مناصب|مقعد مقاعد|بند بنود
ملعب ملاعب|دينار دنانير|مليون ملايين|ألف آلاف
وطن أوطان|إمام أئمة|نبي أنبياء|عيد أعياد|ليلة ليالي|سؤال أسئلة|جواب أجوبة
مثال أمثلة|فصل فصول|باب أبواب|عمل أعمال|مال أموال|ثمن أثمان|ربح أرباح|نفق أنفاق|خطر أخطار
بحث بحوث|فن فنون|نص نصوص|لون ألوان|شجرة أشجار|زهرة زهور|
طير طيور|كلب كلاب|خروف خرفان|بقرة أبقار|حقل حقول|بستان بساتين|
منجم مناجم|معمل معامل|مخزن مخازن|طريقة طرق|وسيلة وسائل|رسالة رسائل
وثيقة وثائق|قضية قضايا|هدية هدايا|ضحية ضحايا|خلية خلايا|زاوية زوايا
عون أعوان|والي ولاة|تاجر تجار|بحار بحارة|سجين سجناء|أجنبي أجانب|ناشط نشطاء|عميد عمداء
نقيب نقباء|زميل زملاء|طن أطنان|قطعة قطع|لص لصوص|رصيف أرصفة""".replace("\n", "|")


def _plural_table() -> dict[str, str]:
    table = {}
    for pair in BROKEN_PLURALS.split("|"):
        if not pair.strip():
            continue
        singular, plural = pair.split()
        table.setdefault(fold(singular), plural)
        table.setdefault(fold(plural), singular)
    return table


PLURALS = _plural_table()
# Nouns and adjectives that take ة for the feminine; nisba adjectives (ي/ية)
# and participles (مـ) are recognised by their shape instead.
GENDERED = frozenset(
    fold(w)
    for w in """
    وزير رئيس نائب سفير أمير ملك مدرب لاعب طالب طبيب معلم أستاذ مواطن فنان
    كاتب شاعر بطل عامل تلميذ زميل صديق خبير قاضي محامي زعيم عميد رائد
    كبير صغير جديد قديم طويل قصير سريع بطيء قوي ضعيف خطير جميل عظيم شديد
    واسع ضيق كثير قليل حديث حاسم عاجل مباشر رسمي دولي وطني عالمي مالي سابق لاحق
    ناجح فاشل قريب بعيد عادي واضح ممكن صعب سهل ثقيل خفيف حر
    """.split()
)
CLITICS = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ف", "ل")
DEFINITE = ("وال", "بال", "فال", "كال", "لل", "ال")

# The Arabic PC keyboard, row by row (the number row has no letters).
KEYBOARD = ["ضصثقفغعهخحجد", "شسيبلاتنمكط", "ئءؤرﻻىةوزظ"]
_KEY_POSITION = {
    letter: (row, col)
    for row, letters in enumerate(KEYBOARD)
    for col, letter in enumerate(letters)
}
NON_CONNECTING = set("اأإآدذرزوؤةءى")
HARAKAT = ["\u064e", "\u064f", "\u0650", "\u0652", "\u0651"]  # a u i sukun shadda


def neighbours(letter: str) -> list[str]:
    if letter not in _KEY_POSITION:
        return []
    row, col = _KEY_POSITION[letter]
    out = []
    for dr, dc in ((0, -1), (0, 1), (-1, 0), (-1, 1), (1, 0), (1, -1)):
        r, c = row + dr, col + dc
        if 0 <= r < len(KEYBOARD) and 0 <= c < len(KEYBOARD[r]):
            candidate = KEYBOARD[r][c]
            if candidate != "ﻻ":
                out.append(candidate)
    return out


def split_clitic(word: str, clitics=CLITICS) -> tuple[str, str]:
    """(prefix, rest) for the longest clitic that leaves three letters or more."""
    for prefix in clitics:
        if word.startswith(prefix) and len(fold(word)) - len(prefix) >= 3:
            return prefix, word[len(prefix) :]
    return "", word


class Variants:
    """The variant generators; each returns a new spelling of `word` or None."""

    def __init__(self, vocabulary: Counter, rng: random.Random):
        self.vocabulary = vocabulary
        self.rng = rng

    def known(self, word: str) -> bool:
        return self.vocabulary[fold(word)] > 0

    def _pick(self, options):
        options = [o for o in options if o]
        return self.rng.choice(options) if options else None

    def clitic(self, word):
        if not re.fullmatch(r"[\u0621-\u064a]+", word):
            return None
        prefix, rest = split_clitic(word)
        if prefix in ("وال", "بال", "فال", "كال"):
            return self._pick(["ال" + rest, rest if self.known(rest) else None])
        if prefix == "لل" and not rest.startswith("ل"):
            return self._pick(["ال" + rest, "وال" + rest])
        if prefix == "ال" and len(rest) >= 3:
            options = [rest, "و" + word, "ب" + word]
            if not rest.startswith("ل"):
                options.append("لل" + rest)
            return self._pick(options)
        if prefix in ("و", "ب", "ل", "ف") and len(rest) >= 4 and self.known(rest):
            return rest
        if prefix in ("و", "ب", "ل", "ف"):
            return None  # the letter belongs to the word: وزير، بلدية، فريق
        if len(word) >= 3:
            if self.known("ال" + word):
                return "ال" + word
            return self.rng.choice(["و", "ب", "ل"]) + word
        return None

    def sound_plural(self, word):
        prefix, stem = split_clitic(word, DEFINITE)
        options = []
        if stem.endswith(("ون", "ين")) and len(stem) >= 5:
            # Case endings of one plural, or back to the singular; a word in
            # ين that is no plural (a name, a dual) has no attested singular.
            if self.known(prefix + stem[:-2]) or self.known(stem[:-2]):
                other = "ين" if stem.endswith("ون") else "ون"
                options += [stem[:-2] + other, stem[:-2]]
        elif stem.endswith("ات") and len(stem) >= 5:
            if self.known(prefix + stem[:-2] + "ة"):
                options.append(stem[:-2] + "ة")
            elif len(stem) >= 6:
                options.append(stem[:-2])
        elif stem.endswith("ة") and len(stem) >= 4:
            options += [stem[:-1] + "ات"]
        elif stem.endswith("ي") and len(stem) >= 4:
            options += [stem + "ين", stem + "ون"]  # nisba: تونسي، تونسيين
        elif len(stem) >= 4 and (stem.startswith("م") or stem[1] == "ا"):
            options += [stem + "ين", stem + "ون"]  # participles: متهم، عامل
        options = [prefix + o for o in options if self.known(prefix + o)]
        return self._pick(options)

    def broken_plural(self, word):
        prefix, stem = split_clitic(word)
        other = PLURALS.get(fold(stem))
        if other is None and prefix:
            other, prefix = PLURALS.get(fold(word)), ""
        return prefix + other if other else None

    def feminine(self, word):
        prefix, stem = split_clitic(word, DEFINITE)
        if stem.startswith(("ي", "ت", "ن")) and not prefix:
            return None  # most likely a verb: يلقي، تنهي
        if stem.endswith("ة"):
            masculine = stem[:-1]
            if (masculine.endswith("ي") or fold(masculine) in GENDERED) and self.known(
                prefix + masculine
            ):
                return prefix + masculine
            return None
        if stem.endswith(("ات", "ون", "ين", "ا", "ى")):
            return None  # plurals and words in alef take no ة
        if (
            stem.endswith("ي")
            or fold(stem) in GENDERED
            or (stem.startswith("م") and len(stem) >= 4)
        ) and self.known(prefix + stem + "ة"):
            return prefix + stem + "ة"
        return None

    def pronoun_suffix(self, word):
        prefix, stem = split_clitic(word)
        for suffix in ("هما", "ها", "هم", "كم", "نا", "ه"):
            base = stem[: -len(suffix)]
            if stem.endswith(suffix) and len(base) >= 3:
                for bare in (base, base[:-1] + "ة" if base.endswith("ت") else None):
                    if bare and self.known(bare):
                        return bare
                    if bare and self.known("ال" + bare):
                        return "ال" + bare
        if not re.fullmatch(r"[\u0621-\u064a]+", stem) or len(stem) < 3:
            return None
        if prefix not in ("", "ال"):
            return None
        # Only common nouns take a possessive: the word must occur both bare
        # and with the article (not so names: ترامب، قرطاج), and not look like
        # an adjective (تكفيرية) or a sound masculine plural.
        if not (self.known(stem) and self.known("ال" + stem)):
            return None
        if stem.endswith(("ون", "ين", "ي", "ية", "ا", "ى")) or fold(stem) in STOP:
            return None
        if stem.endswith("ة"):
            stem = stem[:-1] + "ت"
        return stem + self.rng.choice(["ها", "هم", "نا", "ه"])

    def hamza(self, word):
        options = []
        if re.search("[أإآ]", word):
            options.append(re.sub("[أإآ]", "ا", word))
        prefix, stem = split_clitic(word, DEFINITE)
        if stem.startswith("ا") and len(stem) >= 4:
            seat = "إ" if stem[1:2] in ("ن", "س", "ت", "ع", "ج", "ش", "ق") else "أ"
            options.append(prefix + seat + stem[1:])
        if word.endswith("ة"):
            options.append(word[:-1] + "ه")
        if word.endswith("ى"):
            options.append(word[:-1] + "ي")
        elif word.endswith("ي") and len(word) >= 4:
            options.append(word[:-1] + "ى")
        if "ؤو" in word:
            options.append(word.replace("ؤو", "ئو"))  # مسؤول، مسئول
        elif "ؤ" in word:
            options.append(word.replace("ؤ", "و"))
        if "ئ" in word:
            options.append(word.replace("ئ", "ي"))
        return self._pick([o for o in options if o != word])

    def persian(self, word):
        options = []
        if "ي" in word:
            options.append(word.replace("ي", "ی"))
        if "ك" in word:
            options.append(word.replace("ك", "ک"))
        if word.endswith("ى"):
            options.append(word[:-1] + "ی")
        return self._pick(options)

    def digits(self, word):
        # Whole numbers and decimals (2.4): Arabic-Indic or Persian digits,
        # and a decimal point written as the Arabic separator ٫ or kept.
        if re.fullmatch(r"[0-9]+(?:[.,][0-9]+)?", word):
            base = 0x0660 if self.rng.random() < 0.7 else 0x06F0
            point = self.rng.choice(["\u066b", "."])
            return "".join(chr(base + int(d)) if d.isdigit() else point for d in word)
        if re.fullmatch(
            r"[\u0660-\u0669\u06f0-\u06f9]+(?:[.,\u066b][\u0660-\u0669\u06f0-\u06f9]+)?",
            word,
        ):
            return fold(word).replace("\u066b", ".")
        return None

    def tashkeel(self, word):
        if _MARKS.search(word) or not re.fullmatch(r"[\u0621-\u064a]{3,}", word):
            return None
        letters = list(word)
        spots = self.rng.sample(range(len(letters)), min(len(letters), 3))
        for spot in sorted(spots, reverse=True):
            if letters[spot] in "اوي" and spot > 0:
                continue
            letters.insert(spot + 1, self.rng.choice(HARAKAT))
        varied = "".join(letters)
        return varied if varied != word else None

    def tatweel(self, word):
        spots = [
            i
            for i in range(len(word) - 1)
            if ARABIC_LETTER.match(word[i])
            and word[i] not in NON_CONNECTING
            and ARABIC_LETTER.match(word[i + 1])
            and word[i + 1] != "ء"
        ]
        if not spots:
            return None
        spot = self.rng.choice(spots)
        return (
            word[: spot + 1] + TATWEEL * self.rng.choice([1, 1, 2]) + word[spot + 1 :]
        )

    def typo(self, word):
        if not re.fullmatch(r"[\u0621-\u064a]{5,}", word):
            return None
        for _attempt in range(10):
            kind = self.rng.choices(["delete", "neighbour", "swap"], [4, 4, 2])[0]
            i = self.rng.randrange(1, len(word))
            if kind == "delete":
                varied = word[:i] + word[i + 1 :]
            elif kind == "neighbour":
                near = neighbours(word[i])
                if not near:
                    continue
                varied = word[:i] + self.rng.choice(near) + word[i + 1 :]
            else:
                if i == len(word) - 1 or word[i] == word[i + 1]:
                    continue
                varied = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
            # A typo that spells another real word is a different query.
            if fold(varied) != fold(word) and not self.known(varied):
                return varied
        return None


# Queries -----------------------------------------------------------------------


class Index:
    """Which documents' headlines and texts contain which coarse word keys."""

    def __init__(self, corpus):
        self.headline_keys = []
        self.in_headline = defaultdict(set)
        self.in_text = defaultdict(set)
        self.vocabulary = Counter()
        self.folded_headlines = []
        for n, doc in enumerate(corpus):
            head = words(doc["headline"])
            text = head + words(doc["standfirst"]) + words(doc["body"])
            self.vocabulary.update(fold(w) for w in text)
            keys = {key(w) for w in head}
            self.headline_keys.append(keys)
            for k in keys:
                self.in_headline[k].add(n)
            for k in {key(w) for w in text}:
                self.in_text[k].add(n)
            self.folded_headlines.append(" " + " ".join(fold(w) for w in head) + " ")

    def distinctive(self, n, query_words) -> bool:
        """Only document n has all these words in its headline, and few have
        them anywhere: the query names one story, not a topic."""
        keys = [key(w) for w in query_words]
        headline_hits = set.intersection(*(self.in_headline[k] for k in keys))
        text_hits = set.intersection(*(self.in_text[k] for k in keys))
        return headline_hits == {n} and len(text_hits) <= 5


def base_query(rng, index, n, head, required=None):
    """2-4 content words of headline `head` (in order), including position
    `required` when given, that single out document n; None if none do."""
    content = [i for i, w in enumerate(head) if is_content(w)]
    if required is not None and required not in content:
        content.append(required)
        content.sort()
    if len(content) < 2:
        return None
    for _attempt in range(8):
        size = min(len(content), rng.choice([2, 3, 3, 4]))
        others = [i for i in content if i != required]
        chosen = set(rng.sample(others, size - (required is not None)))
        if required is not None:
            chosen.add(required)
        positions = sorted(chosen)
        if index.distinctive(n, [head[i] for i in positions]):
            return positions
    return None


def make_queries(corpus, wanted_per_class):
    rng = random.Random(SEED)
    index = Index(corpus)
    variants = Variants(index.vocabulary, rng)
    heads = [words(doc["headline"]) for doc in corpus]
    queries = []
    for klass, wanted in wanted_per_class.items():
        made, used = 0, set()
        order = list(range(len(corpus)))
        rng.shuffle(order)
        for n in order:
            if made == wanted:
                break
            head = heads[n]
            if klass == "phrase":
                query = phrase_query(rng, index, n, head)
            elif klass == "exact":
                positions = base_query(rng, index, n, head)
                query = positions and " ".join(head[i] for i in positions)
            else:
                lead = dateline(corpus[n]["headline"])
                query = variant_query(rng, index, variants, klass, n, head, lead)
            if query and n not in used:
                used.add(n)
                made += 1
                queries.append({"query": query, "doc": corpus[n]["id"], "class": klass})
        print(f"{klass}: {made} queries (wanted {wanted})")
    return queries


MORPHOLOGICAL = {
    "clitic",
    "sound_plural",
    "broken_plural",
    "feminine",
    "pronoun_suffix",
}
# Names that end like a plural or a nisba adjective but are neither: البحرين
# is no plural of البحر (the sea), and العربي (a club) has no feminine.
# Morphological variants other than a clitic leave them alone.
OTHER_NAMES = "البحرين فلسطين الفلبين الأرجنتين جنين برلين"


@functools.cache
def names() -> frozenset[str]:
    demo = demo_content()
    listed = [
        *demo.CITIES,
        *demo.WORLD_CITIES,
        *demo.COUNTRIES,
        *demo.WORLD,
        *demo.TEAMS,
        *OTHER_NAMES.split(),
    ]
    return frozenset(fold(w) for w in listed)


def variant_query(rng, index, variants, klass, n, head, lead):
    generate = getattr(variants, klass)
    first = lead if klass in MORPHOLOGICAL else 0
    candidates = [
        i
        for i, w in enumerate(head)
        if i >= first
        and (is_content(w) or klass == "digits")
        and (klass not in MORPHOLOGICAL - {"clitic"} or fold(w) not in names())
    ]
    rng.shuffle(candidates)
    for i in candidates:
        varied = generate(head[i])
        if not varied or varied == head[i]:
            continue
        positions = base_query(rng, index, n, head, required=i)
        if positions:
            return " ".join(varied if p == i else head[p] for p in positions)
    return None


def phrase_query(rng, index, n, head):
    for _attempt in range(6):
        size = rng.choice([2, 3, 3])
        if len(head) < size:
            return None
        start = rng.randrange(len(head) - size + 1)
        phrase = head[start : start + size]
        if sum(is_content(w) for w in phrase) < 2:
            continue
        folded = " " + " ".join(fold(w) for w in phrase) + " "
        holders = [m for m, h in enumerate(index.folded_headlines) if folded in h]
        if holders == [n]:
            return '"{}"'.format(" ".join(phrase))
    return None


def write_jsonl(path: Path, rows):
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--ant",
        type=Path,
        help="checkout of antcorpus/antcorpus.data: build the ANT + demo set"
        f" (written to --out, by default {ANT_OUT}; never into the repository)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help=f"where corpus.jsonl and queries.jsonl go (default: {HERE} for the"
        f" demo set, {ANT_OUT} with --ant)",
    )
    args = parser.parse_args()
    out = (args.out or (ANT_OUT if args.ant else HERE)).resolve()
    if args.ant and out.is_relative_to(ROOT):
        parser.error(
            f"--out {out} is inside the repository; the ANT set is not committed"
        )
    out.mkdir(parents=True, exist_ok=True)
    corpus = build_corpus(args.ant)
    write_jsonl(out / "corpus.jsonl", corpus)
    sources = Counter(d["source"] for d in corpus)
    print(f"corpus: {len(corpus)} documents {dict(sources)}")
    wanted = CLASSES if args.ant else dict.fromkeys(CLASSES, DEMO_QUERIES)
    queries = make_queries(corpus, wanted)
    write_jsonl(out / "queries.jsonl", queries)
    print(f"queries: {len(queries)}, in {out}")


if __name__ == "__main__":
    main()
