"""Pictures from the media library inside the story body, alone or as a
gallery (articles/sanitize.py stores a marker, articles/blocks.py renders it)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import images
from articles.blocks import render_body
from articles.images import make_renditions
from articles.models import Article, Picture
from articles.sanitize import sanitize_body
from tests.factories import ArticleFactory, PictureFactory, SectionFactory

from .admin_forms import ADD_URL, article_data, errors_of

pytestmark = pytest.mark.django_db

PICTURE_URL = "/admin/articles/picture/{}/change/"


def marker(*pks):
    return f'<figure class="picture" data-picture="{",".join(map(str, pks))}">'


@pytest.fixture
def pictures():
    made = [PictureFactory(caption=f"تعليق {i}", alt=f"وصف {i}") for i in range(3)]
    for picture in made:
        make_renditions(picture)
    return made


def _saved_body(editor, section, body):
    response = editor.post(ADD_URL, article_data(section, body=body))
    assert response.status_code == 302, errors_of(response)
    return Article.objects.get(headline=article_data(section)["headline"]).body


def test_tokens_and_library_addresses_become_markers_on_save(editor, pictures):
    one, two, three = (p.pk for p in pictures)
    body = (
        f"<p>[صورة:{one}]</p>"
        f"<p>[معرض:{one}، {two},{three}]</p>"
        f'<p><a href="http://127.0.0.1:8000{PICTURE_URL.format(two)}">صورة</a></p>'
        f"<p>{PICTURE_URL.format(three)}</p>"
    )

    stored = _saved_body(editor, SectionFactory(), body)

    assert stored == (
        f"{marker(one)}[صورة:{one}]</figure>"
        f"{marker(one, two, three)}[معرض:{one}،{two}،{three}]</figure>"
        f"{marker(two)}[صورة:{two}]</figure>"
        f"{marker(three)}[صورة:{three}]</figure>"
    )
    # The editor has no <figure>: reopened, it keeps the token, and the next
    # save makes the same marker.
    assert sanitize_body(stored) == stored
    assert (
        sanitize_body(f"<p>[صورة:{one}]</p>") == f"{marker(one)}[صورة:{one}]</figure>"
    )


@pytest.mark.parametrize(
    "junk",
    [
        "<p>[صورة:0]</p>",
        "<p>[صورة:abc]</p>",
        "<p>[صورة:99999999999999999999]</p>",
        "<p>[معرض:,]</p>",
        "<p>نص قبل [صورة:1]</p>",
        "<p><strong>[صورة:1]</strong> وبعده</p>",
        "<p>https://example.com/admin/articles/picture/1/change/</p>",
        "<p>javascript:/admin/articles/picture/1/change/</p>",
        '<figure class="picture" data-picture="x">نص</figure>',
        '<figure class="picture" data-picture="1 OR 1=1">نص</figure>',
    ],
)
def test_junk_references_stay_text_and_never_break_a_page(client, junk):
    body = sanitize_body(junk)

    assert 'class="picture"' not in body
    assert 'data-picture="' not in body
    article = ArticleFactory(body=junk)
    assert client.get(article.get_absolute_url()).status_code == 200


def test_markers_naming_missing_or_huge_ids_render_nothing(client):
    # Ids the database can't hold never reach a query (PostgreSQL would refuse).
    assert sanitize_body(marker(2**31) + "x</figure>") == "<p>x</p>"
    article = ArticleFactory(body=f"{marker(987654)}[صورة:987654]</figure><p>بعد.</p>")

    response = client.get(article.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "987654" not in html
    assert "<p>بعد.</p>" in html


def test_a_forged_marker_keeps_only_its_ids(pictures):
    pk = pictures[0].pk
    body = sanitize_body(
        f'<figure class="picture" data-picture="{pk}" onload="x()" style="a" '
        f'data-evil="1"><img src="https://evil.test/x.png"><script>1</script>'
        f"كلام</figure><aside>هامش</aside><p onclick='x'>نص</p>"
    )

    assert body == f"{marker(pk)}[صورة:{pk}]</figure>هامش<p>نص</p>"


def test_a_picture_renders_as_a_responsive_figure_with_its_caption(client, pictures):
    picture = pictures[0]
    article = ArticleFactory(body=f"<p>قبل.</p><p>[صورة:{picture.pk}]</p><p>بعد.</p>")

    html = client.get(article.get_absolute_url()).content.decode()

    figure = html.split('<figure class="body-picture">')[1].split("</figure>")[0]
    assert re.search(r'srcset="[^"]*__16x9_320\.webp 320w, [^"]*960w', figure)
    assert f'alt="{picture.alt}"' in figure
    assert 'loading="lazy"' in figure and 'width="960" height="540"' in figure
    assert f"<figcaption>{picture.caption} " in figure
    assert f"(تصوير: <bdi>{picture.credit}</bdi>)" in figure
    assert "[صورة:" not in html
    assert html.index("<p>قبل.</p>") < html.index("body-picture") < html.index("بعد.")


def test_a_deleted_picture_renders_nothing(client, pictures):
    picture = pictures[0]
    article = ArticleFactory(body=f"<p>[صورة:{picture.pk}]</p><p>بقية النص.</p>")
    Picture.objects.filter(pk=picture.pk).delete()

    response = client.get(article.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "body-picture" not in html and picture.alt not in html
    assert "<p>بقية النص.</p>" in html


def test_a_gallery_is_a_focusable_strip_with_every_caption(client, pictures):
    pks = "،".join(str(p.pk) for p in pictures)
    article = ArticleFactory(body=f"<p>[معرض:{pks}]</p>")

    html = client.get(article.get_absolute_url()).content.decode()

    gallery = html.split('<figure class="gallery">')[1].split("gallery__hint")[0]
    assert '<ul class="gallery__strip" tabindex="0" aria-label="معرض من 3 صور">' in (
        gallery
    )
    assert gallery.count('<li class="gallery__item">') == 3
    for number, picture in enumerate(pictures, 1):
        assert f"{number} من 3" in gallery
        assert picture.caption in gallery and f'alt="{picture.alt}"' in gallery
    assert gallery.count("srcset=") == 3
    assert "<script" not in gallery


def test_consecutive_pictures_make_one_gallery(pictures):
    one, two, three = pictures
    body = sanitize_body(
        f"<p>[صورة:{one.pk}]</p>\n<p>[صورة:{two.pk}]</p>"
        f"<p>فاصل.</p><p>[صورة:{three.pk}]</p><p>[صورة:424242]</p>"
    )

    rendered = render_body(body)

    html = str(rendered.html)
    assert html.count('class="gallery"') == 1
    assert html.count('<li class="gallery__item">') == 2
    # The third is alone once the missing one is left out.
    assert html.count('<figure class="body-picture">') == 1
    assert rendered.pictures == [one, two, three]


def test_the_gallery_strip_snaps_along_the_line_in_css():
    from django.conf import settings

    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    strip = css.split(".gallery__strip {")[1].split("}")[0]
    assert "scroll-snap-type: inline mandatory" in strip
    assert "overflow-x: auto" in strip
    assert "scroll-snap-align: start" in css.split(".gallery__item {")[1]


def test_all_pictures_of_a_body_cost_one_query(
    client, pictures, django_assert_max_num_queries
):
    plain = ArticleFactory(body="<p>نص.</p>")
    pks = [p.pk for p in pictures]
    body = (
        f"<p>[صورة:{pks[0]}]</p><p>نص.</p><p>[معرض:{pks[1]},{pks[2]}]</p>"
        f"<p>نص.</p><p>[صورة:{pks[2]}]</p><p>[صورة:{pks[1]}]</p>"
    )
    article = ArticleFactory(body=body)
    with CaptureQueriesContext(connection) as baseline:
        client.get(plain.get_absolute_url())

    with django_assert_max_num_queries(len(baseline) + 1):
        response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert response.content.decode().count("srcset=") >= 5


def test_editing_a_picture_purges_the_stories_showing_it_in_their_body(
    editor, pictures, monkeypatch
):
    picture = pictures[1]
    purged = []
    monkeypatch.setattr(images, "invalidate", lambda keys: purged.append(set(keys)))
    in_body = ArticleFactory(body=f"<p>[صورة:{picture.pk}]</p>")
    in_gallery = ArticleFactory(body=f"<p>[معرض:{pictures[0].pk},{picture.pk}]</p>")
    # An id that merely starts or ends with the same digits is another picture.
    other = ArticleFactory(body=f"{marker(int(f'{picture.pk}1'))}x</figure>")
    unrelated = ArticleFactory(body=f"{marker(int(f'1{picture.pk}'))}x</figure>")

    response = editor.post(
        PICTURE_URL.format(picture.pk),
        {
            "alt": picture.alt,
            "caption": "تعليق جديد",
            "credit": picture.credit,
            "focal_x": "0.5",
            "focal_y": "0.5",
            "uploaded_at_0": "2026-01-01",
            "uploaded_at_1": "10:00",
        },
    )

    assert response.status_code == 302
    (keys,) = purged
    assert {f"article-{in_body.pk}", f"article-{in_gallery.pk}"} <= keys
    assert not {f"article-{other.pk}", f"article-{unrelated.pk}"} & keys


def test_a_gallery_keeps_its_first_twenty_pictures():
    body = sanitize_body(f"<p>[معرض:{','.join(str(i) for i in range(1, 26))}]</p>")

    assert body.startswith(marker(*range(1, 21)))


def test_deleting_a_picture_purges_the_stories_showing_it(editor, monkeypatch):
    picture = PictureFactory()
    purged = []
    monkeypatch.setattr(images, "invalidate", lambda keys: purged.append(set(keys)))
    story = ArticleFactory(body=f"<p>[صورة:{picture.pk}]</p>")

    editor.post(f"/admin/articles/picture/{picture.pk}/delete/", {"post": "yes"})

    assert not Picture.objects.filter(pk=picture.pk).exists()
    assert f"article-{story.pk}" in set().union(*purged)
