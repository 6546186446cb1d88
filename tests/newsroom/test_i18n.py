"""Translations: the English interface, the Arabic admin and the committed catalogues."""

import ast
import gettext
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation

from articles.models import ArticleDailyViews

from ..factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGUES = [
    LOCALE / "ar" / "LC_MESSAGES" / "django.po",
    LOCALE / "ar" / "LC_MESSAGES" / "djangojs.po",
    LOCALE / "en" / "LC_MESSAGES" / "django.po",
]
ARABIC = re.compile(r"[\u0600-\u06ff]")


class Entry:
    def __init__(self):
        self.msgctxt = None
        self.msgid = self.msgid_plural = self.msgstr = ""
        self.msgstr_plural = {}
        self.fuzzy = False

    def translations(self):
        return list(self.msgstr_plural.values()) if self.msgid_plural else [self.msgstr]


def read_po(path):
    """A minimal .po reader (polib is not a project dependency).

    Returns (header entry, entries, obsolete line count).
    """
    entries, entry, field, obsolete = [], Entry(), None, 0
    lines = path.read_text(encoding="utf-8").splitlines() + [""]
    for line in lines:
        if line.startswith("#~"):
            obsolete += 1
        elif line.startswith("#,"):
            entry.fuzzy = entry.fuzzy or "fuzzy" in line
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(field, int):
                entry.msgstr_plural[field] += value
            else:
                setattr(entry, field, getattr(entry, field) + value)
        elif line.strip() == "":
            if field is not None:
                entries.append(entry)
            entry, field = Entry(), None
        elif not line.startswith("#"):
            keyword, value = line.split(" ", 1)
            value = ast.literal_eval(value)
            if keyword.startswith("msgstr["):
                field = int(keyword[7:-1])
                entry.msgstr_plural[field] = value
            else:
                field = keyword
                setattr(entry, field, value)
    return entries[0], entries[1:], obsolete


def html_tag(response):
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def visible_text(response):
    """The page's text without tags, scripts or attribute values."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_english_home_page_shows_english_navigation_left_to_right(client):
    article = ArticleFactory(section=SectionFactory(name="اقتصاد", slug="economy"))
    ArticleDailyViews.objects.create(
        article=article, day=timezone.localdate(), views=10
    )

    response = client.get("/en/")

    assert response.status_code == 200
    assert html_tag(response) == '<html lang="en" dir="ltr">'
    text = visible_text(response)
    for label in ("Home", "Most read", "Skip to content", "Search", "Sign in"):
        assert label in text
    for arabic in ("الأكثر قراءة", "الرئيسية", "انتقل إلى المحتوى", "دخول"):
        assert arabic not in text


def test_each_language_keeps_its_own_section_links(client):
    ArticleFactory(section=SectionFactory(name="اقتصاد", slug="economy"))

    english = client.get("/en/").content.decode()  # fills the menu's cache first
    arabic = client.get("/").content.decode()

    assert 'href="/en/economy/"' in english
    assert 'href="/economy/"' in arabic and 'href="/en/economy/"' not in arabic


def test_english_article_page_translates_the_interface_not_the_story(client):
    article = ArticleFactory(headline="البرلمان يقر الموازنة العامة")

    with translation.override("en"):
        response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    text = visible_text(response)
    assert "البرلمان يقر الموازنة العامة" in text
    assert "Share:" in text
    assert "Share this article" in response.content.decode()
    assert "شارك" not in text


def test_arabic_home_page_keeps_the_arabic_interface(client):
    ArticleFactory()

    response = client.get("/")

    assert html_tag(response) == '<html lang="ar" dir="rtl">'
    assert "الرئيسية" in visible_text(response)


def test_arabic_admin_changelist_has_no_english_leftovers(editor):
    ArticleFactory()

    response = editor.get("/admin/articles/article/")

    assert response.status_code == 200
    text = visible_text(response)
    # Django 6.1 ships these without Arabic; locale/ar translates them.
    for english in ("Filter by", "Select an option", "Run", "Pagination"):
        assert english not in text
    assert "تصفية حسب" in text
    assert "نفّذ" in text


def test_arabic_article_history_translates_simple_history_columns(editor):
    article = ArticleFactory()

    response = editor.get(f"/admin/articles/article/{article.pk}/history/")

    assert response.status_code == 200
    text = visible_text(response)
    assert "التغييرات" in text
    assert "Changes" not in text


def test_admin_javascript_catalogue_translates_date_shortcuts(editor):
    response = editor.get("/admin/jsi18n/")

    body = response.content.decode()
    assert response.status_code == 200
    # The catalogue is embedded as JSON with \\u escapes.
    for arabic in ("اليوم (%(date)s)", "ملاحظة: أدخل الأوقات بتوقيت %(timezone)s."):
        assert json.dumps(arabic)[1:-1] in body


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: "/".join(p.parts[-3:]))
def test_catalogue_has_no_fuzzy_or_obsolete_entries(path):
    header, entries, obsolete = read_po(path)

    assert not header.fuzzy
    assert [entry.msgid for entry in entries if entry.fuzzy] == []
    assert obsolete == 0


def test_every_english_msgid_is_translated():
    _, entries, _ = read_po(LOCALE / "en" / "LC_MESSAGES" / "django.po")

    untranslated = [e.msgid for e in entries if not all(e.translations())]

    assert untranslated == []
    assert len(entries) > 400


def test_english_translations_are_english_and_keep_placeholders():
    _, entries, _ = read_po(LOCALE / "en" / "LC_MESSAGES" / "django.po")
    placeholder = re.compile(r"%\(\w+\)[sd]|<[^>]+>")

    for entry in entries:
        translations = entry.translations()
        for msgstr in translations:
            # Quoted Arabic examples (search stop words) and the language
            # switch, which names Arabic in Arabic, stay Arabic on purpose.
            unquoted = re.sub(r"“[^”]*”", "", msgstr)
            if entry.msgid != "العربية":
                assert not ARABIC.search(unquoted), entry.msgid
        # The plural (or only) form carries every placeholder and tag.
        source = entry.msgid_plural or entry.msgid
        assert sorted(placeholder.findall(translations[-1])) == sorted(
            placeholder.findall(source)
        ), entry.msgid


def test_arabic_plural_entries_fill_all_six_forms():
    header, entries, _ = read_po(LOCALE / "ar" / "LC_MESSAGES" / "django.po")

    assert "Plural-Forms: nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 :" in (
        header.msgstr
    )
    plurals = [entry for entry in entries if entry.msgid_plural]
    assert plurals
    for entry in plurals:
        assert sorted(entry.msgstr_plural) == list(range(6)), entry.msgid
        assert all(entry.msgstr_plural.values()), entry.msgid


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: "/".join(p.parts[-3:]))
def test_compiled_catalogue_matches_its_po_file(path):
    with path.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    _, entries, _ = read_po(path)

    for entry in (e for e in entries if all(e.translations())):
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            for n, msgstr in entry.msgstr_plural.items():
                assert compiled._catalog[(msgid, n)] == msgstr, entry.msgid
        else:
            assert compiled._catalog[msgid] == entry.msgstr, entry.msgid


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext is not installed")
@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: "/".join(p.parts[-3:]))
def test_po_files_pass_msgfmt_format_checks(path, tmp_path):
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "out.mo"), str(path)],
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr
