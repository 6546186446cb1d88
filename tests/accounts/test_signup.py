import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail, signing
from django.tasks import task_backends
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from tests.factories import UserFactory

from .conftest import QUEUED, links_in_last_mail

pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup")


def test_signup_page_shows_the_form_with_consent_line(client):
    response = client.get(SIGNUP)
    assert response.status_code == 200
    assert 'name="consent"' in response.text
    assert 'أوافق على <a href="/terms/">شروط الاستخدام</a>' in response.text
    assert '<a href="/privacy/">سياسة الخصوصية</a>' in response.text
    assert "private" in response["Cache-Control"]


def test_signup_creates_reader_and_mails_a_link_that_signs_them_in(client, signup_data):
    response = client.post(SIGNUP, signup_data)
    assert response.status_code == 302
    assert response.url == "/"
    user = User.objects.get(email="layla@example.com")
    assert user.name == "ليلى الحسيني"
    assert not user.is_verified
    assert user.check_password(signup_data["password"])
    # Not signed in yet: a taken address must get exactly this answer.
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["layla@example.com"]
    assert "أكّد بريدك" in message.subject
    assert message.alternatives and message.alternatives[0].mimetype == "text/html"

    [link] = links_in_last_mail("/verify-email/")
    # Opening it (as a mail scanner would) only shows a button.
    page = client.get(link)
    assert page.status_code == 200
    assert "أكّد بريدي وادخل" in page.text
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert not user.is_verified

    response = client.post(link)

    assert response.url == reverse("accounts:profile")
    assert int(client.session["_auth_user_id"]) == user.pk
    user.refresh_from_db()
    assert user.is_verified
    # Spent: the link neither verifies nor signs in twice.
    client.logout()
    assert client.post(link).status_code == 400
    assert "_auth_user_id" not in client.session


def test_the_verification_button_needs_the_pages_csrf_token(client, signup_data):
    # Else a page could sign its visitors in to an account of its choosing.
    client.post(SIGNUP, signup_data)
    [link] = links_in_last_mail("/verify-email/")
    visitor = Client(enforce_csrf_checks=True)

    response = visitor.post(link)

    assert response.status_code == 403
    assert "_auth_user_id" not in visitor.session
    assert not User.objects.get(email="layla@example.com").is_verified


def test_verification_link_from_the_mail_verifies_the_address(client, signup_data):
    client.post(SIGNUP, signup_data)
    [link] = links_in_last_mail("/account/verify-email/")
    response = client.post(link)
    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    assert User.objects.get(email="layla@example.com").is_verified
    page = client.get(reverse("accounts:profile"))
    assert "مؤكَّد" in page.text


def test_verification_link_works_once(client, signup_data):
    client.post(SIGNUP, signup_data)
    [link] = links_in_last_mail("/account/verify-email/")
    assert client.post(link).status_code == 302
    verified_at = User.objects.get().email_verified_at
    again = client.post(link)
    assert again.status_code == 400
    assert "لم يعد صالحًا" in again.text
    assert User.objects.get().email_verified_at == verified_at


def test_expired_verification_link_is_refused(client, signup_data):
    client.post(SIGNUP, signup_data)
    [link] = links_in_last_mail("/account/verify-email/")
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        response = client.get(link)
    assert response.status_code == 400
    assert not User.objects.get().is_verified


@pytest.mark.parametrize(
    "token",
    ["x", "abc:def:ghi", "%00", "a" * 500, "' OR 1=1 --", "نص-عربي"],
)
def test_tampered_or_junk_verification_tokens_are_refused(client, token):
    UserFactory()
    response = client.get(reverse("accounts:verify_email", kwargs={"token": token}))
    assert response.status_code == 400


def test_verification_token_with_changed_payload_is_refused(client, signup_data):
    client.post(SIGNUP, signup_data)
    [link] = links_in_last_mail("/account/verify-email/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    value, rest = token.split(":", 1)
    forged = value[:-2] + ("AA" if value[-2:] != "AA" else "BB") + ":" + rest
    response = client.get(reverse("accounts:verify_email", kwargs={"token": forged}))
    assert response.status_code == 400


def test_verification_link_for_a_token_signed_for_another_purpose_is_refused(client):
    user = UserFactory()
    token = signing.dumps({"u": user.pk, "e": user.email, "v": ""}, salt="other")
    response = client.get(reverse("accounts:verify_email", kwargs={"token": token}))
    assert response.status_code == 400


def test_account_page_offers_to_resend_and_resend_sends_a_fresh_link(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("accounts:profile"))
    assert reverse("accounts:resend_verification") in page.text
    response = client.post(reverse("accounts:resend_verification"), follow=True)
    assert "أرسلنا رابط تأكيد جديدًا" in response.text
    [link] = links_in_last_mail("/account/verify-email/")
    client.post(link)
    user.refresh_from_db()
    assert user.is_verified


def test_resend_is_not_offered_or_sent_when_already_verified(reader):
    page = reader.get(reverse("accounts:profile"))
    assert reverse("accounts:resend_verification") not in page.text
    reader.post(reverse("accounts:resend_verification"))
    assert mail.outbox == []


def test_resend_requires_login_and_post(client, reader):
    response = client.post(reverse("accounts:resend_verification"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url
    assert reader.get(reverse("accounts:resend_verification")).status_code == 405


def test_signup_requires_consent(client, signup_data):
    del signup_data["consent"]
    response = client.post(SIGNUP, signup_data)
    assert response.status_code == 200
    assert "نحتاج إلى موافقتك" in response.text
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short1", "كلمة المرور قصيرة جداً"),
        ("12345678901", "تتكون من أرقام فقط"),
        ("password123", "شائعة جداً"),
    ],
)
def test_weak_passwords_are_refused_in_arabic(client, signup_data, password, fragment):
    signup_data["password"] = password
    response = client.post(SIGNUP, signup_data)
    assert response.status_code == 200
    assert fragment in response.text
    assert not User.objects.exists()


def test_password_too_similar_to_the_address_is_refused(client, signup_data):
    signup_data["email"] = "zaytoonah.haddad@example.com"
    signup_data["password"] = "zaytoonah.haddad"
    response = client.post(SIGNUP, signup_data)
    assert response.status_code == 200
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"name": "", "email": "", "password": "", "consent": ""},
        {
            "name": "   ",
            "email": "a@example.com",
            "password": "x" * 20,
            "consent": "on",
        },
        {"name": "ن", "email": "not-an-email", "password": "x", "consent": "on"},
        {"name": "ن" * 500, "email": "a@" + "b" * 300 + ".com", "consent": "on"},
        {"name": "\x00", "email": "\x00@example.com", "password": "\x00"},
        {"name": ["a", "b"], "email": ["x@example.com", "y"], "consent": ["on"]},
    ],
)
def test_junk_signup_input_is_answered_with_form_errors(client, data):
    response = client.post(SIGNUP, data)
    assert response.status_code == 200
    assert "errorlist" in response.text
    assert not User.objects.exists()


def test_email_case_and_spaces_are_normalised(client, signup_data):
    signup_data["email"] = "  Layla@EXAMPLE.com "
    client.post(SIGNUP, signup_data)
    assert User.objects.get().email.lower() == "layla@example.com"


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:///evil.example",
    ],
)
def test_signup_never_redirects_off_site(client, signup_data, next_url):
    signup_data["next"] = next_url
    response = client.post(SIGNUP, signup_data)
    assert response.status_code == 302
    assert response.url == "/"


def test_signup_follows_a_local_next(client, signup_data):
    signup_data["next"] = "/for-you/?page=2"
    response = client.post(SIGNUP, signup_data)
    assert response.url == "/for-you/?page=2"


def test_logged_in_reader_visiting_signup_lands_on_their_account(reader):
    response = reader.get(SIGNUP + "?next=/account/saved/")
    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")


# No account enumeration ---------------------------------------------------
def _visible(response):
    """What a prober can observe: status, target, messages after redirect."""
    return response.status_code, response.url


def test_signup_with_a_taken_address_answers_exactly_like_a_new_one(
    client, signup_data
):
    new = client.post(SIGNUP, {**signup_data, "next": "/opinion/"})
    new_messages = [str(m) for m in new.wsgi_request._messages]

    UserFactory(email="taken@example.com", name="صاحب الحساب")
    mail.outbox.clear()
    prober = type(client)()
    taken = prober.post(
        SIGNUP, {**signup_data, "email": "TAKEN@example.com", "next": "/opinion/"}
    )
    taken_messages = [str(m) for m in taken.wsgi_request._messages]

    assert _visible(taken) == _visible(new)
    # The same cookies: the new reader is not signed in by the answer either.
    assert sorted(taken.cookies) == sorted(new.cookies)
    assert settings.SESSION_COOKIE_NAME not in new.cookies
    assert [m.replace("TAKEN@example.com", "x") for m in taken_messages] == [
        m.replace("layla@example.com", "x") for m in new_messages
    ]
    # The prober is not logged in, and the owner hears about it instead.
    assert "_auth_user_id" not in prober.session
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    [message] = mail.outbox
    assert message.to == ["TAKEN@example.com"]
    assert "محاولة تسجيل" in message.subject
    assert "/account/password/reset/" in message.body


@override_settings(TASKS=QUEUED)
def test_signup_sends_no_mail_itself_and_queues_one_for_either_address(
    client, signup_data
):
    UserFactory(email="taken@example.com")
    backend = task_backends["default"]

    client.post(SIGNUP, signup_data)
    type(client)().post(SIGNUP, {**signup_data, "email": "taken@example.com"})

    # How long a sign-up takes cannot depend on what the worker then sends.
    assert mail.outbox == []
    queued = [result.task.name for result in backend.results]
    assert queued == ["deliver_account_email", "deliver_account_email"]


def test_signup_with_a_taken_address_does_not_change_the_existing_account(
    client, signup_data
):
    owner = UserFactory(email="layla@example.com", name="الأصلية")
    client.post(SIGNUP, signup_data)
    owner.refresh_from_db()
    assert owner.name == "الأصلية"
    assert owner.check_password("correct-horse-battery")


def test_signup_failing_validation_looks_the_same_for_taken_and_new(client):
    UserFactory(email="taken@example.com")
    bad = {"name": "س", "password": "123", "consent": "on"}
    taken = client.post(SIGNUP, {**bad, "email": "taken@example.com"})
    new = client.post(SIGNUP, {**bad, "email": "fresh@example.com"})
    assert taken.status_code == new.status_code == 200
    assert _without_csrf(taken.text.replace("taken@", "x@")) == _without_csrf(
        new.text.replace("fresh@", "x@")
    )


def _without_csrf(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


# Extension hook for newsletters -------------------------------------------
def test_signup_extensions_add_fields_and_run_only_for_new_accounts(
    client, signup_data
):
    from django import forms

    from accounts.forms import _signup_extensions, register_signup_extension

    applied = []

    class Extension:
        def contribute_to_form(self, form):
            form.fields["topics"] = forms.BooleanField(label="مواضيع", required=False)

        def apply(self, *, user, cleaned_data):
            applied.append((user.email, cleaned_data["topics"]))

    extension = Extension()
    register_signup_extension(extension)
    try:
        assert 'name="topics"' in client.get(SIGNUP).text
        client.post(SIGNUP, {**signup_data, "topics": "on"})
        type(client)().post(SIGNUP, {**signup_data, "topics": "on"})
    finally:
        _signup_extensions.remove(extension)
    assert applied == [("layla@example.com", True)]


# Throttling ------------------------------------------------------------------
def test_signup_is_throttled_per_address_and_lifts(client, signup_data):
    from django.core.cache import cache

    from accounts import throttling

    UserFactory(email="layla@example.com")
    for n in range(throttling.SIGNUP_PER_EMAIL.attempts):
        client.post(SIGNUP, signup_data, REMOTE_ADDR=f"10.0.0.{n}")
    blocked = client.post(SIGNUP, signup_data, REMOTE_ADDR="10.0.1.1")
    assert blocked.status_code == 200
    assert "محاولات كثيرة" in blocked.text
    assert len(mail.outbox) == throttling.SIGNUP_PER_EMAIL.attempts
    cache.clear()
    assert client.post(SIGNUP, signup_data).status_code == 302


def test_signup_is_throttled_per_ip(client, signup_data):
    from accounts import throttling

    for n in range(throttling.SIGNUP_PER_IP.attempts):
        type(client)().post(
            SIGNUP,
            {**signup_data, "email": f"p{n}@example.com"},
            REMOTE_ADDR="10.5.5.5",
        )
    blocked = client.post(
        SIGNUP, {**signup_data, "email": "last@example.com"}, REMOTE_ADDR="10.5.5.5"
    )
    assert "محاولات كثيرة" in blocked.text
    assert not User.objects.filter(email="last@example.com").exists()


def test_verification_resend_is_throttled_then_lifts(client):
    from unittest import mock as _mock

    from accounts import throttling

    client.force_login(UserFactory())
    url = reverse("accounts:resend_verification")
    for _ in range(throttling.RESEND_PER_ACCOUNT.attempts):
        client.post(url)
    blocked = client.post(url, follow=True)
    assert "محاولات كثيرة" in blocked.text
    assert len(mail.outbox) == throttling.RESEND_PER_ACCOUNT.attempts
    later = throttling._now() + throttling.RESEND_PER_ACCOUNT.window
    with _mock.patch("accounts.throttling._now", return_value=later):
        client.post(url)
    assert len(mail.outbox) == throttling.RESEND_PER_ACCOUNT.attempts + 1


def test_signup_next_pointing_at_signup_does_not_loop(client, signup_data):
    response = client.post(SIGNUP, {**signup_data, "next": SIGNUP})
    assert response.url == "/"
