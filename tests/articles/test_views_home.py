import re

import pytest
from django.utils import timezone

from tests.articles.reader_data import columnist, front_page_data, with_image
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

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
    assert context["section_blocks"]
    assert all(len(block) <= 4 for _, block in context["section_blocks"])
    assert context["columns"]
    content = response.content.decode()
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


def test_no_breaking_strip_when_nothing_is_breaking(client):
    ArticleFactory()
    ArticleFactory(draft=True, is_breaking=True)

    content = client.get("/").content.decode()

    assert 'class="breaking"' not in content


def test_section_blocks_follow_section_order_and_skip_empty_sections(client):
    second = SectionFactory(name="رياضة", position=2)
    first = SectionFactory(name="اقتصاد", position=1)
    SectionFactory(name="قسم فارغ", position=0)
    for _ in range(9):
        ArticleFactory(section=first)
        ArticleFactory(section=second)

    blocks = client.get("/").context["section_blocks"]

    assert [section for section, _ in blocks] == [first, second]
    for _, block in blocks:
        assert block == sorted(block, key=lambda a: a.published_at, reverse=True)


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
    front_page_data(300)

    with django_assert_max_num_queries(12):
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
