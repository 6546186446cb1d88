import pytest
from django.urls import reverse

from accounts.models import Follow, SavedArticle
from tests.factories import ArticleFactory, SectionFactory, UserFactory
from tests.second_factor import pass_second_factor

pytestmark = pytest.mark.django_db


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
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    pass_second_factor(client, superuser)
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


def test_article_page_carries_no_reader_state_even_for_a_reader_who_saved_it(
    client, reader
):
    article = ArticleFactory()
    SavedArticle.objects.create(user=reader.user, article=article)
    for response in (
        client.get(article.get_absolute_url()),
        reader.get(article.get_absolute_url()),
    ):
        assert response.status_code == 200
        assert "public" in response["Cache-Control"]
        assert reverse("accounts:save_prompt", args=[article.pk]) in response.text
        assert "aria-pressed" not in response.text
        assert 'csrfmiddlewaretoken" value=""' in response.text  # the menu's blank
