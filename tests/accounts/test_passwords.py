import pytest
from django.core import mail
from django.tasks import task_backends
from django.test import override_settings
from django.urls import reverse

from accounts import throttling
from tests.factories import UserFactory

from .conftest import PASSWORD, QUEUED, STRONG_PASSWORD, links_in_last_mail

pytestmark = pytest.mark.django_db

RESET = reverse("accounts:password_reset")
NEW = "نخلة-زيتون-بحر-77"


def test_password_reset_end_to_end(client):
    user = UserFactory(email="reset@example.com")
    response = client.post(RESET, {"email": "RESET@example.com"})
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    [message] = mail.outbox
    assert message.to == ["reset@example.com"]
    assert "كلمة مرور جديدة" in message.subject
    assert message.alternatives[0].mimetype == "text/html"
    assert 'dir="rtl"' in message.alternatives[0].content
    [link] = links_in_last_mail("/account/password/reset/")

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert "اختر كلمة مرور جديدة" in form_page.text
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert done.url == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW)
    # The reset proved the reader reads this mailbox.
    assert user.is_verified
    # The link is single use.
    again = client.get(link, follow=True)
    assert "لم يعد صالحًا" in again.text


def test_password_reset_for_unknown_address_answers_the_same(client):
    UserFactory(email="known@example.com")
    known = client.post(RESET, {"email": "known@example.com"})
    unknown = client.post(RESET, {"email": "nobody@example.com"})
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert len(mail.outbox) == 1
    done_page = client.get(unknown.url)
    assert "إن كان هذا العنوان مسجلًا" in done_page.text


@override_settings(TASKS=QUEUED)
def test_password_reset_queues_the_same_work_for_any_address(client):
    UserFactory(email="known@example.com")
    backend = task_backends["default"]

    client.post(RESET, {"email": "known@example.com"})
    client.post(RESET, {"email": "nobody@example.com"})

    # Looking the address up and mailing are the worker's: a request for a
    # registered address takes no longer than one for an unknown address.
    assert mail.outbox == []
    assert [(r.task.name, sorted(r.kwargs)) for r in backend.results] == [
        ("deliver_password_reset", ["email", "language"])
    ] * 2


def test_password_reset_is_throttled_per_address_and_lifts(client):
    UserFactory(email="known@example.com")
    for n in range(throttling.RESET_PER_EMAIL.attempts):
        client.post(RESET, {"email": "known@example.com"}, REMOTE_ADDR=f"10.0.0.{n}")
    blocked = client.post(RESET, {"email": "known@example.com"})
    assert blocked.status_code == 200
    assert "محاولات كثيرة" in blocked.text
    assert len(mail.outbox) == throttling.RESET_PER_EMAIL.attempts
    # Unknown addresses are throttled the same way, revealing nothing.
    for _ in range(throttling.RESET_PER_EMAIL.attempts):
        client.post(RESET, {"email": "nobody@example.com"}, REMOTE_ADDR="10.1.0.1")
    assert (
        "محاولات كثيرة"
        in client.post(
            RESET, {"email": "nobody@example.com"}, REMOTE_ADDR="10.1.0.2"
        ).text
    )
    from django.core.cache import cache

    cache.clear()
    assert client.post(RESET, {"email": "known@example.com"}).status_code == 302


def test_password_reset_is_throttled_per_ip(client):
    for n in range(throttling.RESET_PER_IP.attempts):
        client.post(RESET, {"email": f"x{n}@example.com"}, REMOTE_ADDR="10.7.7.7")
    blocked = client.post(RESET, {"email": "y@example.com"}, REMOTE_ADDR="10.7.7.7")
    assert "محاولات كثيرة" in blocked.text


@pytest.mark.parametrize(
    "data",
    [{}, {"email": ""}, {"email": "junk"}, {"email": "\x00"}, {"email": "a" * 400}],
)
def test_junk_reset_input_is_a_form_error(client, data):
    response = client.post(RESET, data)
    assert response.status_code == 200
    assert mail.outbox == []


@pytest.mark.parametrize(
    "path",
    [
        "/account/password/reset/AAA/bad-token/",
        "/account/password/reset/%00/%00/",
        "/account/password/reset/" + "M" * 300 + "/x-y/",
    ],
)
def test_junk_reset_links_show_the_invalid_link_page(client, path):
    response = client.get(path, follow=True)
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert "لم يعد صالحًا" in response.text


def test_password_change_keeps_the_reader_logged_in(reader):
    response = reader.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_change_done")
    reader.user.refresh_from_db()
    assert reader.user.check_password(NEW)
    assert reader.get(reverse("accounts:profile")).status_code == 200


def test_password_change_with_a_wrong_old_password_is_throttled(reader):
    url = reverse("accounts:password_change")
    data = {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW}
    for _ in range(throttling.PASSWORD_CHECK_PER_ACCOUNT.attempts):
        assert "محاولات كثيرة" not in reader.post(url, data).text
    blocked = reader.post(url, {**data, "old_password": PASSWORD})
    assert "محاولات كثيرة" in blocked.text
    reader.user.refresh_from_db()
    assert reader.user.check_password(PASSWORD)


def test_password_change_requires_login(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_weak_new_password_is_refused(reader):
    response = reader.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    assert "errorlist" in response.text


def test_signup_password_constant_is_strong_enough():
    # Guard for the fixtures: the sign-up password must pass the validators.
    from django.contrib.auth.password_validation import validate_password

    validate_password(STRONG_PASSWORD)


def test_mail_asked_for_in_english_is_english_and_left_to_right(client):
    UserFactory(email="reset@example.com")

    client.post("/en" + RESET, {"email": "reset@example.com"})

    [message] = mail.outbox
    html = message.alternatives[0].content
    assert '<html lang="en" dir="ltr">' in html
    assert "direction:ltr" in html
    assert 'lang="ar"' not in html
