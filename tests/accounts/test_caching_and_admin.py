import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils.cache import patch_cache_control

from accounts.middleware import PrivateForReadersMiddleware
from accounts.models import Follow, SavedArticle
from tests.factories import ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _public_response(request):
    response = HttpResponse("page")
    patch_cache_control(response, public=True, max_age=300, s_maxage=600)
    response["ETag"] = '"content-version-7"'
    response["Last-Modified"] = "Sun, 29 Nov 2026 10:00:00 GMT"
    return response


def test_responses_for_readers_are_never_shared_cacheable(reader_user):
    request = RequestFactory().get("/")
    request.user = reader_user
    response = PrivateForReadersMiddleware(_public_response)(request)
    directives = {d.strip().split("=")[0] for d in response["Cache-Control"].split(",")}
    assert {"private", "no-cache"} <= directives
    assert "public" not in directives
    assert "s-maxage" not in directives
    assert "ETag" not in response
    assert "Last-Modified" not in response


def test_anonymous_responses_keep_their_public_caching():
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response = PrivateForReadersMiddleware(_public_response)(request)
    assert "public" in response["Cache-Control"]
    assert response["ETag"] == '"content-version-7"'


@pytest.mark.parametrize(
    "name",
    ["profile", "saved", "following", "for_you", "change_email", "delete_account"],
)
def test_account_pages_are_private(reader, name):
    response = reader.get(reverse(f"accounts:{name}"))
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_signup_and_login_pages_are_not_cacheable(client):
    for name in ("signup", "login"):
        response = client.get(reverse(f"accounts:{name}"))
        assert (
            "no-cache" in response["Cache-Control"]
            or "no-store" in (response["Cache-Control"])
        )


# Admin -------------------------------------------------------------------------
@pytest.fixture
def admin_client_(db):
    from django.test import Client

    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_lists_and_edits_users_by_email(admin_client_):
    user = UserFactory(email="listed@example.com")
    changelist = admin_client_.get(
        reverse("admin:accounts_user_changelist"), {"q": "listed"}
    )
    assert changelist.status_code == 200
    assert "listed@example.com" in changelist.text
    change = admin_client_.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert change.status_code == 200
    add = admin_client_.get(reverse("admin:accounts_user_add"))
    assert add.status_code == 200
    assert 'name="email"' in add.text


def test_admin_can_add_a_user(admin_client_):
    from accounts.models import User

    response = admin_client_.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new.editor@example.com",
            "name": "محرر جديد",
            "usable_password": "true",
            "password1": "زيتون-نخيل-2026-x",
            "password2": "زيتون-نخيل-2026-x",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(email="new.editor@example.com").exists()


def test_admin_lists_saved_articles_and_follows(admin_client_, reader_user):
    SavedArticle.objects.create(user=reader_user, article=ArticleFactory())
    Follow.objects.create(user=reader_user, section=SectionFactory())
    for name in ("savedarticle", "follow"):
        response = admin_client_.get(reverse(f"admin:accounts_{name}_changelist"))
        assert response.status_code == 200
        assert str(reader_user) in response.text


def test_anonymous_article_page_stays_public_and_carries_no_reader_state(client):
    article = ArticleFactory()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    assert reverse("accounts:save_prompt", args=[article.pk]) in response.text
    assert "aria-pressed" not in response.text


def test_reader_article_page_is_private_and_shows_their_save_state(reader):
    article = ArticleFactory()
    SavedArticle.objects.create(user=reader.user, article=article)
    response = reader.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert 'aria-pressed="true"' in response.text
    assert reverse("accounts:unsave", args=[article.pk]) in response.text
