import datetime
import json
import re
from urllib.parse import quote

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from articles.cache import invalidate
from articles.models import RelatedArticle
from tests.articles.reader_data import front_page_data, with_image
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


def json_ld(response):
    match = re.search(
        r'<script type="application/ld\+json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(match.group(1))


def test_article_page_shows_the_story_once_with_one_h1(client):
    author = AuthorFactory(name="سلمى العبدالله")
    article = ArticleFactory(
        kicker="حصري",
        headline="البرلمان يقر قانون الشفافية",
        standfirst="تصويت بالأغلبية بعد جلسة طويلة.",
        dateline="بيروت",
        authors=[author],
        tags=["شفافية", "برلمان"],
    )

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert "articles/article_detail.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert content.count("<h1") == 1
    assert "البرلمان يقر قانون الشفافية</h1>" in content
    assert "حصري" in content and "تصويت بالأغلبية" in content and "بيروت" in content
    assert f'href="{author.get_absolute_url()}" rel="author"' in content
    assert 'rel="tag"' in content and "شفافية" in content
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', content)


def test_dates_use_arabic_month_names(client):
    article = ArticleFactory()
    article.published_at = article.published_at.replace(month=3, day=15)
    article.save()

    content = client.get(article.get_absolute_url()).content.decode()

    assert "مارس" in content


def test_body_is_rendered_as_sanitised_html(client):
    article = ArticleFactory(
        body='<p>نص <strong>مهم</strong></p><script>alert("x")</script>'
    )

    content = client.get(article.get_absolute_url()).content.decode()

    assert "<strong>مهم</strong>" in content
    assert 'alert("x")' not in content


def test_headline_cannot_break_out_of_the_json_ld(client):
    article = ArticleFactory(headline="عنوان </script><script>alert(1)</script>")

    response = client.get(article.get_absolute_url())

    content = response.content.decode()
    assert "<script>alert(1)" not in content
    assert json_ld(response)["headline"].startswith("عنوان </script>")


def test_wrong_section_or_slug_redirects_permanently_to_the_canonical_url(client):
    article = ArticleFactory()
    other = SectionFactory()
    canonical = article.get_absolute_url()

    wrong_slug = reverse(
        "articles:detail",
        kwargs={"section": article.section.slug, "pk": article.pk, "slug": "قديم"},
    )
    wrong_section = reverse(
        "articles:detail",
        kwargs={"section": other.slug, "pk": article.pk, "slug": article.slug},
    )

    for url in (wrong_slug, wrong_section):
        response = client.get(url)
        assert response.status_code == 301
        assert response["Location"] == canonical


@pytest.mark.parametrize("state", ["draft", "in_review", "scheduled"])
def test_unpublished_articles_answer_404(client, state):
    article = ArticleFactory(**{state: True})

    assert client.get(article.get_absolute_url()).status_code == 404


def test_a_withdrawn_story_is_gone_and_says_so_without_saying_what_it_was(client):
    article = ArticleFactory(headline="خبر سُحب لأسباب قانونية", withdrawn=True)

    response = client.get(article.get_absolute_url())

    assert response.status_code == 410
    page = response.content.decode()
    assert "سُحب هذا المقال" in page
    assert article.headline not in page
    assert '<meta name="robots" content="noindex">' in page
    # Not shared by caches: publishing it again must show at once.
    assert "public" not in response.get("Cache-Control", "")


def test_unknown_article_id_answers_404(client):
    section = SectionFactory()

    assert client.get(f"/{section.slug}/999999-لا-شيء/").status_code == 404


def test_arabic_slug_with_diacritics_round_trips(client):
    article = ArticleFactory(headline="مُؤْتَمَرٌ دَوْلِيٌّ فِي الرِّبَاط")

    assert article.slug == "مؤتمر-دولي-في-الرباط"
    url = article.get_absolute_url()
    assert quote("مؤتمر") in url
    assert client.get(url).status_code == 200


def test_open_graph_twitter_and_canonical_metadata(client, settings):
    settings.SITE_URL = "https://news.example"
    article = with_image(ArticleFactory(tags=["مناخ"]))

    content = client.get(article.get_absolute_url()).content.decode()

    canonical = "https://news.example" + article.get_absolute_url()
    assert f'<link rel="canonical" href="{canonical}">' in content
    assert '<meta property="og:type" content="article">' in content
    assert re.search(
        r'property="og:image" content="https://news.example/media/', content
    )
    assert 'property="article:published_time"' in content
    assert f'property="article:section" content="{article.section.name}"' in content
    assert 'property="article:tag" content="مناخ"' in content
    assert 'name="twitter:card" content="summary_large_image"' in content
    assert '<meta name="description"' in content


def test_json_ld_describes_a_news_article_with_three_crops(client, settings):
    settings.SITE_URL = "https://news.example"
    author = AuthorFactory()
    article = with_image(ArticleFactory(authors=[author]))

    data = json_ld(client.get(article.get_absolute_url()))

    assert data["@type"] == "NewsArticle"
    assert data["headline"] == article.headline
    assert len(data["image"]) == 3
    assert all(url.startswith("https://news.example/") for url in data["image"])
    assert {"16x9", "4x3", "1x1"} <= {
        crop for crop in ("16x9", "4x3", "1x1") for url in data["image"] if crop in url
    }
    assert data["datePublished"] and data["dateModified"]
    assert data["author"] == [
        {
            "@type": "Person",
            "name": author.name,
            "url": "https://news.example" + author.get_absolute_url(),
        }
    ]
    assert data["publisher"]["@type"] == "Organization"
    assert data["publisher"]["logo"]["url"].startswith("https://news.example/static/")
    assert data["mainEntityOfPage"]["@id"] == (
        "https://news.example" + article.get_absolute_url()
    )


def test_opinion_columns_are_opinion_news_articles(client):
    article = ArticleFactory(opinion=True)

    assert json_ld(client.get(article.get_absolute_url()))["@type"] == (
        "OpinionNewsArticle"
    )


def test_figure_has_caption_credit_dimensions_and_srcset(client):
    article = with_image(ArticleFactory(), caption="الميناء فجرًا", credit="رويترز")

    content = client.get(article.get_absolute_url()).content.decode()

    figure = re.search(r"<figure.*?</figure>", content, re.S).group(0)
    assert "الميناء فجرًا" in figure and "رويترز" in figure
    assert "srcset=" in figure and "sizes=" in figure
    assert re.search(r'width="\d+" height="\d+"', figure)
    assert 'alt="متظاهرون في ساحة المدينة"' in figure
    assert 'loading="lazy"' not in figure


def test_article_without_image_tags_or_authors_still_renders(client):
    article = ArticleFactory(standfirst="", dateline="")

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    content = response.content.decode()
    assert "<figure" not in content
    assert 'rel="tag"' not in content
    # Shared links show the site's card; search engines get no picture.
    assert re.search(r'property="og:image" content="[^"]+/share-card\.png"', content)
    assert "image" not in json_ld(response)


def test_twenty_tags_and_three_authors_are_all_linked(client):
    authors = [AuthorFactory() for _ in range(3)]
    article = ArticleFactory(authors=authors, tags=[f"وسم {n}" for n in range(20)])

    content = client.get(article.get_absolute_url()).content.decode()

    assert content.count('rel="tag"') == 20
    assert content.count('rel="author"') == 3
    assert content.count('property="article:tag"') == 20


def test_related_headlines_put_editor_picks_first_then_tags_then_section(client):
    section = SectionFactory()
    article = ArticleFactory(section=section, tags=["مياه", "سدود"])
    picked = ArticleFactory(headline="اختيار المحرر")
    by_two_tags = ArticleFactory(headline="يشترك بوسمين", tags=["مياه", "سدود"])
    by_one_tag = ArticleFactory(headline="يشترك بوسم", tags=["مياه"])
    same_section = ArticleFactory(section=section, headline="من القسم نفسه")
    hidden_pick = ArticleFactory(draft=True, headline="مسودة مرتبطة")
    hidden_tagged = ArticleFactory(scheduled=True, headline="مجدول", tags=["مياه"])
    RelatedArticle.objects.create(from_article=article, to_article=hidden_pick)
    RelatedArticle.objects.create(from_article=article, to_article=picked, position=1)

    response = client.get(article.get_absolute_url())

    related = response.context["related_articles"]
    assert related[:4] == [picked, by_two_tags, by_one_tag, same_section]
    assert article not in related
    assert hidden_pick not in related and hidden_tagged not in related
    content = response.content.decode()
    assert "مسودة مرتبطة" not in content and "مجدول" not in content


def test_related_headlines_follow_withdrawals_and_the_articles_own_edits(client):
    article = ArticleFactory(tags=["مياه"])
    tagged = ArticleFactory(headline="يشترك بوسم", tags=["مياه"])
    dams = ArticleFactory(headline="عن السدود", tags=["سدود"])
    assert tagged in client.get(article.get_absolute_url()).context["related_articles"]

    tagged.status = tagged.Status.WITHDRAWN
    tagged.save()
    article.tags.add("سدود")
    article.save()  # an edit in the admin saves the article with its tags
    related = client.get(article.get_absolute_url()).context["related_articles"]

    assert tagged not in related
    assert related[0] == dams


def test_more_from_section_lists_only_published_articles_of_the_section(client):
    section = SectionFactory()
    article = ArticleFactory(section=section)
    siblings = [ArticleFactory(section=section) for _ in range(8)]
    ArticleFactory(section=section, withdrawn=True, headline="مسحوب من القسم")

    response = client.get(article.get_absolute_url())

    shown = response.context["related_articles"] + response.context["more_from_section"]
    assert set(shown) <= set(siblings)
    assert "مسحوب من القسم" not in response.content.decode()


def test_share_links_are_plain_links_and_copy_button_uses_static_js(client):
    article = ArticleFactory()

    content = client.get(article.get_absolute_url()).content.decode()

    for host in (
        "x.com/intent/post",
        "www.facebook.com/sharer",
        "wa.me",
        "t.me/share",
    ):
        assert f"https://{host}" in content
    assert 'href="mailto:?' in content
    assert "data-copy-url=" in content
    assert "<script src=" in content and "/static/js/site.js" in content
    assert re.search(r"<script>(?!\s*</script>)", content) is None  # no inline JS


def test_anonymous_reader_is_invited_to_sign_up_and_come_back(client):
    article = ArticleFactory()

    content = client.get(article.get_absolute_url()).content.decode()

    signup = reverse("accounts:signup")
    assert f'href="{signup}?next={quote(article.get_absolute_url())}"' in content
    assert "احفظ المقالات" in content and "نشراتنا البريدية" in content


def test_invitation_is_in_every_copy_for_the_script_to_hide(client, reader):
    article = ArticleFactory()

    for response in (
        client.get(article.get_absolute_url()),
        reader.get(article.get_absolute_url()),
    ):
        assert "نشراتنا البريدية" in response.content.decode()
        assert 'class="invite" aria-labelledby="invite-title" data-signed-out' in (
            response.content.decode()
        )
        assert "public" in response["Cache-Control"]


def test_published_article_page_carries_the_view_beacon(client):
    article = ArticleFactory()

    content = client.get(article.get_absolute_url()).content.decode()

    beacon = reverse("articles:count_view", kwargs={"pk": article.pk})
    assert f'data-view-url="{beacon}?token=' in content  # signed, for this story


def view_url(response):
    return re.search(r'data-view-url="([^"]*)"', response.content.decode())[1]


def test_every_copy_of_the_page_carries_the_same_beacon_token(client, reader):
    # The token is in the cached public page: one for every reader, and it
    # changes on the hour only, so copies rendered anew as s-maxage runs out
    # stay byte for byte the same (and answer If-None-Match with a 304).
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    with time_machine.travel(hour + datetime.timedelta(minutes=1), tick=False) as t:
        article = ArticleFactory()
        url = article.get_absolute_url()
        first = client.get(url)
        cache.clear()
        t.shift(datetime.timedelta(minutes=58))  # many s-maxages later
        again = client.get(url)
        cache.clear()
        signed_in = reader.get(url)
        cache.clear()
        t.shift(datetime.timedelta(minutes=2))  # the next hour
        next_hour = client.get(url)

    assert first.content == again.content == signed_in.content
    assert first["ETag"] == again["ETag"]
    assert view_url(next_hour) != view_url(first)


def test_article_context_can_render_a_draft_for_staff_preview(rf):
    from django.template.loader import render_to_string

    from articles.views import get_article_context

    draft = ArticleFactory(draft=True, headline="مسودة للمعاينة")
    request = rf.get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()

    html = render_to_string(
        "articles/article_detail.html", get_article_context(draft), request=request
    )

    assert "مسودة للمعاينة</h1>" in html
    assert "data-view-url" not in html  # previews are not counted


def test_anonymous_article_is_cacheable_and_answers_304(client):
    article = ArticleFactory()
    url = article.get_absolute_url()

    response = client.get(url)

    assert "public" in response["Cache-Control"]
    assert "max-age" in response["Cache-Control"]
    assert response["Last-Modified"] and response["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert (
        client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code
        == 304
    )
    assert client.get(url, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_article_page_query_budget_on_300_articles(
    client, django_assert_max_num_queries
):
    articles = front_page_data(300)
    lead = articles[3]

    with django_assert_max_num_queries(11):
        response = client.get(lead.get_absolute_url())
    # After a publish elsewhere: the related stories are no longer ranked
    # (kept under the story's own key version), only loaded.
    invalidate({"list-latest"})
    with django_assert_max_num_queries(9):
        again = client.get(lead.get_absolute_url())

    assert response.status_code == again.status_code == 200
    assert again.context["related_articles"] == response.context["related_articles"]


def test_canonical_redirect_is_publicly_cacheable(client):
    article = ArticleFactory()
    url = reverse(
        "articles:detail",
        kwargs={"section": article.section.slug, "pk": article.pk, "slug": "قديم"},
    )

    response = client.get(url)

    assert response.status_code == 301
    assert "public" in response["Cache-Control"]
    # Purged with the story: after another slug change it never points at
    # a URL that itself redirects.
    assert f"article-{article.pk}" in response["Surrogate-Key"].split()


def test_search_engines_get_the_largest_pictures_and_the_trail(client, settings):
    settings.SITE_URL = "https://news.example"
    article = with_image(ArticleFactory())  # a 1,600 px original

    response = client.get(article.get_absolute_url())
    page = response.content.decode()

    data = json_ld(response)
    # 16:9 and 4:3 at 1,200 px or more; a 900 px high original gives a 900 px
    # square, its own size (nothing is upscaled).
    widths = [int(re.search(r"_(\d+)\.webp$", url)[1]) for url in data["image"]]
    assert widths == [1280, 1200, 900]
    assert '<meta property="og:image:width" content="1280">' in page
    assert '<meta name="robots" content="max-image-preview:large">' in page
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page)
    trail = json.loads(scripts[1])
    assert trail["@type"] == "BreadcrumbList"
    assert [item["item"] for item in trail["itemListElement"]] == [
        "https://news.example/",
        "https://news.example" + article.section.get_absolute_url(),
        "https://news.example" + article.get_absolute_url(),
    ]
    assert [item["position"] for item in trail["itemListElement"]] == [1, 2, 3]
