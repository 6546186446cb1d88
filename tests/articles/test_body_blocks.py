"""Blocks inside the story body: posts from other sites (click to load), pull
quotes and "read also" boxes."""

import re

import pytest
from django.conf import settings

from articles.embeds import recognise
from articles.models import Article
from articles.sanitize import sanitize_body
from tests.factories import ArticleFactory, SectionFactory

from .admin_forms import ADD_URL, article_data, errors_of

pytestmark = pytest.mark.django_db

YOUTUBE_ID = "dQw4w9WgXcQ"


@pytest.mark.parametrize(
    "url",
    [
        f"https://www.youtube.com/watch?v={YOUTUBE_ID}",
        f"https://youtube.com/watch?v={YOUTUBE_ID}&t=42s",
        f"https://m.youtube.com/watch?feature=share&v={YOUTUBE_ID}",
        f"https://youtu.be/{YOUTUBE_ID}?si=abc",
        f"https://www.youtube.com/shorts/{YOUTUBE_ID}",
        f"https://www.youtube.com/embed/{YOUTUBE_ID}",
        f"https://www.youtube.com/live/{YOUTUBE_ID}",
        f"http://www.youtube-nocookie.com/embed/{YOUTUBE_ID}",
    ],
)
def test_youtube_urls_are_recognised(url):
    embed = recognise(url)

    assert (embed.provider.name, embed.id) == ("youtube", YOUTUBE_ID)
    assert embed.url == f"https://www.youtube.com/watch?v={YOUTUBE_ID}"
    assert embed.frame_url == f"https://www.youtube-nocookie.com/embed/{YOUTUBE_ID}"


@pytest.mark.parametrize(
    ("url", "provider", "post_id", "frame_url"),
    [
        (
            "https://x.com/AJArabic/status/1790000000000000001",
            "x",
            "1790000000000000001",
            "https://platform.twitter.com/embed/Tweet.html?id=1790000000000000001",
        ),
        (
            "https://twitter.com/AJArabic/status/1790000000000000001?s=20",
            "x",
            "1790000000000000001",
            "https://platform.twitter.com/embed/Tweet.html?id=1790000000000000001",
        ),
        (
            "https://mobile.twitter.com/i/web/status/42",
            "x",
            "42",
            "https://platform.twitter.com/embed/Tweet.html?id=42",
        ),
        (
            "https://www.instagram.com/p/C1a2b3c4d5E/",
            "instagram",
            "C1a2b3c4d5E",
            "https://www.instagram.com/p/C1a2b3c4d5E/embed/",
        ),
        (
            "https://instagram.com/reel/C1a2b3c4d5E?igsh=abc",
            "instagram",
            "C1a2b3c4d5E",
            "https://www.instagram.com/p/C1a2b3c4d5E/embed/",
        ),
        (
            "https://www.tiktok.com/@aljazeera/video/7301234567890123456?lang=ar",
            "tiktok",
            "7301234567890123456",
            "https://www.tiktok.com/embed/v2/7301234567890123456",
        ),
        (
            "https://www.facebook.com/aljazeerachannel/posts/10160000000000001",
            "facebook",
            "aljazeerachannel/posts/10160000000000001",
            "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww."
            "facebook.com%2Faljazeerachannel%2Fposts%2F10160000000000001",
        ),
        (
            "https://m.facebook.com/aljazeera/videos/123456789/",
            "facebook",
            "aljazeera/videos/123456789",
            "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww."
            "facebook.com%2Faljazeera%2Fvideos%2F123456789",
        ),
    ],
)
def test_other_providers_urls_are_recognised(url, provider, post_id, frame_url):
    embed = recognise(url)

    assert (embed.provider.name, embed.id) == (provider, post_id)
    assert embed.frame_url.startswith(frame_url)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/@channel",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "https://evil.example/?u=https://youtu.be/dQw4w9WgXcQ",
        "https://user@youtu.be/dQw4w9WgXcQ",
        "https://x.com/AJArabic",
        "https://vm.tiktok.com/ZMabc123/",
        "https://www.facebook.com/aljazeera",
        "javascript:alert(1)//youtu.be/dQw4w9WgXcQ",
        "data:text/html,https://youtu.be/dQw4w9WgXcQ",
        "ftp://youtu.be/dQw4w9WgXcQ",
        "https://[youtu.be/dQw4w9WgXcQ",
        "https://youtu.be:99999/dQw4w9WgXcQ",
        "",
    ],
)
def test_other_urls_are_not_embeds(url):
    assert recognise(url) is None


def test_a_url_alone_in_a_paragraph_becomes_an_embed_with_a_plain_link():
    body = sanitize_body(
        f"<p>https://youtu.be/{YOUTUBE_ID}</p>"
        '<p><a href="https://x.com/a/status/42">منشور</a></p>'
    )

    assert body == (
        '<figure class="embed" data-provider="youtube" '
        f'data-id="{YOUTUBE_ID}" '
        f'data-url="https://www.youtube.com/watch?v={YOUTUBE_ID}">'
        f'<a href="https://www.youtube.com/watch?v={YOUTUBE_ID}" '
        'rel="noopener noreferrer nofollow">'
        f"https://www.youtube.com/watch?v={YOUTUBE_ID}</a></figure>"
        '<figure class="embed" data-provider="x" data-id="42" '
        'data-url="https://x.com/i/status/42">'
        '<a href="https://x.com/i/status/42" rel="noopener noreferrer nofollow">'
        "https://x.com/i/status/42</a></figure>"
    )


def test_saving_twice_keeps_the_embed_as_it_is():
    once = sanitize_body(f"<p>https://youtu.be/{YOUTUBE_ID}</p>")

    assert sanitize_body(once) == once


def test_links_within_text_lists_or_quotes_stay_links():
    html = (
        f'<p>شاهد <a href="https://youtu.be/{YOUTUBE_ID}">الفيديو</a> هنا.</p>'
        f"<ul><li><p>https://youtu.be/{YOUTUBE_ID}</p></li></ul>"
        '<p><a href="https://example.com/post">https://example.com/post</a></p>'
    )

    body = sanitize_body(html)

    assert "<figure" not in body
    assert 'href="https://example.com/post"' in body


@pytest.mark.parametrize(
    "forged",
    [
        '<figure class="embed" data-provider="youtube" data-id="&quot;&gt;x" '
        'data-url="javascript:alert(1)"><a href="javascript:alert(1)">x</a></figure>',
        '<figure class="embed" data-url="data:text/html;base64,PHNjcmlwdD4=">'
        "<a>x</a></figure>",
        "<p>javascript:alert(1)</p>",
        '<p><a href="javascript:alert(1)//youtu.be/dQw4w9WgXcQ">x</a></p>',
        '<p><a href="data:text/html,https://youtu.be/dQw4w9WgXcQ">x</a></p>',
        '<figure class="embed" data-url="http://[::1">x</figure>',
        '<p class="related"><a href="http://[::1/">x</a></p>',
    ],
)
def test_junk_urls_become_neither_embeds_nor_links(forged):
    body = sanitize_body(forged)

    assert "<figure" not in body
    assert "href=" not in body
    assert "data-" not in body


def test_a_forged_embed_is_rebuilt_from_what_its_url_really_is():
    body = sanitize_body(
        '<figure class="embed" data-provider="tiktok" data-id="666" '
        f'data-url="https://youtu.be/{YOUTUBE_ID}" onclick="x()">'
        '<a href="https://evil.example/">x</a><img src="https://evil.example/t.gif">'
        "</figure>"
    )

    assert 'data-provider="youtube"' in body
    assert "evil" not in body
    assert "onclick" not in body


def test_an_embed_of_an_unknown_url_becomes_a_plain_link():
    body = sanitize_body(
        '<figure class="embed" data-provider="youtube" data-id="x" '
        'data-url="https://example.com/video"><a>x</a></figure>'
    )

    assert body == (
        '<p><a href="https://example.com/video" rel="noopener noreferrer nofollow">'
        "https://example.com/video</a></p>"
    )


def test_read_also_is_kept_only_around_a_link_to_one_of_our_stories():
    story = ArticleFactory()

    body = sanitize_body(
        f'<p class="related"><a href="{story.get_absolute_url()}">اقرأ</a></p>'
        '<p class="related"><a href="https://example.com/news/1-x/">خارجي</a></p>'
        '<p class="related">بلا رابط</p>'
        '<p class="other">فقرة</p>'
    )

    assert body.count('class="related"') == 1
    assert f'<p class="related"><a href="{story.get_absolute_url()}"' in body
    assert "<p>بلا رابط</p><p>فقرة</p>" in body


def test_a_link_with_our_full_address_counts_as_one_of_our_stories():
    story = ArticleFactory()
    url = settings.SITE_URL + story.get_absolute_url()

    body = sanitize_body(f'<p class="related"><a href="{url}">اقرأ</a></p>')

    assert 'class="related"' in body


def test_the_admin_form_keeps_the_blocks_and_drops_anything_else(editor):
    section = SectionFactory()
    target = ArticleFactory()
    body = (
        f"<p>https://www.youtube.com/watch?v={YOUTUBE_ID}</p>"
        '<blockquote class="pull-quote" style="x"><p>قول بارز</p></blockquote>'
        f'<p class="related"><a href="{target.get_absolute_url()}">x</a></p>'
        '<figure class="embed" data-provider="x" data-id="1" '
        'data-url="https://x.com/a/status/1" data-evil="1" onload="x()">'
        "<iframe src='https://x.com/'></iframe></figure>"
        '<blockquote class="shout"><p>ب</p></blockquote>'
        "<aside>هامش</aside><script>alert(1)</script>"
    )

    response = editor.post(ADD_URL, article_data(section, body=body))

    assert response.status_code == 302, errors_of(response)
    stored = Article.objects.get(headline=article_data(section)["headline"]).body
    assert f'data-id="{YOUTUBE_ID}"' in stored
    assert 'data-provider="x" data-id="1"' in stored
    assert '<blockquote class="pull-quote"><p>قول بارز</p></blockquote>' in stored
    assert f'<p class="related"><a href="{target.get_absolute_url()}"' in stored
    assert "<blockquote><p>ب</p></blockquote>" in stored
    for bad in ("<iframe", "<aside", "<script", "data-evil", "onload", "style="):
        assert bad not in stored


LOADING_TAG = re.compile(
    r"<(?:iframe|script|img|source|video|audio|embed|object|link)\b[^>]*>"
)
LOADING_ATTRIBUTE = re.compile(r'\b(?:src|srcset|href|data|poster)="([^"]*)"')


def loaded_on_page_load(html):
    """The origins of what the browser fetches for a page by itself."""
    urls = {
        url.split()[0]
        for tag in LOADING_TAG.findall(html)
        for value in LOADING_ATTRIBUTE.findall(tag)
        for url in value.split(",")
        if url.strip()
    }
    return {
        "/".join(url.split("/")[:3])
        for url in urls
        if url.startswith(("http:", "https:", "//"))
    }


def _page_with(client, body):
    article = ArticleFactory(body=body)
    return client.get(article.get_absolute_url())


def test_an_embed_is_a_placeholder_that_loads_nothing_from_the_provider(client):
    response = _page_with(
        client,
        f"<p>https://youtu.be/{YOUTUBE_ID}</p>"
        "<p>https://www.instagram.com/p/C1a2b3c4d5E/</p>",
    )

    html = response.content.decode()
    assert "اعرض المحتوى من «يوتيوب»" in html
    assert "فيديو على يوتيوب" in html
    assert "اعرض المحتوى من «إنستغرام»" in html
    assert (
        f'data-embed-frame="https://www.youtube-nocookie.com/embed/{YOUTUBE_ID}"'
        in html
    )
    assert f'<a href="https://www.youtube.com/watch?v={YOUTUBE_ID}"' in html
    assert "<iframe" not in html
    assert loaded_on_page_load(html) - {settings.SITE_URL} == set()
    assert 'src="/static/js/embeds.js" defer' in html


def test_a_page_with_embeds_may_frame_only_their_providers(client):
    response = _page_with(client, f"<p>https://youtu.be/{YOUTUBE_ID}</p>")

    policy = response["Content-Security-Policy"]
    assert "frame-src https://www.youtube-nocookie.com;" in policy + ";"
    assert "script-src 'self';" in policy
    assert "instagram" not in policy


def test_a_page_without_embeds_keeps_the_default_policy_and_no_script(client):
    response = _page_with(client, "<p>نص.</p>")

    assert "frame-src" not in response["Content-Security-Policy"]
    assert "embeds.js" not in response.content.decode()


def test_a_pull_quote_renders(client):
    response = _page_with(
        client, '<blockquote class="pull-quote"><p>قول يستحق الإبراز</p></blockquote>'
    )

    assert (
        '<blockquote class="pull-quote"><p>قول يستحق الإبراز</p></blockquote>'
        in response.content.decode()
    )


def test_read_also_shows_the_storys_current_headline_and_url(client):
    target = ArticleFactory(headline="العنوان القديم")
    old_url = target.get_absolute_url()
    response_body = f'<p class="related"><a href="{old_url}">نص الرابط</a></p>'
    target.headline = "العنوان الجديد"
    target.slug = "عنوان-جديد"
    target.save()

    response = _page_with(client, response_body)

    html = response.content.decode()
    assert '<aside class="related-box"' in html
    assert "اقرأ أيضاً" in html
    assert f'<a href="{target.get_absolute_url()}">العنوان الجديد</a>' in html
    assert "نص الرابط" not in html


@pytest.mark.parametrize("state", ["withdrawn", "draft", "scheduled"])
def test_read_also_to_a_story_readers_cant_see_renders_nothing(client, state):
    target = ArticleFactory(**{state: True}, headline="قصة غير منشورة")
    body = (
        f'<p class="related"><a href="{target.get_absolute_url()}">قصة</a></p>'
        "<p>بقية النص.</p>"
    )

    response = _page_with(client, body)

    html = response.content.decode()
    assert response.status_code == 200
    assert "related-box" not in html
    assert "قصة غير منشورة" not in html
    assert "<p>بقية النص.</p>" in html
