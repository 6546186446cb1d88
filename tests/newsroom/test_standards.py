"""Markup that search engines and validators read: both languages linked,
times HTML accepts."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone, translation

from accounts.models import Follow, SavedArticle
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

HREFLANG = re.compile(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">')


def alternates(response):
    return dict(HREFLANG.findall(response.content.decode()))


def test_a_story_names_itself_in_both_languages(client, settings):
    settings.SITE_URL = "https://news.example"
    article = ArticleFactory()
    with translation.override("ar"):
        path = article.get_absolute_url()
    expected = {
        "ar": f"https://news.example{path}",
        "en": f"https://news.example/en{path}",
        "x-default": f"https://news.example{path}",
    }

    assert alternates(client.get(path)) == expected
    assert alternates(client.get("/en" + path)) == expected


def test_a_paged_list_keeps_its_page_in_both_languages(client, settings):
    settings.SITE_URL = "https://news.example"
    section = SectionFactory()
    for _ in range(25):
        ArticleFactory(section=section)
    with translation.override("ar"):
        path = section.get_absolute_url()

    links = alternates(client.get(path, {"page": "2", "utm_source": "x"}))

    assert links["en"] == f"https://news.example/en{path}?page=2"
    assert links["ar"] == f"https://news.example{path}?page=2"


def test_pages_that_are_not_indexed_name_no_alternates(client):
    assert alternates(client.get("/no-such-page/")) == {}
    assert alternates(client.get("/search/", {"q": "اقتصاد"})) == {}


def test_times_carry_no_fractions_of_a_second(client, reader):
    # What publishing "now" stores: microseconds, which <time> refuses.
    now = timezone.now().replace(microsecond=123456)
    article = ArticleFactory(published_at=now - timezone.timedelta(minutes=5))
    CorrectionFactory(article=article)
    SavedArticle.objects.create(user=reader.user, article=article)
    pages = [
        client.get("/"),
        client.get(article.get_absolute_url()),
        client.get(article.section.get_absolute_url()),
        client.get("/corrections/"),
        reader.get("/account/saved/"),
    ]

    for page in pages:
        times = re.findall(r'(?:datetime|content)="(\d{4}-\d\d-\d\dT[^"]+)"', page.text)
        assert times, page.wsgi_request.path
        for value in times:
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", value)


# 2026-12-06 is 26 Jumada al-Akhirah 1448 in the Umm al-Qura calendar.
SUNDAY = datetime.datetime(2026, 12, 6, 12, 0, tzinfo=datetime.UTC)


@time_machine.travel(SUNDAY, tick=False)
def test_the_masthead_and_the_story_give_the_hijri_date_beside_the_gregorian(client):
    article = ArticleFactory(published_at=SUNDAY - datetime.timedelta(hours=2))

    home = client.get("/").text
    story = client.get(article.get_absolute_url()).text
    english = client.get("/en/").text

    assert "الأحد 6 ديسمبر 2026، 26 جمادى الآخرة 1448 هـ" in home
    assert "، 26 جمادى الآخرة 1448 هـ</span>" in story
    assert "26 Jumada al-Akhirah 1448 AH" in english


def test_shared_pages_give_their_locale_and_their_own_page(client, settings):
    settings.SITE_URL = "https://news.example"
    section = SectionFactory()
    for _ in range(25):
        ArticleFactory(section=section)
    with translation.override("ar"):
        path = section.get_absolute_url()

    arabic = client.get(path, {"page": "2"}).text
    english = client.get("/en" + path).text

    assert '<meta property="og:locale" content="ar_AR">' in arabic
    assert (
        f'<meta property="og:url" content="https://news.example{path}?page=2">'
        in arabic
    )
    assert '<meta property="og:locale" content="en_US">' in english


def test_headings_go_down_one_level_at_a_time_on_for_you(reader):
    section = SectionFactory()
    Follow.objects.create(user=reader.user, section=section)
    ArticleFactory(section=section)

    page = reader.get("/for-you/").text
    levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", page)]

    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_each_search_landmark_has_its_own_name(client):
    page = client.get("/search/", {"q": "اقتصاد"}).text
    names = re.findall(r'role="search"[^>]*aria-label="([^"]+)"', page)

    assert len(names) == page.count('role="search"') == 2
    assert len(set(names)) == 2


def test_arabic_content_in_english_pages_says_it_is_arabic(client):
    article = ArticleFactory(kicker="متابعة", standfirst="موجز الخبر.")
    article.authors.add(AuthorFactory(name="ريم العطار"))
    with translation.override("ar"):
        path = article.get_absolute_url()

    english = client.get("/en" + path).text
    arabic = client.get(path).text

    arabic_inside = ' lang="ar" dir="rtl"'
    for element in (
        f'<h1 id="story-title" class="story__title"{arabic_inside}>',
        f'<p class="story__standfirst"{arabic_inside}>',
        f'<div class="story__body"{arabic_inside}>',
        f'<p class="kicker"{arabic_inside}>',
        f'rel="author"{arabic_inside}>ريم العطار</a>',
    ):
        assert element in english
    # Arabic pages are Arabic already: said once, on <html>.
    assert arabic.count(arabic_inside) == 1


@time_machine.travel(SUNDAY, tick=False)  # 15:00 in Riyadh
def test_latest_headlines_give_the_day_unless_today_with_an_arabic_comma(client):
    today = ArticleFactory(
        headline="خبر اليوم", published_at=SUNDAY - datetime.timedelta(hours=1)
    )
    ArticleFactory(
        headline="خبر الأمس",
        published_at=datetime.datetime(2026, 12, 5, 20, 40, tzinfo=datetime.UTC),
    )
    with translation.override("ar"):
        section = today.section.get_absolute_url()
        story_url = today.get_absolute_url()

    arabic = client.get(section).text
    english = client.get("/en" + section).text
    story = client.get(story_url).text

    assert ">14:00</time>" in arabic
    assert ">5 ديسمبر، 23:40</time>" in arabic
    assert ">5 December, 23:40</time>" in english
    assert "6 ديسمبر 2026، 14:00</time>" in story


@time_machine.travel(SUNDAY, tick=False)
def test_the_home_pages_latest_list_gives_the_day_unless_today(client):
    for minutes in range(7):  # the lead and the top stories
        ArticleFactory(published_at=SUNDAY - datetime.timedelta(minutes=minutes))
    ArticleFactory(published_at=SUNDAY - datetime.timedelta(hours=1))
    ArticleFactory(
        published_at=datetime.datetime(2026, 12, 5, 20, 40, tzinfo=datetime.UTC)
    )

    latest = client.get("/").text.split('id="latest-title"')[1]

    assert ">14:00</time>" in latest
    assert ">5 ديسمبر، 23:40</time>" in latest
