"""/account/state/: what public pages cannot carry, for their script."""

import pytest
from django.urls import reverse

from accounts.middleware import STATE_COOKIE
from accounts.models import Follow, SavedArticle
from articles.models import Tag
from tests.accounts.conftest import PASSWORD
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

STATE = reverse("accounts:state")


def state(client, **params):
    response = client.get(STATE, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response


def test_it_is_private_and_never_stored(reader):
    response = state(reader)

    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert "Surrogate-Key" not in response


def test_it_tells_a_reader_what_they_saved_and_follow_among_the_pages_items(reader):
    saved, unsaved = ArticleFactory(), ArticleFactory()
    section, author = SectionFactory(), AuthorFactory()
    tag = Tag.objects.create(name="طاقة", slug="طاقة")
    SavedArticle.objects.create(user=reader.user, article=saved)
    Follow.objects.create(user=reader.user, section=section)
    Follow.objects.create(user=reader.user, author=author)
    follows = f"section:{section.pk},tag:{tag.pk},author:{author.pk}"

    data = state(reader, a=f"{saved.pk},{unsaved.pk}", f=follows).json()

    assert data["signed_in"] is True
    assert data["name"] == reader.user.get_short_name()
    assert data["saved"] == [saved.pk]
    assert data["following"] == [f"author:{author.pk}", f"section:{section.pk}"]
    assert len(data["csrf_token"]) == 64
    assert data["messages"] == []
    # Where the page's buttons post: the public markup carries no such URLs.
    assert data["toggle_urls"]["article"] == [
        "/articles/{id}/save/",
        "/articles/{id}/unsave/",
    ]
    assert data["toggle_urls"]["tag"] == [
        "/account/following/tag/{id}/follow/",
        "/account/following/tag/{id}/unfollow/",
    ]


def test_other_readers_marks_never_show(reader, other_reader):
    article, section = ArticleFactory(), SectionFactory()
    SavedArticle.objects.create(user=other_reader.user, article=article)
    Follow.objects.create(user=other_reader.user, section=section)

    data = state(reader, a=str(article.pk), f=f"section:{section.pk}").json()

    assert data["saved"] == [] and data["following"] == []


def test_only_the_items_the_page_names_are_answered(reader):
    named, other = ArticleFactory(), ArticleFactory()
    for article in (named, other):
        SavedArticle.objects.create(user=reader.user, article=article)

    assert state(reader, a=str(named.pk)).json()["saved"] == [named.pk]
    assert state(reader).json()["saved"] == []


def test_it_costs_two_queries_at_most(reader, django_assert_max_num_queries):
    articles = ArticleFactory.create_batch(20)
    sections = SectionFactory.create_batch(3)
    SavedArticle.objects.create(user=reader.user, article=articles[3])
    Follow.objects.create(user=reader.user, section=sections[1])
    ids = ",".join(str(a.pk) for a in articles)
    follows = ",".join(f"section:{s.pk}" for s in sections)
    state(reader)  # the session is now in the cache, as after any page

    with django_assert_max_num_queries(2):  # the user, then saves and follows
        data = state(reader, a=ids, f=follows).json()

    assert data["saved"] == [articles[3].pk]
    assert data["following"] == [f"section:{sections[1].pk}"]


def test_anonymous_visitor_gets_no_session_and_no_token(client):
    response = state(client, a="1,2")

    assert response.json() == {"signed_in": False, "messages": []}
    assert "sessionid" not in response.cookies
    assert "csrftoken" not in response.cookies


@pytest.mark.parametrize(
    "params",
    [
        {"a": "abc,-1,0,1.5,١٢,99999999999999999999999,,"},
        {"a": "1," * 5000},
        {"f": "section:x,bogus:1,tag:,:3,author:-2,section"},
        {"f": "section:1:2", "a": "%00"},
    ],
)
def test_junk_parameters_are_ignored_never_a_500(reader, params):
    data = state(reader, **params).json()

    assert data["signed_in"] is True
    assert data["saved"] == [] and data["following"] == []


def test_waiting_messages_are_delivered_once(reader):
    article = ArticleFactory()
    reader.post(reverse("accounts:save", args=[article.pk]), {"next": "/"})

    first = state(reader).json()["messages"]
    again = state(reader).json()["messages"]

    assert first == [{"level": "success", "text": "حُفظ المقال في قائمة محفوظاتك."}]
    assert again == []


# The cookie that tells the script to ask -----------------------------------


def test_signing_in_sets_the_hint_and_signing_out_clears_it(client, reader_user):
    login = client.post(
        reverse("accounts:login"),
        {"username": reader_user.email, "password": PASSWORD},
    )
    assert login.cookies[STATE_COOKIE].value == "1"
    assert not login.cookies[STATE_COOKIE]["httponly"]  # the script reads it

    logout = client.post(reverse("accounts:logout"))
    assert logout.cookies[STATE_COOKIE].value == ""  # deleted


def test_a_message_left_for_a_reader_who_left_keeps_the_hint_until_shown(reader):
    gone = reader.post(reverse("accounts:delete_account"), {"password": PASSWORD})
    assert gone.url == "/"  # a public page, which shows no message itself
    assert gone.cookies[STATE_COOKIE].value == "1"

    shown = state(reader)
    assert shown.json()["signed_in"] is False
    assert [m["text"] for m in shown.json()["messages"]] == [
        "حذفنا حسابك وكل ما حفظته فيه. نأسف لرحيلك."
    ]
    assert shown.cookies[STATE_COOKIE].value == ""  # nothing left to ask for


def test_public_pages_never_touch_the_hint(client, reader):
    article = ArticleFactory()
    reader.cookies[STATE_COOKIE] = "1"

    for response in (client.get("/"), reader.get(article.get_absolute_url())):
        assert STATE_COOKIE not in response.cookies
