import json
from unittest import mock

import pytest
from django.db import IntegrityError
from django.urls import reverse

from accounts.models import SavedArticle
from tests.factories import ArticleFactory, UserFactory

from .conftest import PASSWORD, links_in_last_mail

pytestmark = pytest.mark.django_db


def _save(client, article, **extra):
    return client.post(reverse("accounts:save", args=[article.pk]), **extra)


def _unsave(client, article_id, **extra):
    return client.post(reverse("accounts:unsave", args=[article_id]), **extra)


def test_save_creates_a_row_and_redirects_back_to_a_safe_next(reader):
    article = ArticleFactory()
    response = _save(reader, article, data={"next": "/opinion/"})
    assert response.status_code == 302
    assert response.url == "/opinion/"
    assert SavedArticle.objects.filter(user=reader.user, article=article).exists()
    assert "private" in response["Cache-Control"]


def test_save_without_next_goes_back_to_the_article(reader):
    article = ArticleFactory()
    response = _save(reader, article)
    assert response.url == article.get_absolute_url()


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x"])
def test_save_never_redirects_off_site(reader, next_url):
    article = ArticleFactory()
    response = _save(reader, article, data={"next": next_url})
    assert response.url == article.get_absolute_url()


def test_saving_twice_keeps_one_row(reader):
    article = ArticleFactory()
    _save(reader, article)
    _save(reader, article)
    assert SavedArticle.objects.filter(user=reader.user, article=article).count() == 1


def test_concurrent_double_save_does_not_raise(reader):
    """Our SELECT missed the row another request then INSERTed first."""
    article = ArticleFactory()
    SavedArticle.objects.create(user=reader.user, article=article)  # the winner
    lost_race = IntegrityError("duplicate key value violates unique constraint")
    with mock.patch.object(
        SavedArticle.objects, "get_or_create", side_effect=lost_race
    ):
        response = _save(reader, article)
    assert response.status_code == 302
    assert SavedArticle.objects.filter(user=reader.user, article=article).count() == 1


def test_database_refuses_a_duplicate_save(reader_user):
    article = ArticleFactory()
    SavedArticle.objects.create(user=reader_user, article=article)
    with pytest.raises(IntegrityError):
        SavedArticle.objects.create(user=reader_user, article=article)


def test_unsave_removes_the_row_and_unsaving_again_is_fine(reader):
    article = ArticleFactory()
    _save(reader, article)
    assert _unsave(reader, article.pk).status_code == 302
    assert not SavedArticle.objects.filter(user=reader.user).exists()
    response = _unsave(reader, article.pk)
    assert response.status_code == 302
    assert response.url == reverse("accounts:saved")


def test_save_and_unsave_are_post_only(reader):
    article = ArticleFactory()
    assert reader.get(reverse("accounts:save", args=[article.pk])).status_code == 405
    assert reader.get(reverse("accounts:unsave", args=[article.pk])).status_code == 405


def test_save_needs_a_csrf_token(reader_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(reader_user)
    article = ArticleFactory()
    assert _save(client, article).status_code == 403
    assert not SavedArticle.objects.exists()


@pytest.mark.parametrize(
    "state", [{"draft": True}, {"withdrawn": True}, {"scheduled": True}]
)
def test_unpublished_articles_cannot_be_saved(reader, state):
    article = ArticleFactory(**state)
    assert _save(reader, article).status_code == 404
    assert not SavedArticle.objects.exists()


def test_saving_a_missing_article_is_a_404(reader):
    assert reader.post("/articles/999999/save/").status_code == 404
    assert reader.post("/articles/abc/save/").status_code == 404
    assert reader.post("/articles/-1/save/").status_code == 404


def test_json_toggle_answers_the_new_state_without_a_message(reader):
    article = ArticleFactory()
    response = _save(reader, article, headers={"accept": "application/json"})
    assert response.status_code == 200
    assert json.loads(response.content) == {"active": True}
    response = _unsave(reader, article.pk, headers={"accept": "application/json"})
    assert json.loads(response.content) == {"active": False}


# The save button ------------------------------------------------------------
def test_save_form_on_personal_pages_shows_the_readers_state(reader):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    saved, other = ArticleFactory(), ArticleFactory()
    SavedArticle.objects.create(user=reader.user, article=saved)
    request = RequestFactory().get("/")
    request.user = reader.user
    on = render_to_string(
        "accounts/_save_form.html", {"article": saved}, request=request
    )
    off = render_to_string(
        "accounts/_save_form.html", {"article": other}, request=request
    )
    assert 'aria-pressed="true"' in on
    assert reverse("accounts:unsave", args=[saved.pk]) in on
    assert 'aria-pressed="false"' in off
    assert reverse("accounts:save", args=[other.pk]) in off
    assert "csrfmiddlewaretoken" in on


def test_save_button_for_anonymous_visitors_has_no_state_or_token():
    from django.contrib.auth.models import AnonymousUser
    from django.template import Context, Template
    from django.test import RequestFactory

    article = ArticleFactory()
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    html = Template('{% include "accounts/_save_button.html" %}').render(
        Context({"article": article, "request": request, "user": request.user})
    )
    assert reverse("accounts:save_prompt", args=[article.pk]) in html
    assert "csrfmiddlewaretoken" not in html
    assert "aria-pressed" not in html


def test_one_query_for_the_save_state_of_many_buttons(
    reader, django_assert_num_queries
):
    from django.template import Context, Template
    from django.test import RequestFactory

    articles = ArticleFactory.create_batch(10)
    request = RequestFactory().get("/")
    request.user = reader.user
    template = Template(
        '{% for a in articles %}{% include "accounts/_save_form.html" with article=a %}{% endfor %}'
    )
    with django_assert_num_queries(1):
        template.render(
            Context({"articles": articles, "request": request, "user": reader.user})
        )


# Anonymous save → sign up / log in → saved and back on the article ----------
def test_anonymous_save_leads_to_a_page_offering_signup_and_login(client):
    article = ArticleFactory()
    response = _save(client, article)
    assert response.status_code == 302
    assert response.url == reverse("accounts:save_prompt", args=[article.pk])
    page = client.get(response.url)
    assert page.status_code == 200
    assert article.headline in page.text
    assert reverse("accounts:signup") + "?next=" in page.text
    assert reverse("accounts:login") + "?next=" in page.text
    assert "no-store" in page["Cache-Control"] or "private" in page["Cache-Control"]


def test_anonymous_save_then_signup_saves_the_article_and_returns_to_it(
    client, signup_data
):
    article = ArticleFactory()
    client.get(reverse("accounts:save_prompt", args=[article.pk]))
    signup_page = client.get(
        reverse("accounts:signup"), {"next": article.get_absolute_url()}
    )
    assert article.headline in signup_page.text  # "we'll save … for you"
    response = client.post(
        reverse("accounts:signup"),
        {**signup_data, "next": article.get_absolute_url()},
    )
    assert response.status_code == 302
    assert response.url == article.get_absolute_url()
    # Saved once the link in the e-mail signs the new reader in.
    assert not SavedArticle.objects.exists()
    [link] = links_in_last_mail("/verify-email/")
    response = client.post(link)
    assert response.url == article.get_absolute_url()
    user = SavedArticle.objects.get().user
    assert user.email == "layla@example.com"
    assert SavedArticle.objects.get().article == article
    assert "accounts_pending_action" not in client.session


def test_anonymous_save_then_login_saves_the_article_and_returns_to_it(client):
    user = UserFactory(email="back@example.com")
    article = ArticleFactory()
    client.get(reverse("accounts:save_prompt", args=[article.pk]))
    login_page = client.get(
        reverse("accounts:login"), {"next": article.get_absolute_url()}
    )
    assert article.headline in login_page.text
    response = client.post(
        reverse("accounts:login"),
        {
            "username": "back@example.com",
            "password": PASSWORD,
            "next": article.get_absolute_url(),
        },
    )
    assert response.status_code == 302
    assert response.url == article.get_absolute_url()
    assert SavedArticle.objects.filter(user=user, article=article).exists()
    # The article page is public; the state endpoint tells its script.
    state = client.get(
        reverse("accounts:state"),
        {"a": str(article.pk)},
        HTTP_ACCEPT="application/json",
    ).json()
    assert state["saved"] == [article.pk]
    assert state["messages"] == [
        {"level": "success", "text": "حفظنا المقال في قائمة محفوظاتك."}
    ]


def test_pending_save_is_dropped_when_the_reader_logs_in_elsewhere(client):
    """A stray prompt visit must not save things behind the reader's back."""
    user = UserFactory(email="back@example.com")
    article = ArticleFactory()
    client.get(reverse("accounts:save_prompt", args=[article.pk]))
    client.post(
        reverse("accounts:login"),
        {"username": "back@example.com", "password": PASSWORD, "next": "/opinion/"},
    )
    assert not SavedArticle.objects.filter(user=user).exists()
    assert "accounts_pending_action" not in client.session


def test_pending_save_of_an_article_withdrawn_meanwhile_is_skipped(client):
    UserFactory(email="back@example.com")
    article = ArticleFactory()
    client.get(reverse("accounts:save_prompt", args=[article.pk]))
    article.withdraw()
    response = client.post(
        reverse("accounts:login"),
        {
            "username": "back@example.com",
            "password": PASSWORD,
            "next": article.get_absolute_url(),
        },
    )
    assert response.status_code == 302
    assert not SavedArticle.objects.exists()


def test_prompt_for_a_logged_in_reader_offers_the_save_button(reader):
    article = ArticleFactory()
    page = reader.get(reverse("accounts:save_prompt", args=[article.pk]))
    assert page.status_code == 200
    assert reverse("accounts:save", args=[article.pk]) in page.text


@pytest.mark.parametrize("pk", ["999999", "0"])
def test_prompt_for_missing_articles_is_a_404(client, pk):
    assert client.get(f"/account/save/{pk}/").status_code == 404


def test_anonymous_unsave_goes_to_login(client):
    article = ArticleFactory()
    response = _unsave(client, article.pk)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# /account/saved/ ----------------------------------------------------------------
def test_saved_list_is_newest_first_and_private(reader):
    from django.utils import timezone

    old, new = ArticleFactory(headline="قديم"), ArticleFactory(headline="جديد")
    SavedArticle.objects.create(
        user=reader.user,
        article=old,
        saved_at=timezone.now() - timezone.timedelta(days=1),
    )
    SavedArticle.objects.create(user=reader.user, article=new)
    response = reader.get(reverse("accounts:saved"))
    assert response.status_code == 200
    assert response.text.index("جديد") < response.text.index("قديم")
    assert reverse("accounts:unsave", args=[old.pk]) in response.text
    assert "private" in response["Cache-Control"]


def test_withdrawn_article_disappears_from_the_saved_list(reader):
    article = ArticleFactory(headline="سيُسحب")
    SavedArticle.objects.create(user=reader.user, article=article)
    article.withdraw()
    response = reader.get(reverse("accounts:saved"))
    assert response.status_code == 200
    assert "سيُسحب" not in response.text
    assert "لم تحفظ أي مقال بعد" in response.text


def test_empty_saved_list_explains_the_feature(reader):
    response = reader.get(reverse("accounts:saved"))
    assert "لم تحفظ أي مقال بعد" in response.text
    assert "اضغط «حفظ»" in response.text


def test_saved_list_is_paginated_and_survives_junk_pages(reader):
    for article in ArticleFactory.create_batch(25):
        SavedArticle.objects.create(user=reader.user, article=article)
    first = reader.get(reverse("accounts:saved"))
    assert first.text.count("reader-item__title") == 20
    second = reader.get(reverse("accounts:saved"), {"page": 2})
    assert second.text.count("reader-item__title") == 5
    for junk in ["abc", "-1", "0", "999", "1e9", "%00", "٢"]:
        assert reader.get(reverse("accounts:saved"), {"page": junk}).status_code == 200


def test_saved_list_query_count_does_not_grow_with_the_list(
    reader, django_assert_max_num_queries
):
    for article in ArticleFactory.create_batch(20):
        SavedArticle.objects.create(user=reader.user, article=article)
    with django_assert_max_num_queries(8):
        reader.get(reverse("accounts:saved"))


def test_saved_list_requires_login(client):
    response = client.get(reverse("accounts:saved"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


# IDOR: nobody touches another reader's list ------------------------------------
def test_readers_only_see_their_own_saved_articles(reader, other_reader):
    mine, theirs = ArticleFactory(headline="مقالي"), ArticleFactory(headline="مقالهم")
    SavedArticle.objects.create(user=reader.user, article=mine)
    SavedArticle.objects.create(user=other_reader.user, article=theirs)
    page = reader.get(reverse("accounts:saved"))
    assert "مقالي" in page.text
    assert "مقالهم" not in page.text


def test_unsave_with_another_readers_ids_removes_nothing_of_theirs(
    reader, other_reader
):
    theirs = ArticleFactory()
    row = SavedArticle.objects.create(user=other_reader.user, article=theirs)
    # Forged: the article id, the saved-row id, junk user parameters.
    _unsave(reader, theirs.pk, data={"user": other_reader.user.pk})
    _unsave(reader, row.pk, data={"user_id": other_reader.user.pk})
    assert SavedArticle.objects.filter(pk=row.pk).exists()


def test_save_cannot_add_to_another_readers_list(reader, other_reader):
    article = ArticleFactory()
    _save(
        reader,
        article,
        data={"user": other_reader.user.pk, "user_id": other_reader.user.pk},
    )
    assert not SavedArticle.objects.filter(user=other_reader.user).exists()
    assert SavedArticle.objects.filter(user=reader.user, article=article).exists()


def test_saved_list_ignores_forged_user_parameters(reader, other_reader):
    SavedArticle.objects.create(
        user=other_reader.user, article=ArticleFactory(headline="سرّي")
    )
    for params in ({"user": other_reader.user.pk}, {"user_id": other_reader.user.pk}):
        assert "سرّي" not in reader.get(reverse("accounts:saved"), params).text


def test_login_page_promises_the_save_only_when_headed_back_to_the_article(client):
    article = ArticleFactory(headline="مقال ينتظر الحفظ")
    client.get(reverse("accounts:save_prompt", args=[article.pk]))
    login = reverse("accounts:login")
    assert (
        "مقال ينتظر الحفظ"
        in client.get(login, {"next": article.get_absolute_url()}).text
    )
    assert "مقال ينتظر الحفظ" not in client.get(login, {"next": "/opinion/"}).text


def test_signed_in_reader_without_script_saves_from_the_prompt_page(reader):
    # Public pages link every save button to the prompt page; signed in, it
    # is a personal page with the real form, and the answer comes back to it.
    article = ArticleFactory()
    prompt = reverse("accounts:save_prompt", args=[article.pk])

    page = reader.get(prompt)
    assert 'aria-pressed="false"' in page.text
    assert "csrfmiddlewaretoken" in page.text
    assert "private" in page["Cache-Control"]

    response = reader.post(
        reverse("accounts:save", args=[article.pk]), {"next": prompt}
    )
    assert response.status_code == 302 and response.url == prompt
    after = reader.get(prompt)
    assert 'aria-pressed="true"' in after.text
    assert "حُفظ المقال في قائمة محفوظاتك." in after.text
    assert article.get_absolute_url() in after.text  # the way back
