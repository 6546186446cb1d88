import base64
import hashlib
import re
from pathlib import Path

import django_prose_editor
import pytest
from django_prose_editor.config import allowlist_from_extensions

from articles.admin import EDITOR_STYLE_HASH
from articles.forms import BODY_EDITOR_EXTENSIONS
from articles.models import Article
from articles.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    BLOCK_TAGS,
    EDITOR_CLASSES,
    sanitize_body,
)
from tests.factories import ArticleFactory, SectionFactory

from .admin_forms import ADD_URL, CHANGELIST_URL, article_data, change_url, errors_of

pytestmark = pytest.mark.django_db


def test_sanitizer_allows_exactly_what_the_editor_produces():
    allowlist = allowlist_from_extensions(BODY_EDITOR_EXTENSIONS)

    assert allowlist["tags"] == ALLOWED_TAGS
    # The editor may set any class where NodeClass is on; we keep only ours.
    classed = {
        tag for tag, names in allowlist["attributes"].items() if "class" in names
    }
    assert classed == set(EDITOR_CLASSES)
    # Attributes: a subset of the editor's (nh3 sets rel itself).
    for tag, names in ALLOWED_ATTRIBUTES.items():
        assert names <= allowlist["attributes"][tag]


def test_the_editors_classes_are_the_styles_it_offers():
    config = BODY_EDITOR_EXTENSIONS["NodeClass"]["cssClasses"]

    offered = {
        {"paragraph": "p"}.get(node, node): {c["className"] for c in classes}
        for node, classes in config.items()
    }
    assert offered == EDITOR_CLASSES


def test_only_server_built_blocks_go_beyond_the_editor():
    assert BLOCK_TAGS == {"figure"}
    assert sanitize_body("<figure><p>x</p></figure>") == "<p>x</p>"
    assert sanitize_body("<figure>x</figure>") == "<p>x</p>"


def test_editor_is_limited_to_what_a_story_needs(editor):
    response = editor.get(ADD_URL)

    config = response.context["adminform"].form.fields["body"].widget.get_config()
    assert config["extensions"]["Heading"] == {"levels": [2, 3]}
    assert "Table" not in config["extensions"]
    assert "Image" not in config["extensions"]


def test_body_is_stored_without_scripts_handlers_or_javascript_links(editor):
    section = SectionFactory()
    body = (
        '<p onclick="steal()">نص <script>alert(1)</script>'
        '<img src="x" onerror="alert(2)">'
        '<a href="javascript:alert(3)">رابط</a>'
        '<a href="https://example.com/">مصدر</a></p>'
        '<h2 style="color:red">عنوان فرعي</h2>'
    )

    response = editor.post(ADD_URL, article_data(section, body=body))

    assert response.status_code == 302, errors_of(response)
    stored = Article.objects.get().body
    for bad in ("<script", "alert(1)", "onerror", "onclick", "javascript:", "style="):
        assert bad not in stored
    assert '<a href="https://example.com/"' in stored
    assert "<h2>عنوان فرعي</h2>" in stored


def test_change_form_loads_the_editor_with_a_policy_for_it(editor):
    article = ArticleFactory()

    response = editor.get(change_url(article))

    assert response.status_code == 200
    html = response.content.decode()
    assert "data-django-prose-editor-configurable" in html
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert f'<script type="importmap" nonce="{nonce}">' in html
    assert EDITOR_STYLE_HASH in policy
    assert "unsafe-inline" not in policy


def test_other_admin_pages_keep_the_strict_policy(editor):
    response = editor.get(CHANGELIST_URL)

    assert "script-src 'self';" in response["Content-Security-Policy"]


def test_allowed_editor_style_hash_matches_the_installed_editor():
    # Tiptap injects this stylesheet; if an upgrade changes it, update the hash.
    source = (
        Path(django_prose_editor.__file__).parent
        / "static/django_prose_editor/editor.js"
    ).read_text()
    start = source.index("`", source.index("ProseMirror {") - 20)
    css = source[start + 1 : source.index("`", start + 1)]
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert EDITOR_STYLE_HASH == f"'sha256-{digest}'"
