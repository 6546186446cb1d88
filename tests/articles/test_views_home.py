import re

import pytest
from django.utils import timezone

from articles.images import make_renditions
from articles.models import Article, FrontPagePin, Picture
from tests.articles.reader_data import columnist, front_page_data, jpeg, with_image
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    PictureFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

HIDDEN = ("مسودة سرية", "خبر مجدول", "خبر مسحوب", "خبر قيد المراجعة")


def test_home_page_assembles_the_front_page(client):
    articles = front_page_data(40)

    response = client.get("/")

    assert response.status_code == 200
    context = response.context
    assert context["lead"] == articles[3]  # the one marked as lead
    assert context["breaking"] and all(a.is_breaking for a in context["breaking"])
    assert len(context["top_stories"]) == 6
    assert articles[3] not in context["top_stories"]
    assert context["columns"]
    content = response.content.decode()
    blocks = section_block_html(content)
    assert blocks
    assert all(block.count('class="card__title"') == 1 for block in blocks)
    assert all(len(re.findall(r"<li>", block)) <= 3 for block in blocks)
    assert content.count("<h1") == 1
    assert 'class="breaking"' in content
    assert "الأكثر قراءة" in content or not context["most_read"]


def test_home_page_never_shows_unpublished_articles(client):
    front_page_data(20)
    ArticleFactory(draft=True, is_lead=True, is_breaking=True, headline="مسودة عاجلة")

    content = client.get("/").content.decode()

    for headline in (*HIDDEN, "مسودة عاجلة"):
        assert headline not in content


def test_without_a_marked_lead_the_latest_story_with_a_picture_leads(client):
    ArticleFactory(headline="الأحدث بلا صورة")
    pictured = with_image(
        ArticleFactory(published_at=timezone.now() - timezone.timedelta(hours=3))
    )

    assert client.get("/").context["lead"] == pictured


def test_a_picture_still_being_processed_does_not_make_a_lead(client):
    processing = ArticleFactory(headline="صورته قيد المعالجة")
    processing.picture = PictureFactory()  # no renditions yet
    processing.save()
    pictured = with_image(
        ArticleFactory(published_at=timezone.now() - timezone.timedelta(hours=3))
    )

    assert client.get("/").context["lead"] == pictured


def test_no_breaking_strip_when_nothing_is_breaking(client):
    ArticleFactory()
    ArticleFactory(draft=True, is_breaking=True)

    content = client.get("/").content.decode()

    assert 'class="breaking"' not in content


def section_block_html(content):
    return re.findall(r'<section class="section-block".*?</section>', content, re.S)


def block_headlines(block):
    return re.findall(r'<a href="/[^"]+">([^<]+)</a>', block)


def test_section_blocks_follow_section_order_and_skip_empty_sections(client):
    second = SectionFactory(name="رياضة", position=2)
    first = SectionFactory(name="اقتصاد", position=1)
    SectionFactory(name="قسم فارغ", position=0)
    for hours in range(9):
        for section in (first, second):
            ArticleFactory(
                section=section,
                published_at=timezone.now() - timezone.timedelta(hours=hours + 1),
            )

    response = client.get("/")
    blocks = section_block_html(response.content.decode())

    assert [re.search(r'id="section-(\d+)"', b).group(1) for b in blocks] == [
        str(first.pk),
        str(second.pk),
    ]
    on_top = [response.context["lead"], *response.context["top_stories"]]
    for block, section in zip(blocks, [first, second], strict=True):
        newest_first = section.articles.exclude(pk__in=[a.pk for a in on_top])
        expected = [a.headline for a in newest_first.order_by("-published_at")[:4]]
        assert block_headlines(block) == [section.name, *expected]


def test_section_blocks_change_as_soon_as_a_story_or_section_does(client):
    ArticleFactory.create_batch(7)  # the lead and top stories
    section = SectionFactory(name="اقتصاد")
    story = ArticleFactory(
        section=section,
        headline="العنوان الأول",
        published_at=timezone.now() - timezone.timedelta(days=1),
    )
    client.get("/")  # renders and caches the block

    story.headline = "العنوان المعدل"
    story.save()
    section.name = "المال والأعمال"
    section.save()
    block = section_block_html(client.get("/").content.decode())[-1]

    assert "العنوان المعدل" in block and "العنوان الأول" not in block
    assert "المال والأعمال" in block


def test_a_change_renders_again_only_the_blocks_that_show_it(client):
    ArticleFactory.create_batch(7)  # the lead and top stories
    economy, sport = SectionFactory(name="اقتصاد"), SectionFactory(name="رياضة")
    earlier = timezone.now() - timezone.timedelta(days=1)
    edited = ArticleFactory(section=economy, headline="قبل", published_at=earlier)
    untouched = ArticleFactory(section=sport, headline="كما هو", published_at=earlier)
    client.get("/")  # renders and keeps both blocks

    edited.headline = "بعد"
    edited.save()  # an edit: its keys are purged
    # A change no purge announces (a script behind the site's back): the
    # block showing it is not rendered again, which shows it was kept.
    Article.objects.filter(pk=untouched.pk).update(headline="تغيّر بصمت")
    blocks = section_block_html(client.get("/").content.decode())

    assert any("بعد" in block for block in blocks)
    assert any("كما هو" in block for block in blocks)
    assert not any("تغيّر بصمت" in block for block in blocks)


def test_a_new_pictures_renditions_reach_the_cached_section_block(client):
    ArticleFactory(is_lead=True)
    ArticleFactory.create_batch(6)  # the top stories
    story = with_image(
        ArticleFactory(published_at=timezone.now() - timezone.timedelta(days=1))
    )

    story.picture = Picture.objects.create(
        image=jpeg(color=(200, 30, 30)), alt="صورة جديدة"
    )
    story.save()  # the admin saves the new picture first...
    client.get("/")  # ...a reader may come in before its renditions exist...
    make_renditions(story.picture)  # ...and then they are made
    blocks = section_block_html(client.get("/").content.decode())
    block = next(b for b in blocks if story.headline in b)

    new_rendition = story.picture.renditions["16x9"][0]["name"]
    assert new_rendition in block


def test_section_blocks_are_compact_without_save_buttons(client):
    front_page_data(40)

    content = client.get("/").content.decode()

    assert 'data-toggle="article:' in content  # the lead and top stories
    for block in section_block_html(content):
        assert "toggle-button" not in block


def test_opinion_strip_shows_one_column_per_columnist_with_photo(client):
    writer = columnist(name="هدى الكاتبة")
    ArticleFactory(
        opinion=True,
        authors=[writer],
        headline="عمود قديم",
        published_at=timezone.now() - timezone.timedelta(days=2),
    )
    ArticleFactory(opinion=True, authors=[writer], headline="عمود جديد")

    response = client.get("/")

    assert response.context["columns"] == [(writer, response.context["columns"][0][1])]
    strip = re.search(
        r'<section class="opinion-strip".*?</section>', response.content.decode(), re.S
    ).group(0)
    assert "عمود جديد" in strip and "عمود قديم" not in strip
    assert re.search(r'class="columnist__photo" src="[^"]+" srcset=', strip)


def test_empty_site_home_page_still_renders(client):
    response = client.get("/")

    assert response.status_code == 200
    assert "لم تُنشر أخبار بعد" in response.content.decode()


def test_only_the_first_image_loads_eagerly(client):
    for _ in range(3):
        with_image(ArticleFactory())

    content = client.get("/").content.decode()
    images = re.findall(r"<img [^>]*>", content, re.S)

    assert len(images) >= 3
    assert 'loading="lazy"' not in images[0]
    assert all('loading="lazy"' in img for img in images[1:])
    assert all(re.search(r'alt="[^"]+"', img) for img in images)


def test_home_page_is_public_and_answers_conditional_requests(client):
    ArticleFactory()

    response = client.get("/")

    assert "public" in response["Cache-Control"]
    assert "Set-Cookie" not in response.serialize_headers().decode()
    assert client.get("/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert (
        client.get("/", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code
        == 304
    )


def test_home_page_query_budget_on_300_articles(client, django_assert_max_num_queries):
    articles = front_page_data(300)
    # Pins, but none for the lead: the costliest mix (the pins' one query and
    # the marked lead's). tests/articles/test_front_page.py has the rest.
    ends_at = timezone.now() + timezone.timedelta(hours=6)
    for slot, article in [("top", articles[121]), ("section", articles[101])]:
        FrontPagePin.objects.create(
            slot=slot,
            section=article.section if slot == "section" else None,
            article=article,
            ends_at=ends_at,
        )

    with django_assert_max_num_queries(11):
        response = client.get("/")
    assert response.status_code == 200


def test_footer_language_links_point_to_the_same_page(client):
    section = SectionFactory(slug="اقتصاد")

    content = client.get(section.get_absolute_url()).content.decode()

    assert 'hreflang="en"' in content
    assert re.search(r'href="/en/%D8%A7', content)


def test_authors_factory_edge_author_without_articles_is_not_a_columnist(client):
    AuthorFactory(is_columnist=True)

    assert client.get("/").context["columns"] == []
