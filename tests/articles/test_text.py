"""Arabic slugs (search normalisation is tested with the analyser, in search/)."""

from articles.text import arabic_slugify


def test_slug_drops_diacritics_and_tatweel():
    assert arabic_slugify("مُكافَحـــة الفساد") == "مكافحة-الفساد"


def test_slug_falls_back_when_nothing_is_left():
    assert arabic_slugify("!!!", fallback="مقال") == "مقال"
