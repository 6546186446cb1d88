"""What each change purges at the edge (surrogate keys, articles.cache).

A small HTTP server stands in for Varnish and records the PURGE requests the
site sends after each commit, as Varnish's VCL receives them (recording_edge.py,
the `edge` fixture in conftest.py).
"""

import time

import pytest
from django.db import transaction
from django.urls import reverse

from articles.images import make_renditions
from articles.models import Picture, RelatedArticle, Tag
from tests.articles.admin_forms import CHANGELIST_URL
from tests.articles.reader_data import jpeg
from tests.articles.recording_edge import RecordingEdge
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(edge, committed):
    with committed():
        article = ArticleFactory(authors=[AuthorFactory()], tags=["طاقة"])
    edge.drain()
    return article


def story_keys(article):
    tag = article.tags.get()
    author = article.authors.get()
    return {
        f"article-{article.pk}",
        f"list-section-{article.section_id}",
        f"list-tag-{tag.pk}",
        f"list-author-{author.pk}",
        "list-latest",
        "list-search",
    }


def test_publishing_purges_the_story_and_every_list_it_joins(edge, committed):
    with committed():
        article = ArticleFactory(draft=True, tags=["طاقة"], authors=[AuthorFactory()])
    edge.drain()

    with committed():
        article.publish()

    assert edge.next_purge() == story_keys(article)


def test_editing_and_withdrawing_purge_the_pages_showing_the_story(
    edge, committed, story
):
    with committed():
        story.headline = "عنوان مصحح"
        story.save()
    assert f"article-{story.pk}" in edge.next_purge()

    with committed():
        story.withdraw()
    assert edge.next_purge() == story_keys(story)


def test_one_purge_per_transaction_whatever_the_number_of_saves(edge, committed, story):
    with committed():
        other = ArticleFactory()
    edge.drain()
    with committed():
        with transaction.atomic():
            story.save()
            other.save()
            story.tags.add("مناخ")

    keys = edge.next_purge()
    assert {f"article-{story.pk}", f"article-{other.pk}"} <= keys
    assert f"list-tag-{Tag.objects.get(name='مناخ').pk}" in keys
    assert edge.nothing_more()


def test_nothing_is_purged_before_the_commit_or_after_a_rollback(edge, story):
    # Inside the test's transaction nothing commits, so nothing goes out.
    story.withdraw()
    assert edge.nothing_more()


def test_tags_bylines_and_picks_purge_the_lists_they_touch(edge, committed, story):
    with committed():
        author = AuthorFactory()
        pick = ArticleFactory()
    edge.drain()

    with committed():
        story.tags.add("مناخ")
    assert f"list-tag-{Tag.objects.get(name='مناخ').pk}" in edge.next_purge()

    with committed():
        story.articleauthor_set.create(author=author, position=1)
    assert {f"article-{story.pk}", f"list-author-{author.pk}"} <= edge.next_purge()

    with committed():
        RelatedArticle.objects.create(from_article=story, to_article=pick)
    assert edge.next_purge() == {f"article-{story.pk}"}


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda: SectionFactory(),
            lambda obj: {f"section-{obj.pk}", "sections", "list-latest"},
        ),
        (lambda: AuthorFactory(), lambda obj: {f"author-{obj.pk}", "list-latest"}),
        (
            lambda: Tag.objects.create(name="مناخ", slug="مناخ"),
            lambda obj: {f"tag-{obj.pk}", "list-latest"},
        ),
    ],
    ids=["section", "author", "tag"],
)
def test_renaming_a_section_author_or_tag_purges_where_it_is_named(
    edge, committed, make, expected
):
    with committed():
        obj = make()
    edge.drain()

    with committed():
        obj.name = "اسم جديد"
        obj.save()

    assert edge.next_purge() == expected(obj)


def test_a_new_picture_purges_the_pages_showing_the_story(edge, committed, story):
    story.picture = Picture.objects.create(image=jpeg(), alt="الساحة")
    with committed():
        story.save()
        make_renditions(story.picture)

    assert f"article-{story.pk}" in edge.next_purge()
    assert edge.nothing_more()


def test_withdrawing_from_the_admin_purges_the_story(edge, committed, editor, story):
    with committed():
        response = editor.post(
            CHANGELIST_URL,
            {"action": "withdraw_selected", "_selected_action": [story.pk]},
        )
    assert response.status_code == 302

    assert f"article-{story.pk}" in edge.next_purge()


def test_every_edge_is_purged(settings, committed, story):
    edges = [RecordingEdge(), RecordingEdge()]
    settings.EDGE_PURGE_URLS = [e.url for e in edges]

    with committed():
        story.save()

    for edge in edges:
        assert f"article-{story.pk}" in edge.next_purge()
        edge.shutdown()
        edge.server_close()


def test_a_dead_edge_is_logged_and_never_fails_the_save(
    settings, committed, story, caplog
):
    settings.EDGE_PURGE_URLS = ["http://127.0.0.1:9/"]  # discard port: refused

    with committed() as callbacks:
        story.headline = "تعديل رغم تعطل الحافة"
        story.save()
    story.refresh_from_db()

    assert story.headline == "تعديل رغم تعطل الحافة"
    assert callbacks  # the purge was scheduled after the commit
    deadline = time.monotonic() + 3  # it fails in its own thread
    while "Edge purge failed" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "Edge purge failed (http://127.0.0.1:9/)" in caplog.text


def test_without_edges_nothing_is_sent(settings, committed, story):
    settings.EDGE_PURGE_URLS = []
    with committed() as callbacks:
        story.save()
    assert callbacks  # the content version still moved after the commit


def test_purge_keys_match_the_keys_pages_carry(client, story):
    tag = story.tags.get()
    author = story.authors.get()
    pages = {
        story.get_absolute_url(): f"article-{story.pk}",
        story.section.get_absolute_url(): f"list-section-{story.section_id}",
        tag.get_absolute_url(): f"list-tag-{tag.pk}",
        author.get_absolute_url(): f"list-author-{author.pk}",
        "/": "list-latest",
        reverse("articles:search") + "?q=طاقة": "list-search",
    }
    for url, key in pages.items():
        assert key in client.get(url)["Surrogate-Key"].split(), url
