"""Front-end budgets and conventions of the reader pages."""

import re
from pathlib import Path

from django.conf import settings

STATIC = Path(settings.BASE_DIR) / "static"


def test_javascript_stays_under_10_kb():
    total = sum(path.stat().st_size for path in (STATIC / "js").glob("*.js"))

    assert 0 < total < 10 * 1024


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
