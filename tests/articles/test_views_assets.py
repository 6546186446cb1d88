"""Front-end budgets and conventions of the reader pages."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.articles.reader_data import front_page_data, with_image
from tests.factories import ArticleFactory

STATIC = Path(settings.BASE_DIR) / "static"


def test_javascript_stays_under_10_kb():
    # What a reading page downloads; the back office's scripts and the
    # sign-in pages' passkey module have their own budgets.
    scripts = ["site.js", "account.js", "embeds.js"]
    total = sum((STATIC / "js" / name).stat().st_size for name in scripts)

    assert 0 < total < 10 * 1024
    assert {p.name for p in (STATIC / "js").glob("*.js")} - set(scripts) == {
        *OWN_BUDGETS,
        *(p.name for p in (STATIC / "js").glob("admin-*.js")),
    }


# Scripts only some pages load, each with its own budget: passkeys on the
# login and account pages, live.js on live pages (on top of the reading
# page's), and web push's on the notifications page and in its worker.
OWN_BUDGETS = {
    "passkeys.js": 10 * 1024,
    "live.js": 8 * 1024,
    "push.js": 10 * 1024,
    "push-sw.js": 4 * 1024,
}


@pytest.mark.parametrize("name", OWN_BUDGETS)
def test_scripts_of_some_pages_stay_within_their_budget(name):
    assert 0 < (STATIC / "js" / name).stat().st_size < OWN_BUDGETS[name]


def test_back_office_javascript_stays_under_20_kb():
    # What we add to the admin: the locks, the focal point and the editor's
    # story-body blocks (the editor itself is django-prose-editor's).
    total = sum(path.stat().st_size for path in (STATIC / "js").glob("admin-*.js"))

    assert 0 < total < 20 * 1024


def test_no_reader_text_is_smaller_than_14_pixels():
    # Arabic script needs the size more than Latin; 0.8rem (12.8 px) bylines
    # and dates were hard to read on phones.
    css = (STATIC / "css" / "site.css").read_text()
    sizes = [float(rem) for rem in re.findall(r"font-size:\s*([\d.]+)rem", css)]

    assert sizes and min(sizes) >= 0.875
    assert not re.search(r"font-size:\s*[\d.]+(px|em)\b", css)


def test_site_css_uses_logical_properties_only():
    css = (STATIC / "css" / "site.css").read_text()
    physical = re.compile(
        r"(?<![-\w])(margin|padding|border)-(left|right)\b"
        r"|(?<![-\w])(left|right)\s*:"
        r"|text-align:\s*(left|right)"
        r"|float:\s*(left|right)"
    )

    assert physical.findall(css) == []


def test_fonts_are_self_hosted():
    css = (STATIC / "css" / "site.css").read_text()

    for family in ("Noto Naskh Arabic", "Noto Kufi Arabic"):
        assert f'font-family: "{family}"' in css
    for url in re.findall(r"url\(\"?([^\")]+)", css):
        assert not url.startswith(("http:", "https:", "//"))
        assert (STATIC / "css" / url).resolve().exists(), url


@pytest.mark.django_db
def test_an_article_page_weighs_under_100_kb_with_its_css_and_javascript(client):
    front_page_data(60)  # sidebars, related headlines and most read all filled
    paragraphs = "".join(f"<p>{'فقرة من نص الخبر الكامل. ' * 12}</p>" for _ in range(9))
    article = with_image(ArticleFactory(body=paragraphs, tags=["اقتصاد", "نفط"]))

    html = client.get(article.get_absolute_url()).content
    assets = [STATIC / "css" / "site.css", *(STATIC / "js").glob("site.js")]

    weight = len(html) + sum(path.stat().st_size for path in assets)
    assert weight < 100 * 1024, f"{weight / 1024:.0f} KB"
