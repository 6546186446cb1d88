import base64
import hashlib
import re
from pathlib import Path

import django_prose_editor
import pytest
from django_prose_editor.config import allowlist_from_extensions

from articles.editor import EDITOR_STYLE_HASH, EXTENSIONS
from articles.images import make_renditions
from articles.models import Article
from articles.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    BLOCK_TAGS,
    EDITOR_CLASSES,
    sanitize_body,
)
from tests.factories import ArticleFactory, PictureFactory, SectionFactory

from .admin_forms import ADD_URL, CHANGELIST_URL, article_data, change_url, errors_of

pytestmark = pytest.mark.django_db


def test_sanitizer_allows_exactly_what_the_editor_produces():
    allowlist = allowlist_from_extensions(EXTENSIONS)

    # Our blocks (static/js/admin-body-blocks.js) produce the <figure> the
    # server rebuilds on save.
    assert allowlist["tags"] == ALLOWED_TAGS | BLOCK_TAGS
    # The editor may set any class where NodeClass is on; we keep only ours.
    classed = {
        tag
        for tag, names in allowlist["attributes"].items()
        if "class" in names and tag not in BLOCK_TAGS
    }
    assert classed == set(EDITOR_CLASSES)
    # Attributes: a subset of the editor's (nh3 sets rel itself).
    for tag, names in ALLOWED_ATTRIBUTES.items():
        assert names <= allowlist["attributes"][tag]


def test_the_editors_classes_are_the_styles_it_offers():
    config = EXTENSIONS["NodeClass"]["cssClasses"]

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


BLOCKS_URL = "/admin/articles/picture/blocks/"


def test_editor_offers_our_blocks_with_arabic_labels(editor):
    response = editor.get(ADD_URL)

    config = response.context["adminform"].form.fields["body"].widget.get_config()
    assert any(
        path.endswith("js/admin-body-blocks.js") for path in config["js_modules"]
    )
    pictures = config["extensions"]["NewsPicture"]
    assert pictures["lookupUrl"] == BLOCKS_URL
    assert pictures["libraryUrl"] == "/admin/articles/picture/"
    assert pictures["labels"]["insert"] == "صورة أو معرض من المكتبة"
    assert config["extensions"]["NewsEmbed"]["providers"]["youtube"] == "يوتيوب"
    labels = config["extensions"]["ToolbarLabels"]["labels"]
    assert labels["bold"] == "غامق"
    assert labels["Block style"] == "نمط الفقرة"
    # The configuration reaches the page as JSON the module reads.
    assert "\\u063a\\u0627\\u0645\\u0642" in response.content.decode()


def test_what_the_editors_blocks_send_is_stored_as_server_built_blocks(editor):
    section = SectionFactory()
    first, second = PictureFactory(), PictureFactory()
    body = (
        "<p>مقدمة.</p>"
        f'<figure class="picture" data-picture="{first.pk},{second.pk}">'
        f"[معرض:{first.pk}،{second.pk}]</figure>"
        '<figure class="embed" data-url="https://youtu.be/dQw4w9WgXcQ">'
        '<a href="https://youtu.be/dQw4w9WgXcQ">https://youtu.be/dQw4w9WgXcQ</a>'
        "</figure>"
        # A forged block: a script URL and an unknown host are not posts.
        '<figure class="embed" data-url="javascript:alert(1)"><a>x</a></figure>'
        '<figure class="embed" data-url="https://evil.example/x"></figure>'
    )

    response = editor.post(ADD_URL, article_data(section, body=body))

    assert response.status_code == 302, errors_of(response)
    stored = Article.objects.get().body
    assert f'<figure class="picture" data-picture="{first.pk},{second.pk}">' in stored
    assert 'data-provider="youtube" data-id="dQw4w9WgXcQ"' in stored
    assert stored.count("<figure") == 2
    assert "javascript:" not in stored
    assert '<p><a href="https://evil.example/x"' in stored


def test_picture_blocks_preview_lists_the_pictures_in_the_order_asked(editor):
    first, second = PictureFactory(caption="الأولى"), PictureFactory(caption="")
    make_renditions(first)  # the second is still being processed

    response = editor.get(BLOCKS_URL, {"ids": f"{second.pk},999999,{first.pk}"})

    assert response.status_code == 200
    pictures = response.json()["pictures"]
    assert [p["id"] for p in pictures] == [second.pk, first.pk]
    assert pictures[1]["caption"] == "الأولى"
    assert pictures[1]["credit"] == first.credit
    assert pictures[1]["alt"] == first.alt
    assert pictures[1]["src"].startswith("/media/renditions/")
    assert pictures[0]["src"] == pictures[0]["srcset"] == ""  # never the original
    assert pictures[1]["url"] == f"/admin/articles/picture/{first.pk}/change/"


@pytest.mark.parametrize(
    "ids", ["", "abc", "1;2", "-1", "0", "1,,2", "9" * 40, "<script>", "1" + ",1" * 30]
)
def test_picture_blocks_preview_answers_junk_clearly(editor, ids):
    response = editor.get(BLOCKS_URL, {"ids": ids})

    if response.status_code == 200:
        # Repeats of one id: one picture at most, and no such picture here.
        assert response.json() == {"pictures": []}
    else:
        assert response.status_code == 400
        assert "أرقام صور المكتبة" in response.json()["error"]


def test_picture_blocks_preview_is_for_staff_only(client, reader):
    picture = PictureFactory()

    for who in (client, reader):
        response = who.get(BLOCKS_URL, {"ids": picture.pk})
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_writers_see_the_pictures_they_put_in_stories(writer):
    picture = PictureFactory()

    response = writer.get(BLOCKS_URL, {"ids": picture.pk})

    assert [p["id"] for p in response.json()["pictures"]] == [picture.pk]
