"""The curated front page: editors' pins (FrontPagePin) on the home page."""

import re

import pytest
import time_machine
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, FrontPagePin
from articles.views import front_page
from tests.articles.reader_data import front_page_data, with_image
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/articles/frontpagepin/add/"
CHANGELIST_URL = "/admin/articles/frontpagepin/"
HOUR = timezone.timedelta(hours=1)


def pin(article, slot="top", position=0, **fields):
    fields.setdefault("ends_at", timezone.now() + 24 * HOUR)
    if slot == "section":
        fields.setdefault("section", article.section)
    return FrontPagePin.objects.create(
        article=article, slot=slot, position=position, **fields
    )


def stories(count, section=None, hours_ago=1):
    """`count` published stories, newest first, an hour apart."""
    section = section or SectionFactory()
    return [
        ArticleFactory(
            section=section, published_at=timezone.now() - (hours_ago + n) * HOUR
        )
        for n in range(count)
    ]


def shared_seconds(response):
    return int(re.search(r"s-maxage=(\d+)", response["Cache-Control"])[1])


def block_of(context, section):
    """The stories of `section`'s block on the home page, as ids."""
    return next(b.ids for b in context["section_blocks"] if b.section_id == section.pk)


# Places -------------------------------------------------------------------


def test_pinned_lead_and_top_stories_take_their_places_in_the_editors_order(client):
    latest = stories(12)
    old_lead, second, first = latest[10], latest[8], latest[9]
    pin(old_lead, slot="lead")
    pin(second, position=2)
    pin(first, position=1)

    context = client.get("/").context

    assert context["lead"] == old_lead
    assert context["top_stories"][:2] == [first, second]
    # The other four places fill themselves with the latest stories.
    assert context["top_stories"][2:] == latest[:4]
    shown = [context["lead"], *context["top_stories"], *context["latest"]]
    assert len({a.pk for a in shown}) == len(shown)


def test_places_left_without_a_pin_fill_themselves(client):
    latest = stories(10)
    marked = ArticleFactory(is_lead=True, published_at=timezone.now() - 20 * HOUR)
    pin(latest[7])

    context = client.get("/").context

    # No lead pin: the story marked as lead, as before pins existed.
    assert context["lead"] == marked
    assert context["top_stories"] == [latest[7], *latest[:5]]
    assert context["latest"] == [latest[5], latest[6], *latest[8:]]


def test_without_pins_or_a_marked_lead_the_latest_pictured_story_leads(client):
    latest = stories(3)
    with_image(latest[1])

    assert client.get("/").context["lead"] == latest[1]


def test_a_lead_pin_wins_over_the_story_marked_as_lead(client):
    marked, pinned = ArticleFactory(is_lead=True), ArticleFactory()
    pin(pinned, slot="lead")

    context = client.get("/").context

    assert context["lead"] == pinned
    assert marked in context["top_stories"]


def test_a_story_shows_once_however_often_it_is_pinned(client):
    latest = stories(8)
    pin(latest[5], slot="lead")
    pin(latest[5], slot="top")
    pin(latest[6], slot="top")
    pin(latest[6], slot="section")

    context = client.get("/").context

    assert context["lead"] == latest[5]
    assert context["top_stories"][0] == latest[6]
    assert latest[5] not in context["top_stories"]
    assert all(latest[6].pk not in block.ids for block in context["section_blocks"])


def test_the_earliest_position_wins_when_two_lead_pins_overlap(client):
    first, second = ArticleFactory(), ArticleFactory()
    pin(second, slot="lead", position=2)
    pin(first, slot="lead", position=1)

    assert client.get("/").context["lead"] == first


# Section heads --------------------------------------------------------------


def test_a_section_head_pin_opens_its_sections_block(client):
    stories(7)  # the lead and top stories
    economy = SectionFactory(name="اقتصاد")
    recent = stories(5, section=economy, hours_ago=30)
    older = ArticleFactory(section=economy, published_at=timezone.now() - 72 * HOUR)
    pin(older, slot="section")

    response = client.get("/")

    assert block_of(response.context, economy) == [a.pk for a in [older, *recent[:3]]]
    block = re.search(
        rf'<section class="section-block" aria-labelledby="section-{economy.pk}".*?</section>',
        response.content.decode(),
        re.S,
    )[0]
    title = rf'class="card__title"[^>]*><a href="[^"]+">{re.escape(older.headline)}</a>'
    assert re.search(title, block)


def test_a_pinned_head_brings_a_quiet_sections_block_back_in_section_order(client):
    stories(7)
    first = SectionFactory(name="أول", position=1)
    quiet = SectionFactory(name="قسم هادئ", position=2)
    last = SectionFactory(name="أخير", position=3)
    for section in (first, last):
        stories(2, section=section, hours_ago=30)
    # Older than the month the section blocks look back on.
    archive = ArticleFactory(
        section=quiet, published_at=timezone.now() - 60 * 24 * HOUR
    )
    pin(archive, slot="section")

    context = client.get("/").context

    sections = [block.section_id for block in context["section_blocks"]]
    assert sections.index(first.pk) < sections.index(quiet.pk) < sections.index(last.pk)
    assert block_of(context, quiet) == [archive.pk]


def test_a_section_head_without_a_section_takes_its_storys_section():
    article = ArticleFactory()
    head = FrontPagePin(slot="section", article=article, ends_at=timezone.now() + HOUR)

    head.full_clean()

    assert head.section == article.section


def test_the_database_refuses_a_section_on_a_top_story_pin():
    article = ArticleFactory()
    with pytest.raises(IntegrityError):
        FrontPagePin.objects.create(
            slot="top",
            section=article.section,
            article=article,
            ends_at=timezone.now() + HOUR,
        )


# Time -----------------------------------------------------------------------


def test_an_expired_pin_leaves_the_page_which_never_outlives_it(client):
    latest = stories(8)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        pin(
            latest[6],
            slot="lead",
            ends_at=timezone.now() + timezone.timedelta(seconds=90),
        )
        pinned = client.get("/")
        traveller.shift(60)
        cached = client.get("/")
        traveller.shift(31)
        after = client.get("/")

    assert pinned.context["lead"] == latest[6]
    assert 89 <= shared_seconds(pinned) <= 90
    assert "max-age=30" in pinned["Cache-Control"]
    # The page cache serves it no longer than its s-maxage, then renders anew.
    assert cached["X-Page-Cache"] == "hit"
    assert after["X-Page-Cache"] == "miss"
    assert after.context["lead"] == latest[0]
    assert shared_seconds(after) == 300


def test_a_pin_due_later_shows_from_its_start_and_the_page_expires_then(client):
    latest = stories(8)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        starts_at = timezone.now() + timezone.timedelta(seconds=120)
        pin(latest[6], slot="lead", starts_at=starts_at, ends_at=starts_at + HOUR)
        before = client.get("/")
        traveller.shift(121)
        during = client.get("/")

    assert before.context["lead"] != latest[6]
    assert 119 <= shared_seconds(before) <= 120
    assert during.context["lead"] == latest[6]
    assert during.context["changes_at"] == starts_at + HOUR
    assert shared_seconds(during) == 300


def test_a_new_pin_moves_the_pages_last_modified(client):
    latest = stories(8)
    before = client.get("/")

    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=5)):
        pin(latest[6], slot="lead")
        after = client.get("/", HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])

    assert after.status_code == 200
    assert after["Last-Modified"] != before["Last-Modified"]


def test_a_pin_on_a_story_due_later_waits_for_the_story(client):
    stories(8)
    embargoed = ArticleFactory(scheduled=True)
    pin(embargoed, slot="lead", ends_at=timezone.now() + 48 * HOUR)

    assert client.get("/").context["lead"] != embargoed

    with time_machine.travel(embargoed.published_at + timezone.timedelta(seconds=1)):
        assert client.get("/").context["lead"] == embargoed


def unpublish(article):
    article.status = Article.Status.DRAFT
    article.save()


@pytest.mark.parametrize(
    "hide",
    [
        pytest.param(Article.withdraw, id="withdrawn"),
        pytest.param(unpublish, id="unpublished"),
        pytest.param(lambda a: a.publish(when=timezone.now() + HOUR), id="embargoed"),
    ],
)
def test_a_pinned_story_readers_cannot_see_vanishes_from_every_place(client, hide):
    latest = stories(8)
    hidden = ArticleFactory(
        headline="قصة مثبتة ستختفي", published_at=timezone.now() - 30 * HOUR
    )
    for slot in ("lead", "top", "section"):
        pin(hidden, slot=slot)
    assert client.get("/").context["lead"] == hidden  # and the page is cached

    hide(hidden)
    response = client.get("/")

    assert response.context["lead"] == latest[0]
    assert "قصة مثبتة ستختفي" not in response.content.decode()


# Purges ---------------------------------------------------------------------


def test_the_home_page_alone_carries_the_front_key(client):
    article = ArticleFactory()
    pin(article, slot="section")

    home = client.get("/")["Surrogate-Key"].split()
    section_page = client.get(article.section.get_absolute_url())["Surrogate-Key"]

    assert {"front", "list-latest"} <= set(home)
    assert "front" not in section_page.split()


def test_making_changing_and_removing_a_pin_purge_the_home_page(edge, committed):
    with committed():
        article = ArticleFactory()
    edge.drain()

    with committed():
        lead = pin(article, slot="lead")
    assert edge.next_purge() == {"front"}

    with committed():
        lead.position = 3
        lead.save()
    assert edge.next_purge() == {"front"}

    with committed():
        head = pin(article, slot="section")
    assert edge.next_purge() == {"front"}

    with committed():
        head.delete()
    assert edge.next_purge() == {"front"}
    assert edge.nothing_more()


def test_withdrawing_a_pinned_story_purges_a_key_the_home_page_carries(
    client, edge, committed
):
    with committed():
        article = ArticleFactory()
        pin(article, slot="lead")
    edge.drain()
    carried = set(client.get("/")["Surrogate-Key"].split())

    with committed():
        article.withdraw()

    assert f"article-{article.pk}" in carried
    assert f"article-{article.pk}" in edge.next_purge()


def test_a_pin_made_in_the_admin_is_purged_after_the_commit(editor, edge, committed):
    with committed():
        article = ArticleFactory()
    edge.drain()

    with committed():
        response = editor.post(ADD_URL, pin_form(article, slot="lead"))

    assert response.status_code == 302
    assert "front" in edge.next_purge()


# Admin ----------------------------------------------------------------------


def pin_form(
    article, *, slot="top", section="", position=0, starts_at=None, ends_at=None
):
    ends_at = timezone.localtime(ends_at or timezone.now() + 24 * HOUR)
    starts_at = starts_at and timezone.localtime(starts_at)
    return {
        "slot": slot,
        "section": str(section.pk) if section else "",
        "article": str(article.pk),
        "position": str(position),
        "starts_at_0": starts_at.strftime("%Y-%m-%d") if starts_at else "",
        "starts_at_1": starts_at.strftime("%H:%M:%S") if starts_at else "",
        "ends_at_0": ends_at.strftime("%Y-%m-%d"),
        "ends_at_1": ends_at.strftime("%H:%M:%S"),
    }


def form_errors(response):
    form = response.context["adminform"].form
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def test_an_editor_pins_a_section_head_from_the_admin(editor, editor_user, client):
    article = ArticleFactory()

    response = editor.post(ADD_URL, pin_form(article, slot="section"))

    assert response.status_code == 302, form_errors(response)
    head = FrontPagePin.objects.get()
    assert head.section == article.section  # taken from the story
    assert head.created_by == editor_user
    assert block_of(client.get("/").context, article.section)[0] == article.pk


def test_an_editor_reorders_top_stories_from_the_pin_list(editor, client):
    first, second = ArticleFactory(), ArticleFactory()
    pins = [pin(first, position=0), pin(second, position=1)]
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "form-0-id": str(pins[0].pk),
        "form-0-position": "5",
        "form-1-id": str(pins[1].pk),
        "form-1-position": "1",
        "_save": "حفظ",
    }

    response = editor.post(CHANGELIST_URL, data)

    assert response.status_code == 302
    assert client.get("/").context["top_stories"][:2] == [second, first]


def test_the_pin_list_shows_the_page_order_and_what_is_showing(editor):
    article, withdrawn = ArticleFactory(), ArticleFactory()
    pin(article, slot="section")
    pin(article, slot="top")
    pin(withdrawn, slot="lead")
    withdrawn.withdraw()

    response = editor.get(CHANGELIST_URL)

    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert [row.slot for row in rows] == ["lead", "top", "section"]
    assert [row.is_showing() for row in rows] == [False, True, True]
    live = editor.get(CHANGELIST_URL, {"state": "live"}).context["cl"].result_list
    assert len(live) == 3


def test_the_add_form_proposes_an_end_a_day_ahead_and_the_chosen_story(editor):
    article = ArticleFactory()

    response = editor.get(ADD_URL, {"article": article.pk})

    form = response.context["adminform"].form
    assert str(form.initial["article"]) == str(article.pk)
    ahead = form.initial["ends_at"] - timezone.now()
    assert 23 * HOUR < ahead <= 24 * HOUR


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (lambda article: {"ends_at": timezone.now() - HOUR}, "في المستقبل"),
        (
            lambda article: {
                "starts_at": timezone.now() + 3 * HOUR,
                "ends_at": timezone.now() + 2 * HOUR,
            },
            "وقت الانتهاء بعد وقت البدء",
        ),
        (
            lambda article: {"slot": "top", "section": article.section},
            "رأس القسم يحتاج إلى قسم",
        ),
    ],
    ids=["ended", "ends-before-start", "section-on-top-story"],
)
def test_the_admin_refuses_a_pin_that_cannot_work(editor, fields, message):
    article = ArticleFactory()

    response = editor.post(ADD_URL, pin_form(article, **fields(article)))

    assert response.status_code == 200
    assert message in form_errors(response)
    assert not FrontPagePin.objects.exists()


def test_only_published_stories_can_be_pinned(editor):
    draft = ArticleFactory(draft=True, headline="مسودة للتثبيت")
    ArticleFactory(headline="منشور للتثبيت")

    found = editor.get(
        "/admin/autocomplete/",
        {
            "app_label": "articles",
            "model_name": "frontpagepin",
            "field_name": "article",
            "term": "للتثبيت",
        },
    ).json()
    response = editor.post(ADD_URL, pin_form(draft))

    assert [r["text"] for r in found["results"]] == ["منشور للتثبيت"]
    assert response.status_code == 200
    assert not FrontPagePin.objects.exists()


def test_writers_can_neither_see_nor_make_pins(writer):
    article = ArticleFactory()

    assert writer.get(CHANGELIST_URL).status_code == 403
    assert writer.get(ADD_URL).status_code == 403
    assert writer.post(ADD_URL, pin_form(article)).status_code == 403
    assert not FrontPagePin.objects.exists()
    assert "الواجهة" not in writer.get("/admin/").content.decode()


def test_writers_cannot_change_or_delete_an_editors_pin(writer):
    lead = pin(ArticleFactory(), slot="lead")
    change = f"{CHANGELIST_URL}{lead.pk}/change/"

    assert writer.post(change, pin_form(lead.article, position=9)).status_code == 403
    assert (
        writer.post(f"{CHANGELIST_URL}{lead.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    lead.refresh_from_db()
    assert lead.position == 0


def test_editors_pin_a_story_from_the_article_list(editor, writer):
    article = ArticleFactory()
    action = {"action": "pin_to_front_page", "_selected_action": [article.pk]}

    response = editor.post("/admin/articles/article/", action)

    assert response.status_code == 302
    assert response["Location"] == f"{ADD_URL}?article={article.pk}"
    actions = writer.get("/admin/articles/article/").context["action_form"]
    assert "pin_to_front_page" not in dict(actions.fields["action"].choices)


def test_the_pin_action_wants_one_published_story(editor):
    both = [ArticleFactory(), ArticleFactory()]
    action = {
        "action": "pin_to_front_page",
        "_selected_action": [a.pk for a in both],
    }

    response = editor.post("/admin/articles/article/", action, follow=True)

    assert "اختر مقالًا منشورًا واحدًا" in response.content.decode()


# Queries ----------------------------------------------------------------------


def test_pins_cost_one_query_whatever_their_number(django_assert_max_num_queries):
    articles = front_page_data(60)
    with CaptureQueriesContext(connection) as unpinned:
        front_page()
    pin(articles[41], slot="lead")
    for position, article in enumerate(articles[30:36]):
        pin(article, position=position)
    for article in articles[20:26]:
        pin(article, slot="section")

    with CaptureQueriesContext(connection) as pinned:
        context = front_page()

    assert context["lead"] == articles[41]
    # The lead pin spares the query for the story marked as lead.
    assert len(pinned) <= len(unpinned)
    with django_assert_max_num_queries(8):
        front_page()


def test_curated_home_page_query_budget_on_300_articles(
    client, django_assert_max_num_queries
):
    articles = front_page_data(300)
    pin(articles[201], slot="lead")
    pin(articles[151], position=1)
    pin(articles[121], position=0)
    pin(articles[101], slot="section")

    with django_assert_max_num_queries(10):
        response = client.get("/")
    assert response.status_code == 200
    assert response.context["top_stories"][:2] == [articles[121], articles[151]]
