"""A first visit: the verification link brings the new reader back where
they signed up and does what they asked for there, from whichever browser
opens it (the mail app's, often), and the article says it was saved through
the state endpoint, never in its public HTML."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import tokens
from accounts.models import Follow, SavedArticle, User
from tests.factories import ArticleFactory, SectionFactory, UserFactory

from .conftest import links_in_last_mail

pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup")
PROFILE = reverse("accounts:profile")


def sign_up_from(client, signup_data, next_url):
    response = client.post(SIGNUP, {**signup_data, "next": next_url})
    assert response.status_code == 302
    [link] = links_in_last_mail("/verify-email/")
    return link


def state(client, **query):
    return client.get(
        reverse("accounts:state"), query, HTTP_ACCEPT="application/json"
    ).json()


def test_the_link_saves_the_article_and_returns_to_it_in_another_browser(
    client, signup_data
):
    article = ArticleFactory()
    client.get(reverse("accounts:save_prompt", args=[article.pk]))
    link = sign_up_from(client, signup_data, article.get_absolute_url())
    mail_app = Client()  # no session, no pending action

    assert "أكّد بريدي وادخل" in mail_app.get(link).text
    response = mail_app.post(link)

    assert response.url == article.get_absolute_url()
    user = User.objects.get(email="layla@example.com")
    assert SavedArticle.objects.filter(user=user, article=article).exists()
    # The article's script hears it from the state endpoint.
    reader_state = state(mail_app, a=str(article.pk))
    assert reader_state["saved"] == [article.pk]
    assert [m["text"] for m in reader_state["messages"]] == [
        "شكرًا! تأكدنا من بريدك الإلكتروني.",
        "حفظنا المقال في قائمة محفوظاتك.",
    ]


def test_the_article_page_itself_stays_the_same_for_everybody(client, signup_data):
    article = ArticleFactory()
    client.get(reverse("accounts:save_prompt", args=[article.pk]))
    link = sign_up_from(client, signup_data, article.get_absolute_url())
    client.post(link)

    with time_machine.travel(timezone.now(), tick=False):
        cache.clear()
        signed_in = client.get(article.get_absolute_url())
        cache.clear()
        anonymous = Client().get(article.get_absolute_url())

    assert signed_in.content == anonymous.content
    assert "حفظنا المقال" not in signed_in.text
    assert "public" in signed_in["Cache-Control"]
    # The message waits for the state endpoint.
    assert "reader_state" in client.cookies


def test_the_link_still_works_when_the_session_has_long_forgotten(client, signup_data):
    article = ArticleFactory()
    client.get(reverse("accounts:save_prompt", args=[article.pk]))
    link = sign_up_from(client, signup_data, article.get_absolute_url())

    # The session keeps a pending action an hour; the link lasts days.
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        response = client.post(link)

    assert response.url == article.get_absolute_url()
    assert SavedArticle.objects.filter(article=article).exists()
    assert "accounts_pending_action" not in client.session


def test_the_link_completes_a_follow_asked_for_before_signing_up(client, signup_data):
    section = SectionFactory(name="رياضة", slug="رياضة")
    client.get(reverse("accounts:follow_prompt", args=["section", section.pk]))
    link = sign_up_from(client, signup_data, section.get_absolute_url())

    response = Client().post(link)

    assert response.url == section.get_absolute_url()
    assert Follow.objects.filter(section=section).count() == 1


def test_without_an_action_the_link_returns_to_the_page_of_sign_up(client, signup_data):
    link = sign_up_from(client, signup_data, "/opinion/")

    response = Client().post(link)

    assert response.url == "/opinion/"
    assert not SavedArticle.objects.exists()
    assert not Follow.objects.exists()


def test_a_save_asked_for_another_page_is_not_carried_by_the_link(client, signup_data):
    article = ArticleFactory()
    client.get(reverse("accounts:save_prompt", args=[article.pk]))
    link = sign_up_from(client, signup_data, "/opinion/")

    response = Client().post(link)

    assert response.url == "/opinion/"
    assert not SavedArticle.objects.exists()


def test_english_readers_come_back_to_the_english_page(client, signup_data):
    article = ArticleFactory()
    english_url = "/en" + article.get_absolute_url()
    client.get("/en" + reverse("accounts:save_prompt", args=[article.pk]))
    response = client.post("/en" + SIGNUP, {**signup_data, "next": english_url})
    assert response.url == english_url
    [link] = links_in_last_mail("/verify-email/")
    assert link.startswith("/en/account/verify-email/")

    response = Client().post(link)

    assert response.url == english_url


def test_a_save_of_a_story_withdrawn_meanwhile_is_skipped(client, signup_data):
    article = ArticleFactory()
    client.get(reverse("accounts:save_prompt", args=[article.pk]))
    link = sign_up_from(client, signup_data, article.get_absolute_url())
    article.withdraw()

    response = Client().post(link)

    assert response.status_code == 302
    assert not SavedArticle.objects.exists()


def test_the_link_stays_short_enough_for_mail_with_a_long_arabic_address(
    client, signup_data
):
    article = ArticleFactory(headline="عنوان طويل جدا " * 12)
    client.get(reverse("accounts:save_prompt", args=[article.pk]))

    link = sign_up_from(client, signup_data, article.get_absolute_url())

    assert len(article.get_absolute_url()) > 150
    assert len(link) < 700


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:///evil.example",
        "https://testserver.evil.example/",
    ],
)
def test_a_link_carrying_an_off_site_address_leads_to_the_account(next_url):
    # Links are signed, so only a leaked key could make one; still checked.
    user = UserFactory()
    token = tokens.make_verification_token(user, next_url=next_url)

    response = Client().post(reverse("accounts:verify_email", args=[token]))

    assert response.status_code == 302
    assert response.url == PROFILE


@pytest.mark.parametrize(
    "action",
    [
        ("delete", "article", 1),
        ("save", "section", 1),
        ("follow", "article", 1),
        ("follow", "nonsense", 1),
        ("save", "article", 999_999_999),
    ],
)
def test_junk_actions_in_a_link_do_nothing(action):
    article = ArticleFactory()
    SectionFactory()
    user = UserFactory()
    action = (*action[:2], action[2] if action[2] != 1 else article.pk)
    token = tokens.make_verification_token(user, next_url="/", action=action)

    response = Client().post(reverse("accounts:verify_email", args=[token]))

    assert response.status_code == 302
    assert response.url == "/"
    assert not SavedArticle.objects.exists()
    assert not Follow.objects.exists()
    user.refresh_from_db()
    assert user.is_verified


def test_a_malformed_action_in_a_signed_payload_is_ignored():
    from django.core import signing

    user = UserFactory()
    good = tokens.make_verification_token(user)
    payload = signing.loads(good, salt="accounts.verify-email")
    for junk in (["save"], ["save", "article", "1"], "save", {"a": 1}, None):
        token = signing.dumps(
            {**payload, "a": junk, "n": 5}, salt="accounts.verify-email"
        )
        assert tokens.verification_for_token(token) == (user, "", None)
