"""Control characters never reach the database through save() (newsroom/text.py)."""

import pytest
from django.urls import reverse
from taggit.models import Tag as TaggitTag

from accounts.newsletters.models import Newsletter
from articles.models import Tag
from newsroom.text import strip_control_characters
from tests.articles.admin_forms import article_data, change_url, errors_of
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_only_control_characters_go_tabs_and_line_breaks_stay():
    text = "أ\x00ب\x08ت\x0bث\x0cج\x1fح\x7fخ\x80د\x85ذ\x9fر\tز\nس\r\nش"

    assert strip_control_characters(text) == "أبتثجحخدذر\tز\nس\r\nش"


def test_headline_saved_through_the_admin_form_loses_control_characters(editor):
    ArticleFactory(tags=["مناخ"])
    article = ArticleFactory(draft=True)
    data = article_data(
        article.section,
        headline="قمة\x0bعربية\x0c في\x85 عمّان",
        standfirst="سطر أول\nسطر\x07 ثانٍ",
        tags="وسم\x07خاص, منا\x0cخ",
    )

    response = editor.post(change_url(article), data)

    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.headline == "قمةعربية في عمّان"
    assert article.standfirst == "سطر أول\nسطر ثانٍ"
    # "منا\x0cخ" is the tag the site already has.
    assert sorted(article.tags.values_list("name", flat=True)) == ["مناخ", "وسمخاص"]
    assert Tag.objects.filter(name="مناخ").count() == 1
    assert article.history.first().headline == "قمةعربية في عمّان"


def test_reader_name_loses_control_characters(reader):
    response = reader.post(reverse("accounts:profile"), {"name": "اسم\x07 جديد\x9f"})

    assert response.status_code == 302
    reader.user.refresh_from_db()
    assert reader.user.name == "اسم جديد"


def test_newsletters_and_taggit_tags_are_cleaned_on_save_too():
    newsletter = Newsletter.objects.create(
        name="موجز\x0bالصباح", slug="morning", description="كل\x1b صباح"
    )
    tag = TaggitTag.objects.create(name="وسم\x0b عام")

    newsletter.refresh_from_db()
    tag.refresh_from_db()
    assert (newsletter.name, newsletter.description) == ("موجزالصباح", "كل صباح")
    assert tag.name == "وسم عام"
