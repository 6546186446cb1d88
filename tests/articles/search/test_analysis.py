"""The search analyser through its public functions: each class of spelling
variant folds, the words a reader means meet on one stem, different words stay
apart, and every word keeps its place in the text."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import articles.search.analysis as analysis
from articles.search.analysis import (
    STOP_WORDS,
    Token,
    is_stop_word,
    normalize,
    stem,
    tokens,
)
from articles.search.stopwords import ARABIC_STOP_WORDS


def stems(*words):
    return {stem(normalize(word)) for word in words}


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        # Presentation forms (old PDFs, copied headlines) become letters.
        ("ﻻ", "لا"),
        ("ﺍﻟﺤﻜﻮﻣﺔ", "الحكومه"),
        ("ﷲ", "الله"),
        # Tashkeel, superscript alef, Quranic marks.
        ("مُكَافَحَةُ الفَسَادِ", "مكافحه الفساد"),
        ("كتابًا مدرّسٌ", "كتابا مدرس"),
        ("هٰذا", "هذا"),
        ("ذٰلِكَ ۖ", "ذلك "),
        # Tatweel.
        ("مـــكافحة", "مكافحه"),
        # Hamza seats, and a hamza typed as a combining mark.
        ("أحمد إسلام آمال ٱلحمد", "احمد اسلام امال الحمد"),
        ("مؤتمر رئيس", "موتمر رييس"),
        ("ا\u0654حمد", "احمد"),
        # ى/ي and ة/ه.
        ("مستشفى على", "مستشفي علي"),
        ("مدينة", "مدينه"),
        # Persian and Urdu letters; گ is its own letter.
        ("فارسی کتاب", "فارسي كتاب"),
        ("ۀ ە ھ", "ه ه ه"),
        ("ې ے", "ي ي"),
        ("گ", "گ"),
        # Arabic-Indic and Persian digits.
        ("٣ ۳", "3 3"),
        ("عام ٢٠٢٤ و۱۹۹۰", "عام 2024 و1990"),
        # Latin and full-width Latin.
        ("COVID Straße", "covid strasse"),
        ("ＵＮ", "un"),
        # Joiners and direction marks vanish; a zero-width space still splits.
        ("می\u200cخواهم", "ميخواهم"),
        ("الحكو\u200dمة", "الحكومه"),
        ("\u200fقال\u200e \u061cو\u202bوزير\u202c\ufeff", "قال ووزير"),
        ("كلمة\u200bأخرى", "كلمه اخري"),
        # The standalone hamza stays.
        ("ماء مساء جزء", "ماء مساء جزء"),
        ("", ""),
    ],
)
def test_normalize_folds_each_spelling_variant(written, normalised):
    assert normalize(written) == normalised


def test_stop_words_are_the_shared_list_normalised():
    assert STOP_WORDS == {normalize(word) for word in ARABIC_STOP_WORDS}
    assert "الي" in STOP_WORDS and "إلى" not in STOP_WORDS
    assert is_stop_word(normalize("إلى"))
    assert is_stop_word("في")
    assert not is_stop_word(normalize("الحكومة"))


def test_tokens_keep_every_word_in_place_stop_words_included():
    found = tokens("قال الوزيرُ في المؤتمر، إن الحكومة ستدعم المدارس!")

    assert found == [
        Token("قال", "قال", 0),
        Token("الوزير", "وزير", 1),
        Token("في", stem("في"), 2),
        Token("الموتمر", stem("الموتمر"), 3),
        Token("ان", stem("ان"), 4),
        Token("الحكومه", "حكوم", 5),
        Token("ستدعم", stem("ستدعم"), 6),
        Token("المدارس", "مدرس", 7),
    ]


def test_tokens_split_on_anything_but_letters_and_digits():
    surfaces = [token.surface for token in tokens("الحكومة،والوزارة covid_19 🙂٢٠٢٤")]

    assert surfaces == ["الحكومه", "والوزاره", "covid", "19", "2024"]


@pytest.mark.parametrize(
    "words",
    [
        "الحكومة حكومة حكومات للحكومة وبالحكومة حكومتها حكومتين",
        "الوزارة وزارة والوزارات وزارات",
        "وزير الوزير وزيرة وزراء الوزراء ووزير",
        "مكافحة لمكافحة والمكافحة",
        "مستشفيات المستشفيات مستشفى",
        "أسلحة سلاح الأسلحة أسلحتهم",
        "دول دولة الدول لدولة",
        "طلاب طالب الطلاب",
        "معلم معلمون المعلمين معلمة معلمات",
        "كتابهم كتاب كتابها كتابنا",
        "قرارات قرار",
        "مدن مدينة",
        "مشاريع مشروع",
        "اللاجئين لاجئ",
        "امرأة المرأة نساء",
        "لبنان للبنان ولبنان لبنانيون",
        "فلسطين الفلسطينيين فلسطيني",
        "الإعلان الإعلانات",
        "لمدة مدة",
    ],
)
def test_forms_of_one_word_meet_on_one_stem(words):
    assert len(stems(*words.split())) == 1


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("كتب", "كتاب"),  # books, or he wrote: left apart
        ("كبير", "بئر"),  # ك is part of كبير
        ("بعيد", "عيد"),
        ("كامل", "أمل"),
        ("لجنة", "جنة"),
        ("وجبة", "جبهة"),
        ("ماء", "ما"),
        ("الجزائر", "جزيرة"),  # not a plural of جزيرة here
        ("سوق", "ساق"),
        ("قطاع", "قاطع"),
        ("معالم", "معلم"),
        ("تفاهم", "تفا"),
        ("أعداد", "عدد"),  # spelled like إعداد (preparation) once folded
    ],
)
def test_different_words_keep_different_stems(one, other):
    assert len(stems(one, other)) == 2


@pytest.mark.parametrize("word", ["بيت", "لبنان", "من", "حق", "يد", "قال", "وطن"])
def test_short_words_and_names_are_left_whole(word):
    assert stem(normalize(word)) == normalize(word)


@pytest.mark.parametrize(
    "word",
    ["حكومة", "وزير", "وزارة", "لجنة", "مشروع", "برلمان", "لاعب", "التزام", "بريد"],
)
def test_a_clitic_never_changes_the_stem(word):
    bare = normalize(word)
    for form in ("و" + bare, "ال" + bare, "وال" + bare, "بال" + bare):
        assert stem(form) == stem(bare), form


# Common broken plurals of news copy, with the singular a reader would type.
NEWS_PLURALS = """
وزراء وزير  أسلحة سلاح  دول دولة  طلاب طالب  مدن مدينة  مشاريع مشروع
قوات قوة  شركات شركة  أطفال طفل  أطباء طبيب  علماء عالم  رجال رجل
نساء امرأة  شعوب شعب  جيوش جيش  أسواق سوق  أحزاب حزب  قادة قائد
رؤساء رئيس  سفراء سفير  خبراء خبير  شهداء شهيد  أسرى أسير  مصادر مصدر
مناطق منطقة  مواقع موقع  مراكز مركز  مدارس مدرسة  مساجد مسجد
مستشفيات مستشفى  شوارع شارع  قرى قرية  أراض أرض  حقوق حق  قوانين قانون
مجالس مجلس  أعضاء عضو  لاعبين لاعب  ضباط ضابط  جنود جندي  دساتير دستور
مؤسسات مؤسسة  أسعار سعر  أموال مال  أحداث حدث  قضايا قضية  ملايين مليون
"""


def test_most_news_plurals_meet_their_singular():
    words = NEWS_PLURALS.split()
    pairs = list(zip(words[::2], words[1::2], strict=True))
    apart = [
        f"{plural} ({stem(normalize(plural))}) / {singular} ({stem(normalize(singular))})"
        for plural, singular in pairs
        if len(stems(plural, singular)) > 1
    ]
    assert len(apart) <= len(pairs) // 10, "apart: " + ", ".join(apart)


def test_every_pair_of_the_lexicon_meets():
    path = Path(analysis.__file__).with_name("plurals.tsv")
    lines = path.read_text(encoding="utf-8").splitlines()
    pairs = [line.split("\t") for line in lines if not line.startswith("#")]

    assert len(pairs) > 1000
    assert all(len(pair) == 2 for pair in pairs)
    assert [pair for pair in pairs if len(stems(*pair)) > 1] == []


def test_a_megabyte_of_text_is_tokenised():
    paragraph = "قال وزير الصحة، ١٢ مارس: المستشفيات جاهزة لاستقبال 4000 مريض. "
    text = paragraph * (1_000_000 // len(paragraph))

    found = tokens(text)

    assert len(found) == 10 * (1_000_000 // len(paragraph))
    assert found[-1].position == len(found) - 1


# Mostly Arabic, with marks, digits, spaces and anything else Unicode has.
arabic_heavy = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
        st.sampled_from(" \t\n\u00a0\u2003ـ\u200c"),
        st.characters(),
    )
)


@given(arabic_heavy)
def test_normalised_text_has_no_marks_tatweel_or_variant_letters(text):
    result = normalize(text)
    assert not any(ch in result for ch in "\u064b\u064e\u0650\u0651\u0652\u0640\u200c")
    assert not any(ch in result for ch in "أإآٱىةؤئیک")


@given(arabic_heavy)
def test_any_text_gives_tokens_with_stems(text):
    for token in tokens(text):
        assert token.surface and token.stem
