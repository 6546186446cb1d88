"""E-mail change links: bound to one request, one use, one signed-in account."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

from .conftest import PASSWORD, STRONG_PASSWORD, links_in_last_mail

pytestmark = pytest.mark.django_db

CHANGE = reverse("accounts:change_email")
LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")
INVALID = "لم يعد صالحًا"


def request_change(client, new_email, password=PASSWORD):
    response = client.post(CHANGE, {"new_email": new_email, "password": password})
    assert response.status_code == 302
    return links_in_last_mail("/account/email/confirm/")


def change_link(client, new_email, password=PASSWORD):
    [link] = request_change(client, new_email, password)
    return link


def sent_to_login_and_back(response, link):
    url = urlsplit(response.url)
    return url.path == LOGIN and parse_qs(url.query) == {"next": [link]}


def email_of(user):
    user.refresh_from_db()
    return user.email


def test_old_link_does_not_move_the_account_back_after_a_round_trip(reader):
    a = reader.user.email
    to_b = change_link(reader, "b@example.com")
    assert reader.post(to_b).status_code == 302
    to_a = change_link(reader, a)
    assert reader.post(to_a).status_code == 302
    assert email_of(reader.user) == a

    replay = reader.post(to_b)
    assert replay.status_code == 400
    assert INVALID in replay.text
    assert email_of(reader.user) == a


def test_link_is_dead_once_the_password_changes(reader):
    link = change_link(reader, "new@example.com")
    reader.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": STRONG_PASSWORD,
            "new_password2": STRONG_PASSWORD,
        },
    )
    response = reader.post(link)
    assert response.status_code == 400
    assert email_of(reader.user) != "new@example.com"


def test_attacker_who_once_knew_the_password_cannot_use_a_kept_link(reader):
    attacker = Client()
    assert attacker.login(username=reader.user.email, password=PASSWORD)
    link = change_link(attacker, "attacker@example.com")
    # The owner notices and changes the password; the attacker's session ends.
    reader.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": STRONG_PASSWORD,
            "new_password2": STRONG_PASSWORD,
        },
    )
    attacker.get(link)
    attacker.post(link)
    assert email_of(reader.user) != "attacker@example.com"
    # Nor can the attacker sign back in with the old password to use it.
    assert not attacker.login(username=reader.user.email, password=PASSWORD)


def test_link_works_once(reader):
    link = change_link(reader, "new@example.com")
    assert reader.post(link).status_code == 302
    again = reader.post(link)
    assert again.status_code == 400
    assert INVALID in again.text
    assert email_of(reader.user) == "new@example.com"


def test_newer_request_makes_the_older_link_useless(reader):
    older = change_link(reader, "first@example.com")
    newer = change_link(reader, "second@example.com")
    assert reader.post(older).status_code == 400
    assert email_of(reader.user) not in {"first@example.com", "second@example.com"}
    assert reader.post(newer).status_code == 302
    assert email_of(reader.user) == "second@example.com"


def test_request_for_a_taken_address_also_retires_the_older_link(reader):
    # Otherwise the reader could tell a taken address from a free one by
    # whether the previous link still worked.
    UserFactory(email="taken@example.com")
    older = change_link(reader, "free@example.com")
    assert request_change(reader, "taken@example.com") == []
    assert reader.post(older).status_code == 400
    assert email_of(reader.user) != "free@example.com"


def test_link_opened_signed_out_asks_to_sign_in_then_completes(reader):
    user = reader.user
    link = change_link(reader, "new@example.com")
    browser = Client()

    opened = browser.get(link)
    assert opened.status_code == 302
    assert sent_to_login_and_back(opened, link)
    assert sent_to_login_and_back(browser.post(link), link)
    login_page = browser.get(opened.url)
    assert "سجّل الدخول بالحساب الذي طلب التغيير" in login_page.text
    assert email_of(user) != "new@example.com"

    signed_in = browser.post(
        LOGIN, {"username": user.email, "password": PASSWORD, "next": link}
    )
    assert signed_in.status_code == 302
    assert signed_in.url == link
    page = browser.get(link)
    assert page.status_code == 200
    assert "new@example.com" in page.text
    assert email_of(user) != "new@example.com"  # GET changes nothing
    done = browser.post(link)
    assert done.status_code == 302
    assert done.url == reverse("accounts:profile")
    assert email_of(user) == "new@example.com"


def test_link_opened_by_another_signed_in_reader_is_refused(reader, other_reader):
    link = change_link(reader, "new@example.com")
    old = reader.user.email
    for response in (other_reader.get(link), other_reader.post(link)):
        assert response.status_code == 403
        assert "لحساب آخر" in response.text
        # Says nothing about whose account it is.
        assert old not in response.text
    assert email_of(reader.user) == old
    assert email_of(other_reader.user) != "new@example.com"
    # Its button signs the other reader out and comes back to the link.
    signed_out = other_reader.post(LOGOUT, {"next": link})
    assert signed_out.url == link
    assert sent_to_login_and_back(other_reader.get(link), link)
    # The owner can still use it.
    assert reader.post(link).status_code == 302
    assert email_of(reader.user) == "new@example.com"


def tampered(link):
    token = link.rstrip("/").rsplit("/", 1)[1]
    value, rest = token.split(":", 1)
    forged = value[:-2] + ("AA" if value[-2:] != "AA" else "BB") + ":" + rest
    return reverse("accounts:confirm_email_change", kwargs={"token": forged})


@pytest.mark.parametrize("signed_in", [True, False])
def test_tampered_link_is_refused_with_a_clear_message(reader, client, signed_in):
    url = tampered(change_link(reader, "new@example.com"))
    browser = reader if signed_in else client
    for response in (browser.get(url), browser.post(url)):
        assert response.status_code == 400
        assert INVALID in response.text
    assert email_of(reader.user) != "new@example.com"


@pytest.mark.parametrize(
    "payload",
    [
        # The shape of links mailed before they were bound to the request.
        lambda user: {"u": user.pk, "old": user.email.lower(), "new": "n@example.com"},
        lambda user: {"u": user.pk, "new": "n@example.com", "s": None},
        lambda user: {"u": user.pk, "new": ["n@example.com"], "s": "0" * 64},
        lambda user: {"u": str(user.pk), "new": "n@example.com", "s": ""},
        lambda user: ["not", "a", "dict"],
    ],
)
def test_links_of_another_shape_are_refused(reader, payload):
    token = signing.dumps(payload(reader.user), salt="accounts.change-email")
    url = reverse("accounts:confirm_email_change", kwargs={"token": token})
    for response in (reader.get(url), reader.post(url)):
        assert response.status_code == 400
        assert INVALID in response.text
    assert email_of(reader.user) != "n@example.com"


def test_verification_link_for_the_old_address_does_not_verify_the_new_one(client):
    user = UserFactory(email="old@example.com")
    client.force_login(user)
    client.post(reverse("accounts:resend_verification"))
    [verify] = links_in_last_mail("/account/verify-email/")
    # An admin corrects the address; the link mailed to the old one is void.
    User.objects.filter(pk=user.pk).update(email="corrected@example.com")
    assert client.get(verify).status_code == 400
    user.refresh_from_db()
    assert not user.is_verified


def test_password_reset_link_for_the_old_address_dies_with_the_change(reader, client):
    old = reader.user.email
    client.post(reverse("accounts:password_reset"), {"email": old})
    [reset] = links_in_last_mail("/account/password/reset/")
    reader.post(change_link(reader, "new@example.com"))
    page = client.get(reset, follow=True)
    assert 'name="new_password1"' not in page.text
    reader.user.refresh_from_db()
    assert reader.user.check_password(PASSWORD)


def test_verification_link_is_dead_once_the_password_changes(client):
    # The link signs its reader in, so it must not outlive the password.
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("accounts:resend_verification"))
    [verify] = links_in_last_mail("/account/verify-email/")
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": STRONG_PASSWORD,
            "new_password2": STRONG_PASSWORD,
        },
    )
    stranger = Client()
    response = stranger.get(verify)
    assert response.status_code == 400
    assert "_auth_user_id" not in stranger.session
    user.refresh_from_db()
    assert not user.is_verified
