"""/search/: Arabic-aware matching, ranking, filters, bad input, highlighting.

These run on SQLite (FTS5 fallback) and on PostgreSQL (weighted tsvector);
the few that only make sense on PostgreSQL are marked `postgres`.
"""

import io
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.models import Article
from articles.search.documents import refresh_search_documents, update_search_document
from articles.search.query import parse_query, search_articles

from ...factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("articles:search")
requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL full-text search"
)


def indexed(**kwargs):
    """An article whose search document is written, as the admin does on save."""
    article = ArticleFactory(**kwargs)
    update_search_document(article)
    return article


@pytest.fixture
def found(client):
    """Search as a reader would; the articles on the first page, in order."""

    def search(query, **params):
        response = client.get(SEARCH, {"q": query, **params})
        assert response.status_code == 200
        return [r["article"] for r in response.context.get("results") or []]

    return search


# Arabic spelling ----------------------------------------------------------


def test_query_without_hamza_or_taa_marbuta_finds_the_written_headline(found):
    article = indexed(headline="مفاوضات الأسلحة النووية تتعثر في جنيف")
    assert found("الاسلحه النوويه") == [article]


def test_taa_marbuta_and_haa_find_each_other(found):
    with_taa = indexed(headline="خطة مكافحة التصحر", body="")
    with_haa = indexed(headline="لجنة مكافحه الفساد", body="")
    assert set(found("مكافحة")) == {with_taa, with_haa}
    assert set(found("مكافحه")) == {with_taa, with_haa}


def test_diacritics_and_tatweel_are_ignored_both_ways(found):
    plain = indexed(headline="المدرسة الجديدة تفتح أبوابها")
    vowelled = indexed(headline="الحُكُومَةُ تُعلِنُ المـــيزانية")
    assert found("المَدْرَسَةُ") == [plain]
    assert found("الحكومة") == [vowelled]
    assert found("الميزانية") == [vowelled]


def test_alef_maqsura_and_arabic_indic_digits_fold(found):
    article = indexed(headline="مستشفى جديد يفتح عام ٢٠٢٥")
    assert found("مستشفي 2025") == [article]


def test_tags_authors_kicker_and_standfirst_are_searchable(found):
    author = AuthorFactory(name="ليلى الحسيني")
    article = indexed(
        headline="عنوان عام",
        kicker="تقرير خاص",
        standfirst="الجفاف يضرب المزارعين",
        tags=["المناخ"],
        authors=[author],
    )
    for query in ("الحسيني", "المناخ", "الجفاف", "تقرير"):
        assert found(query) == [article], query


def test_stories_with_every_word_come_before_stories_with_most(found):
    partial = indexed(headline="زلزال قوي في اليابان", body="")
    both = indexed(headline="زلزال قوي يضرب المغرب", body="")
    indexed(headline="أمطار في المغرب", body="")
    assert found("زلزال المغرب قوي") == [both, partial]


def test_most_of_the_words_fill_the_page_when_a_rare_word_finds_nothing(found):
    """A five-word query with one word no story has still finds something."""
    article = indexed(headline="البنك المركزي يرفع أسعار الفائدة", body="")
    assert found("البنك المركزي يرفع الفائدة زيمبابوي") == [article]


def test_partial_matches_are_left_out_when_a_page_has_every_word(found):
    for _ in range(20):
        indexed(headline="زلزال قوي يضرب المغرب", body="")
    indexed(headline="زلزال في اليابان", body="")
    results = found("زلزال المغرب")
    assert len(results) == 20
    assert all("المغرب" in article.headline for article in results)


def test_stop_words_do_not_decide_the_match(found):
    article = indexed(headline="الاقتصاد المغربي ينمو")
    assert found("في الاقتصاد من") == [article]


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("الحكومة تعلن خطتها", "حكومة"),
        ("وزير الخارجية يزور عمّان", "الوزير"),
        ("حملة لمكافحة الفساد", "مكافحه"),
        ("المستشفيات تستقبل الجرحى", "مستشفيات"),
        ("اجتماع الوزراء العرب", "وزير"),
        ("تهريب الأسلحة عبر الحدود", "سلاح"),
        ("الوزيرة تفتتح المعرض", "وزير"),
        ("قادة الدول يجتمعون", "دولة"),
        ("كتابهم الجديد في المعرض", "كتاب"),
        ("القمة العربية في الرياض", "القمه العربيه"),
        ("قمة ٢٠٢٦ للمناخ", "قمة 2026"),
        ("وزير الاقتصاد الجديد", "وزیر"),  # Persian yeh
        ("كأس العالم", "کأس"),  # Persian kaf
        ("مكافحة التصحر", "مُكافَحَة"),
        ("مكافحة التصحر", "مكـــافحة"),
    ],
)
def test_everyday_variants_of_a_word_find_the_story(written, typed, found):
    article = indexed(headline=written, body="")
    assert found(typed) == [article]


def test_the_reader_s_exact_spelling_ranks_above_other_forms(found):
    other_form = indexed(headline="الوزراء يجتمعون اليوم", body="")
    exact = indexed(headline="الوزير يجتمع اليوم", body="")
    assert found("الوزير") == [exact, other_form]


# Phrases ----------------------------------------------------------------------


@pytest.mark.parametrize("quoted", ['"وزير الخارجية"', "«وزير الخارجية»"])
def test_quoted_phrase_matches_the_words_together_only(quoted, found):
    together = indexed(headline="وزير الخارجية يصل إلى الرباط", body="")
    indexed(headline="وزير يلتقي نظيره في الخارجية", body="")
    assert found(quoted) == [together]


def test_phrase_ignores_stop_words_and_variants_inside_it(found):
    article = indexed(headline="وزراء خارجية الدول العربية يجتمعون", body="")
    assert found('"وزير في خارجيه"') == [article]


def test_phrase_does_not_run_from_headline_into_standfirst(found):
    indexed(headline="اجتماع الوزير", standfirst="الخارجية تؤكد", body="")
    assert found('"الوزير الخارجية"') == []


def test_unbalanced_quote_is_harmless(found):
    article = indexed(headline="وزير الخارجية يصل", body="")
    assert found('"وزير الخارجية') == [article]


# Typos ------------------------------------------------------------------------


def test_a_typo_is_corrected_and_the_reader_is_told(client):
    article = indexed(headline="الحكومة الجديدة تؤدي اليمين", body="")
    response = client.get(SEARCH, {"q": "الحكومو الجديدة"})
    assert [r["article"] for r in response.context["results"]] == [article]
    page = response.content.decode()
    assert "لم نجد «الحكومو الجديدة»" in page
    # The correction is offered as the story spells it, as a link.
    link = f'href="?{urlencode({"q": "الحكومة الجديدة"})}"'
    assert link in page


def test_did_you_mean_keeps_the_filters(client):
    section = SectionFactory(slug="politics")
    indexed(headline="الحكومة الجديدة", section=section, body="")
    page = client.get(SEARCH, {"q": "الحكومو", "section": "politics"}).content.decode()
    assert escape(urlencode({"q": "الحكومة", "section": "politics"})) in page


def test_a_known_word_is_not_corrected(client):
    indexed(headline="الحكومة الجديدة", body="")
    indexed(headline="القرار الحكومي المنتظر", body="")
    response = client.get(SEARCH, {"q": "الحكومي"})
    assert "suggestion" not in response.context
    assert (
        response.context["results"][0]["article"].headline == "القرار الحكومي المنتظر"
    )


def test_a_word_too_far_from_any_is_not_corrected(client):
    indexed(headline="الحكومة الجديدة", body="")
    response = client.get(SEARCH, {"q": "برتقال"})
    assert "suggestion" not in response.context
    assert not response.context["results"]


def test_typo_with_few_full_matches_offers_the_correction_as_a_link(client):
    typo_story = indexed(headline="الحكومو خطأ مطبعي في عنوان", body="")
    indexed(headline="الحكومة الجديدة", body="")
    response = client.get(SEARCH, {"q": "الحكومو"})
    # The word as typed exists, so it is searched as typed.
    assert "suggestion" not in response.context
    assert [r["article"] for r in response.context["results"]] == [typo_story]


def test_a_spelling_only_unpublished_stories_use_is_never_offered(client):
    indexed(headline="ليلة في قرنفلستان", body="", draft=True)
    indexed(
        headline="موسم في قرنفلستان",
        body="",
        published_at=timezone.now() + timezone.timedelta(hours=3),
    )

    response = client.get(SEARCH, {"q": "قرنفلستاب"})

    assert response.status_code == 200
    assert "suggestion" not in response.context
    assert "قرنفلستان" not in response.content.decode()


# Sorting ----------------------------------------------------------------------


def test_newest_first_sort(found):
    with time_machine.travel(timezone.now() - timedelta(days=30)):
        old_headline = indexed(headline="الانتخابات البلدية", body="")
    new_body = indexed(headline="يوم هادئ", body="<p>الانتخابات البلدية</p>")
    assert found("الانتخابات") == [old_headline, new_body]
    assert found("الانتخابات", sort="newest") == [new_body, old_headline]


def test_junk_sort_is_reported_and_results_kept(client):
    article = indexed(headline="الانتخابات البلدية", body="")
    response = client.get(SEARCH, {"q": "الانتخابات", "sort": "<script>"})
    assert response.status_code == 200
    assert [r["article"] for r in response.context["results"]] == [article]
    assert "لا نعرف هذا الترتيب" in response.content.decode()


# Visibility -----------------------------------------------------------------


@pytest.mark.parametrize(
    "state",
    [{"draft": True}, {"in_review": True}, {"withdrawn": True}, {"scheduled": True}],
    ids=["draft", "in review", "withdrawn", "scheduled"],
)
def test_unpublished_articles_are_never_found(state, found):
    indexed(headline="فضيحة الميناء الكبرى", **state)
    assert found("فضيحة الميناء") == []


def test_withdrawing_an_indexed_article_hides_it_at_once(found):
    article = indexed(headline="فضيحة الميناء الكبرى")
    article.withdraw()
    assert found("فضيحة") == []


def test_an_article_without_a_document_is_not_found_until_reindexed(found):
    article = ArticleFactory(headline="قمة الرياض الاقتصادية")
    assert found("قمة الرياض") == []
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert found("قمة الرياض") == [article]


# Ranking --------------------------------------------------------------------


def test_headline_match_ranks_above_body_only_match(found):
    in_body = indexed(
        headline="أخبار متفرقة",
        body="<p>تحدث الوزير عن الطاقة الشمسية في مؤتمر صحافي طويل.</p>",
    )
    in_headline = indexed(headline="الطاقة الشمسية تغزو الصحراء", body="<p>نص.</p>")
    assert found("الطاقة الشمسية") == [in_headline, in_body]


def test_fresh_story_beats_old_story_of_equal_relevance(found):
    now = timezone.now()
    old = indexed(
        headline="انتخابات بلدية", published_at=now - timezone.timedelta(days=400)
    )
    fresh = indexed(
        headline="انتخابات بلدية", published_at=now - timezone.timedelta(hours=2)
    )
    assert found("انتخابات") == [fresh, old]


# Filters and pagination -----------------------------------------------------


def test_section_filter_keeps_that_section_only(found):
    sport, economy = SectionFactory(slug="رياضة"), SectionFactory(slug="اقتصاد")
    in_sport = indexed(headline="ملعب جديد", section=sport)
    indexed(headline="ملعب للبيع", section=economy)
    assert found("ملعب", section="رياضة") == [in_sport]


def test_date_range_filter(found):
    now = timezone.now()
    indexed(headline="موسم الحصاد", published_at=now - timezone.timedelta(days=60))
    recent = indexed(
        headline="موسم الحصاد", published_at=now - timezone.timedelta(days=2)
    )
    since = (now - timezone.timedelta(days=10)).date().isoformat()
    until = now.date().isoformat()
    assert found("الحصاد", date_from=since, date_to=until) == [recent]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "أمس"}, "سنة-شهر-يوم"),
        ({"date_to": "2024-13-45"}, "سنة-شهر-يوم"),
        ({"date_from": "2025-02-01", "date_to": "2025-01-01"}, "يسبق"),
        ({"section": "لا-يوجد"}, "غير موجود"),
        ({"date_from": "99999-01-01"}, "سنة-شهر-يوم"),
    ],
)
def test_junk_filters_answer_200_with_a_message_and_keep_results(
    client, params, message
):
    article = indexed(headline="ملعب جديد")
    response = client.get(SEARCH, {"q": "ملعب", **params})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert [r["article"] for r in response.context["results"]] == [article]


def test_results_are_paginated_with_filters_kept_in_links(client):
    for _ in range(23):
        indexed(headline="أمطار غزيرة")
    first = client.get(SEARCH, {"q": "أمطار"})
    assert len(first.context["results"]) == 20
    assert first.context["page_obj"].paginator.count == 23
    assert "عدد النتائج: 23" in first.content.decode()
    assert "page=2" in first.content.decode()
    second = client.get(SEARCH, {"q": "أمطار", "page": "2"})
    assert len(second.context["results"]) == 3


@pytest.mark.parametrize("page", ["9", "0", "-1", "abc", "1e9", "٢"])
def test_junk_or_out_of_range_page_is_404(client, page):
    indexed(headline="أمطار غزيرة")
    assert client.get(SEARCH, {"q": "أمطار", "page": page}).status_code == 404


# Bad input ------------------------------------------------------------------

BAD_QUERIES = [
    "س" * 10_000,
    "& | ! : * ( ) ' \"",
    "النووية & | ! الأسلحة:* (",
    '"unterminated',
    "NEAR(a b) AND OR NOT",
    "😀🔥 🇸🇦",
    "\u064e\u0651\u0652",
    "ـــــ",
    "'; DROP TABLE articles_article; --",
    "1' OR '1'='1",
    "   \t\n  ",
    "\x00null",
    "-",
    "في من على إلى",
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_input_answers_200_with_a_sensible_page(client, query):
    indexed(headline="الأسلحة النووية")
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert response.context["form"] is not None
    assert "suggested_sections" in response.context or response.context["results"]


def test_long_query_is_cut_to_a_sane_length():
    terms = parse_query("كلمة " * 5000)
    assert len(terms.text) <= 200
    assert len(terms.words) <= 12


def test_query_still_finds_after_junk_around_it(found):
    article = indexed(headline="الأسلحة النووية")
    assert found("!!الأسلحة** & (النووية)") == [article]


# Page -----------------------------------------------------------------------


def test_empty_query_page_suggests_sections_and_latest(client):
    SectionFactory(name="الرياضة", slug="رياضة")
    ArticleFactory(headline="آخر خبر منشور")
    response = client.get(SEARCH)
    assert response.status_code == 200
    assert response.templates[0].name == "articles/search.html"
    body = response.content.decode()
    assert "عمّ تبحث؟" in body
    assert "الرياضة" in body and "آخر خبر منشور" in body


def test_no_results_page_suggests_sections_and_latest(client):
    ArticleFactory(headline="آخر خبر منشور")
    response = client.get(SEARCH, {"q": "كلمةغيرموجودة"})
    body = response.content.decode()
    assert "لم نجد ما يطابق بحثك" in body
    assert "آخر خبر منشور" in body


def test_header_box_shows_the_query(client):
    response = client.get(SEARCH, {"q": "الأسلحة"})
    assert 'id="site-search-q"' in response.content.decode()
    assert 'value="الأسلحة"' in response.content.decode()


def test_matches_are_highlighted_in_headline_and_snippet(client):
    indexed(
        headline="مفاوضات الأسلحة النووية",
        body="<p>قال المفاوضون إن ملف الأسلحة النووية ما زال عالقًا.</p>",
    )
    body = client.get(SEARCH, {"q": "الاسلحه"}).content.decode()
    assert "مفاوضات <mark>الأسلحة</mark> النووية" in body
    assert "ملف <mark>الأسلحة</mark> النووية" in body


def test_a_variant_query_marks_the_word_as_the_story_spells_it(client):
    indexed(headline="اجتماع الوزراء العرب", body="<p>وصل الوزراء إلى القاهرة.</p>")
    page = client.get(SEARCH, {"q": "وزير"}).content.decode()
    assert "اجتماع <mark>الوزراء</mark> العرب" in page
    assert "وصل <mark>الوزراء</mark> إلى" in page


def test_highlighting_never_cuts_a_word_with_diacritics(client):
    indexed(headline="مُكافَحة التصحّر", body="")
    page = client.get(SEARCH, {"q": "مكافحة"}).content.decode()
    assert "<mark>مُكافَحة</mark> التصحّر" in page


def test_highlighting_escapes_html_in_headline_and_body(client):
    indexed(
        headline='<script>alert("x")</script> فضيحة',
        body="<p>فضيحة &lt;img src=x onerror=alert(1)&gt;</p>",
    )
    body = client.get(SEARCH, {"q": "فضيحة"}).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert" in body
    assert "<img src=x" not in body
    assert "<mark>فضيحة</mark>" in body


def test_query_budget(client, django_assert_max_num_queries):
    author = AuthorFactory()
    for _ in range(20):
        indexed(headline="أمطار غزيرة", authors=[author], tags=["طقس"])
    with django_assert_max_num_queries(8):
        response = client.get(SEARCH, {"q": "أمطار"})
    assert len(response.context["results"]) == 20


# Index maintenance ------------------------------------------------------------


def test_editing_then_updating_the_document_changes_what_is_found(found):
    article = indexed(headline="عنوان قديم")
    article.headline = "عنوان مختلف تماما"
    article.save()
    article.tags.add("البرلمان")
    update_search_document(article)
    assert found("قديم") == []
    assert found("البرلمان") == [article]


def test_rebuild_command_reports_progress_in_batches(found):
    for _ in range(5):
        ArticleFactory(headline="سد النهضة")
    out = io.StringIO()
    call_command("rebuild_search_index", "--batch-size", "2", stdout=out)
    output = out.getvalue()
    assert "2/5" in output and "4/5" in output and "5/5" in output
    assert len(found("النهضة")) == 5


def test_refresh_returns_the_number_written():
    ArticleFactory.create_batch(3)
    assert refresh_search_documents(Article.objects.all()) == 3


# PostgreSQL specifics ---------------------------------------------------------


@pytest.mark.postgres
@requires_postgres
def test_the_first_tier_reads_only_the_short_title_vector():
    results = search_articles(Article.objects.published(), parse_query("الأسلحة"))
    (ranked, _), (body_only, _) = results.tiers
    assert '"articles_article"."search_title_vector" @@' in str(ranked.query)
    # Tier 1 tests the short vector only; tier 2 needs the whole text.
    assert '"articles_article"."search_vector" @@' not in str(ranked.query)
    assert '"articles_article"."search_vector" @@' in str(body_only.query)


def test_stemming_finds_other_forms_of_the_word(found):
    article = indexed(headline="المعلمون يضربون عن العمل")
    assert found("المعلم") == [article]


@pytest.mark.postgres
@requires_postgres
def test_stop_words_are_not_in_the_stored_document():
    article = indexed(headline="الوزير في الرياض من أجل القمة")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_vector::text FROM articles_article WHERE id = %s",
            [article.pk],
        )
        (vector,) = cursor.fetchone()
    assert "'في'" not in vector and "'من'" not in vector
    # The stem and the surface form share the headline's first position.
    assert "'وزير':1A" in vector and "'=الوزير':1A" in vector


def test_anonymous_results_are_publicly_cacheable(client):
    response = client.get(SEARCH, {"q": "أمطار"})
    assert "public" in response["Cache-Control"]


def test_results_are_public_and_the_same_for_a_signed_in_reader(client, reader):
    signed_in = reader.get(SEARCH, {"q": "أمطار"})
    assert "public" in signed_in["Cache-Control"]
    assert signed_in.content == client.get(SEARCH, {"q": "أمطار"}).content


@pytest.mark.postgres
@requires_postgres
def test_count_is_capped_and_reported_as_more_than(client, monkeypatch, found):
    from articles.search.query import TieredResults

    monkeypatch.setattr(TieredResults, "COUNT_CAP", 3)
    for _ in range(2):
        indexed(headline="موجة حر")
    for _ in range(3):
        indexed(headline="طقس", body="<p>موجة حر شديدة</p>")
    response = client.get(SEARCH, {"q": "موجة حر"})
    assert "أكثر من 3" in response.content.decode()
    # Paging stops at the cap, like any "200+" result list.
    assert len(response.context["results"]) == 3


@pytest.mark.postgres
@requires_postgres
def test_pages_continue_from_headline_matches_into_body_matches(client):
    for _ in range(15):
        indexed(headline="موجة حر")
    for _ in range(10):
        indexed(headline="طقس", body="<p>موجة حر شديدة</p>")
    first = client.get(SEARCH, {"q": "موجة حر"}).context["results"]
    second = client.get(SEARCH, {"q": "موجة حر", "page": 2}).context["results"]
    headlines = [r["article"].headline for r in first + second]
    assert headlines == ["موجة حر"] * 15 + ["طقس"] * 10


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(query=st.text(max_size=300))
def test_any_text_is_a_safe_query(query):
    """Whatever is typed, the database never sees a malformed search."""
    terms = parse_query(query)
    assert len(terms.text) <= 200
    results = search_articles(Article.objects.published(), terms)
    assert results.count() >= 0
    assert list(results[:20]) is not None
