"""Arabic normalisation: the spelling variants the issue lists fold together,
and the function is safe on any input (property tests)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from articles.text import arabic_slugify, normalize_arabic

# Mostly Arabic, with marks, digits, spaces and anything else Unicode has.
arabic_heavy = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
        st.sampled_from(" \t\n\u00a0\u2003ـ"),
        st.characters(),
    )
)


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("الأسلحة النووية", "الاسلحه النوويه"),
        ("إسلام آمال ٱلحمد", "اسلام امال الحمد"),
        ("مصطفى على", "مصطفي علي"),
        ("مؤتمر رئيس", "موتمر رييس"),
        ("مُكَافَحَةُ الفَسَادِ", "مكافحه الفساد"),
        ("كتابًا مدرّسٌ عِلْمٍ", "كتابا مدرس علم"),
        ("مـــكافحة", "مكافحه"),
        ("عام ٢٠٢٤ و۱۹۹۰", "عام 2024 و1990"),
        ("  بين \t\n الكلمات  ", "بين الكلمات"),
        ("Nuclear weapons", "Nuclear weapons"),
        ("", ""),
    ],
)
def test_spelling_variants_fold_to_one_form(written, normalised):
    assert normalize_arabic(written) == normalised


def test_both_spellings_of_a_word_compare_equal():
    assert normalize_arabic("مكافحة") == normalize_arabic("مكافحه")
    assert normalize_arabic("مُكافَحة") == normalize_arabic("مكافحة")


@given(arabic_heavy)
def test_normalising_twice_changes_nothing(text):
    once = normalize_arabic(text)
    assert normalize_arabic(once) == once


@given(arabic_heavy)
def test_normalising_never_grows_the_text(text):
    assert len(normalize_arabic(text)) <= len(text)


@given(st.text())
def test_normalising_any_unicode_never_raises(text):
    assert isinstance(normalize_arabic(text), str)


@given(arabic_heavy)
def test_normalised_text_has_no_marks_or_tatweel(text):
    result = normalize_arabic(text)
    assert not any(ch in result for ch in "\u064b\u064e\u0650\u0651\u0652\u0640")
    assert not any(ch in result for ch in "أإآٱىةؤئ")


def test_slug_drops_diacritics_and_tatweel():
    assert arabic_slugify("مُكافَحـــة الفساد") == "مكافحة-الفساد"


def test_slug_falls_back_when_nothing_is_left():
    assert arabic_slugify("!!!", fallback="مقال") == "مقال"
