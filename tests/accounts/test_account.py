from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import throttling
from accounts.models import Follow, SavedArticle, User
from articles.models import Article, Author
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory, UserFactory

from .conftest import PASSWORD, links_in_last_mail

pytestmark = pytest.mark.django_db

CHANGE = reverse("accounts:change_email")


def test_profile_requires_login_and_is_private(client, reader):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    page = reader.get(reverse("accounts:profile"))
    assert page.status_code == 200
    assert reader.user.email in page.text
    assert "private" in page["Cache-Control"]
    assert "no-cache" in page["Cache-Control"]


def test_reader_can_rename_themselves(reader):
    response = reader.post(reverse("accounts:profile"), {"name": "  اسم   جديد "})
    assert response.status_code == 302
    reader.user.refresh_from_db()
    assert reader.user.name == "اسم جديد"


@pytest.mark.parametrize(
    "data", [{}, {"name": ""}, {"name": "   "}, {"name": "ن" * 500}]
)
def test_junk_profile_input_is_a_form_error(reader, data):
    response = reader.post(reverse("accounts:profile"), data)
    assert response.status_code == 200
    assert "errorlist" in response.text


# Change of e-mail --------------------------------------------------------------
def test_change_of_email_takes_effect_only_after_the_new_address_confirms(reader):
    old = reader.user.email
    response = reader.post(
        CHANGE, {"new_email": "new@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    reader.user.refresh_from_db()
    assert reader.user.email == old
    [message] = mail.outbox
    assert message.to == ["new@example.com"]
    [link] = links_in_last_mail("/account/email/confirm/")

    confirm_page = reader.get(link)
    assert confirm_page.status_code == 200
    reader.user.refresh_from_db()
    assert reader.user.email == old  # GET (e.g. a mail scanner) changes nothing

    done = reader.post(link)
    assert done.status_code == 302
    reader.user.refresh_from_db()
    assert reader.user.email == "new@example.com"
    assert reader.user.is_verified
    # The old address is told.
    assert mail.outbox[-1].to == [old]
    # Single use.
    assert reader.post(link).status_code == 400


def test_change_of_email_needs_the_right_password(reader):
    response = reader.post(CHANGE, {"new_email": "new@example.com", "password": "x"})
    assert response.status_code == 200
    assert "كلمة المرور غير صحيحة" in response.text
    assert mail.outbox == []


def test_change_to_a_taken_address_answers_the_same_and_tells_its_owner(reader):
    UserFactory(email="taken@example.com")
    taken = reader.post(
        CHANGE, {"new_email": "taken@example.com", "password": PASSWORD}
    )
    free = reader.post(CHANGE, {"new_email": "free@example.com", "password": PASSWORD})
    assert (taken.status_code, taken.url) == (free.status_code, free.url)
    assert mail.outbox[0].to == ["taken@example.com"]
    assert "/account/email/confirm/" not in mail.outbox[0].body
    reader.user.refresh_from_db()
    assert reader.user.email != "taken@example.com"


def test_confirming_when_someone_took_the_address_meanwhile_fails_cleanly(reader):
    reader.post(CHANGE, {"new_email": "new@example.com", "password": PASSWORD})
    [link] = links_in_last_mail("/account/email/confirm/")
    UserFactory(email="NEW@example.com")
    response = reader.post(link)
    assert response.status_code == 400
    reader.user.refresh_from_db()
    assert reader.user.email != "new@example.com"


def test_expired_change_link_is_refused(reader):
    reader.post(CHANGE, {"new_email": "new@example.com", "password": PASSWORD})
    [link] = links_in_last_mail("/account/email/confirm/")
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        assert reader.post(link).status_code == 400
    reader.user.refresh_from_db()
    assert reader.user.email != "new@example.com"


@pytest.mark.parametrize("token", ["x", "a:b:c", "' OR 1=1", "ن" * 50])
def test_junk_change_tokens_are_refused(client, token):
    url = reverse("accounts:confirm_email_change", kwargs={"token": token})
    assert client.get(url).status_code == 400
    assert client.post(url).status_code == 400


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"new_email": "junk", "password": PASSWORD},
        {"new_email": "", "password": ""},
        {"new_email": ["a@example.com", "b"], "password": [PASSWORD]},
    ],
)
def test_junk_change_input_is_a_form_error(reader, data):
    response = reader.post(CHANGE, data)
    assert response.status_code == 200
    assert mail.outbox == []


def test_changing_to_the_current_address_is_refused(reader):
    response = reader.post(
        CHANGE, {"new_email": reader.user.email.upper(), "password": PASSWORD}
    )
    assert "هذا هو عنوانك الحالي" in response.text


def test_change_of_email_requests_are_throttled(reader):
    for n in range(throttling.EMAIL_CHANGE_PER_ACCOUNT.attempts):
        reader.post(CHANGE, {"new_email": f"n{n}@example.com", "password": PASSWORD})
    blocked = reader.post(
        CHANGE, {"new_email": "last@example.com", "password": PASSWORD}
    )
    assert "محاولات كثيرة" in blocked.text
    assert len(mail.outbox) == throttling.EMAIL_CHANGE_PER_ACCOUNT.attempts


# Delete account ----------------------------------------------------------------
def test_delete_account_removes_the_readers_data_only(reader, other_reader):
    editor = UserFactory(is_staff=True)
    author = AuthorFactory(user=reader.user)
    section = SectionFactory()
    article = ArticleFactory(section=section, authors=[author], created_by=reader.user)
    kept_article = ArticleFactory(section=section)
    SavedArticle.objects.create(user=reader.user, article=article)
    SavedArticle.objects.create(user=other_reader.user, article=article)
    Follow.objects.create(user=reader.user, section=section)
    Follow.objects.create(user=other_reader.user, section=section)

    response = reader.post(reverse("accounts:delete_account"), {"password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/"
    assert not User.objects.filter(pk=reader.user.pk).exists()
    assert not SavedArticle.objects.filter(user_id=reader.user.pk).exists()
    assert not Follow.objects.filter(user_id=reader.user.pk).exists()
    # Everyone else's data and the newsroom's content stay.
    assert SavedArticle.objects.filter(user=other_reader.user).count() == 1
    assert Follow.objects.filter(user=other_reader.user).count() == 1
    assert User.objects.filter(pk=editor.pk).exists()
    assert Article.objects.filter(pk__in=[article.pk, kept_article.pk]).count() == 2
    article.refresh_from_db()
    assert article.created_by is None
    assert Author.objects.get(pk=author.pk).user is None
    assert "_auth_user_id" not in reader.session


def test_delete_account_needs_the_password(reader):
    response = reader.post(reverse("accounts:delete_account"), {"password": "nope"})
    assert response.status_code == 200
    assert "كلمة المرور غير صحيحة" in response.text
    assert User.objects.filter(pk=reader.user.pk).exists()


@pytest.mark.parametrize("data", [{}, {"password": ""}, {"password": ["a", "b"]}])
def test_junk_delete_input_keeps_the_account(reader, data):
    response = reader.post(reverse("accounts:delete_account"), data)
    assert response.status_code == 200
    assert User.objects.filter(pk=reader.user.pk).exists()


def test_delete_account_password_guessing_is_throttled(reader):
    url = reverse("accounts:delete_account")
    for _ in range(throttling.PASSWORD_CHECK_PER_ACCOUNT.attempts):
        reader.post(url, {"password": "guess"})
    blocked = reader.post(url, {"password": PASSWORD})
    assert "محاولات كثيرة" in blocked.text
    assert User.objects.filter(pk=reader.user.pk).exists()


def test_delete_account_requires_login(client):
    response = client.post(reverse("accounts:delete_account"), {"password": PASSWORD})
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_delete_account_also_removes_newsletter_subscriptions(reader, other_reader):
    from accounts.newsletters.models import Newsletter, Subscription
    from accounts.newsletters.services import subscribe

    newsletter = Newsletter.objects.create(name="موجز الصباح", slug="morning")
    subscribe(user=reader.user, newsletters=[newsletter], source="signup")
    subscribe(user=other_reader.user, newsletters=[newsletter], source="signup")
    reader.post(reverse("accounts:delete_account"), {"password": PASSWORD})
    assert not Subscription.objects.filter(user_id=reader.user.pk).exists()
    assert Subscription.objects.filter(user=other_reader.user).exists()
    assert Newsletter.objects.filter(pk=newsletter.pk).exists()
