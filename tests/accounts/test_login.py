import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts import throttling
from tests.factories import UserFactory

from .conftest import PASSWORD, links_in_last_mail

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
# The start of a throttling window (they are aligned on the epoch).
START = 1_000_000 * 15 * 60


def test_login_page_renders_with_links_to_signup_and_reset(client):
    response = client.get(LOGIN + "?next=/for-you/")
    assert response.status_code == 200
    assert reverse("accounts:password_reset") in response.text
    assert reverse("accounts:signup") + "?next=/for-you/" in response.text


def test_login_with_email_any_case_logs_in_and_follows_next(client):
    user = UserFactory(email="Reader@Example.com")
    response = client.post(
        LOGIN,
        {"username": "reader@example.COM", "password": PASSWORD, "next": "/for-you/"},
    )
    assert response.status_code == 302
    assert response.url == "/for-you/"
    assert int(client.session["_auth_user_id"]) == user.pk


def test_wrong_password_gives_an_arabic_error_and_no_session(client):
    UserFactory(email="a@example.com")
    response = client.post(LOGIN, {"username": "a@example.com", "password": "nope"})
    assert response.status_code == 200
    assert "البريد الإلكتروني أو كلمة المرور غير صحيحين" in response.text
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/x", "//evil.example", "/\\evil.example"]
)
def test_login_never_redirects_off_site(client, next_url):
    UserFactory(email="a@example.com")
    response = client.post(
        LOGIN, {"username": "a@example.com", "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302
    assert response.url == "/"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"username": "", "password": ""},
        {"username": "not an email", "password": "x"},
        {"username": "a" * 1000 + "@example.com", "password": "x" * 5000},
        {"username": "\x00", "password": "\x00"},
        {"username": ["a@example.com", "b@example.com"], "password": ["x"]},
    ],
)
def test_junk_login_input_never_errors(client, data):
    response = client.post(LOGIN, data)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(reader):
    response = reader.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in reader.session


# Throttling ------------------------------------------------------------------
def _fail(client, email="victim@example.com", ip="10.0.0.1", path=LOGIN):
    return client.post(path, {"username": email, "password": "wrong"}, REMOTE_ADDR=ip)


def _sign_in(client, ip, email="victim@example.com", path=LOGIN):
    return client.post(path, {"username": email, "password": PASSWORD}, REMOTE_ADDR=ip)


def test_wrong_passwords_from_one_address_stop_that_address_only(client):
    UserFactory(email="victim@example.com")
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(throttling.LOGIN_PER_ACCOUNT_AND_IP.attempts):
            assert "محاولات كثيرة" not in _fail(client, ip="10.0.0.1").text

        blocked = _sign_in(client, "10.0.0.1")
        # Even the right password waits, from there...
        assert blocked.status_code == 200
        assert "حاول مرة أخرى بعد 15 دقيقة" in blocked.text
        assert "_auth_user_id" not in client.session
        # ...while the owner, elsewhere, is not locked out.
        assert _sign_in(Client(), "10.0.0.2").status_code == 302

        clock.shift(throttling.LOGIN_PER_ACCOUNT_AND_IP.window)
        assert _sign_in(client, "10.0.0.1").status_code == 302


def test_guesses_from_everywhere_slow_the_account_down_but_never_lock_it(client):
    UserFactory(email="victim@example.com")
    backoff = throttling.LOGIN_BACKOFF
    with time_machine.travel(START, tick=False) as clock:
        for n in range(backoff.free):
            _fail(client, ip=f"10.1.0.{n}")
        # From now on each failure doubles the wait before the next attempt.
        for wait in (1, 2, 4, 8):
            refused = _sign_in(Client(), "10.2.0.1")
            assert "محاولات كثيرة" in refused.text
            clock.shift(wait)
            _fail(client, ip=f"10.3.0.{wait}")
        # Never more than `longest`, and the right password then gets in.
        for n in range(30):
            clock.shift(backoff.longest)
            _fail(client, ip=f"10.4.0.{n}")
        assert "حاول مرة أخرى بعد 15 دقيقة" in _sign_in(Client(), "10.2.0.1").text
        clock.shift(backoff.longest)
        owner = Client()
        assert _sign_in(owner, "10.2.0.1").status_code == 302
        # A success forgets the failures.
        assert "محاولات كثيرة" not in _fail(client, ip="10.5.0.1").text


def test_a_password_reset_lets_the_owner_in_at_once(client):
    user = UserFactory(email="victim@example.com")
    for n in range(throttling.LOGIN_BACKOFF.free + 5):
        _fail(client, ip=f"10.6.0.{n}")
    assert "محاولات كثيرة" in _sign_in(Client(), "10.7.0.1").text

    # The owner resets the password through the link in the e-mail...
    owner = Client()
    owner.post(reverse("accounts:password_reset"), {"email": user.email})
    [link] = links_in_last_mail("/account/password/reset/")
    set_url = owner.get(link, follow=True).redirect_chain[-1][0]
    new = "نخلة-زيتون-بحر-77"
    owner.post(set_url, {"new_password1": new, "new_password2": new})

    # ...and signs in with it without waiting for the guesser's backoff.
    response = owner.post(
        LOGIN, {"username": user.email, "password": new}, REMOTE_ADDR="10.7.0.1"
    )
    assert response.status_code == 302


def test_the_admin_login_is_throttled_like_the_readers(client):
    UserFactory(email="victim@example.com", is_staff=True)
    admin_login = "/admin/login/"
    for _ in range(throttling.LOGIN_PER_ACCOUNT_AND_IP.attempts):
        _fail(client, path=admin_login)

    blocked = _sign_in(client, "10.0.0.1", path=admin_login)

    assert blocked.status_code == 200
    assert "محاولات كثيرة" in blocked.text
    assert "_auth_user_id" not in client.session
    assert _sign_in(Client(), "10.0.0.2", path=admin_login).status_code == 302


def test_login_is_throttled_per_ip_across_accounts(client):
    for n in range(throttling.LOGIN_PER_IP.attempts):
        _fail(client, email=f"guess{n}@example.com", ip="10.9.9.9")
    UserFactory(email="someone@example.com")
    blocked = client.post(
        LOGIN,
        {"username": "someone@example.com", "password": PASSWORD},
        REMOTE_ADDR="10.9.9.9",
    )
    assert "محاولات كثيرة" in blocked.text
    other_ip = client.post(
        LOGIN,
        {"username": "someone@example.com", "password": PASSWORD},
        REMOTE_ADDR="10.1.1.1",
    )
    assert other_ip.status_code == 302


def test_successful_login_clears_the_account_failures(client):
    UserFactory(email="victim@example.com")
    for _ in range(throttling.LOGIN_PER_ACCOUNT_AND_IP.attempts - 1):
        _fail(client)
    assert _sign_in(client, "10.0.0.1").status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(throttling.LOGIN_PER_ACCOUNT_AND_IP.attempts - 1):
        _fail(client)
    assert "محاولات كثيرة" not in _fail(client).text


def test_throttle_is_lifted_when_the_cache_entry_expires(client):
    UserFactory(email="victim@example.com")
    for _ in range(throttling.LOGIN_PER_ACCOUNT_AND_IP.attempts):
        _fail(client)
    assert "محاولات كثيرة" in _fail(client).text
    cache.clear()  # what the key expiry does at the end of the window
    assert _sign_in(client, "10.0.0.1").status_code == 302


def test_throttle_message_reports_minutes_left(client):
    UserFactory(email="victim@example.com")
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(throttling.LOGIN_PER_ACCOUNT_AND_IP.attempts):
            _fail(client)
        clock.shift(60)
        assert "حاول مرة أخرى بعد 14 دقيقة" in _fail(client).text


@pytest.mark.parametrize("next_url", [LOGIN, LOGIN + "?x=1", "/account/login"])
def test_logged_in_reader_opening_login_lands_on_their_account(reader, next_url):
    # Public pages show everyone the sign-in link; no loop, no crash.
    response = reader.get(LOGIN, {"next": next_url})
    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")


@pytest.mark.parametrize(
    "next_url", ["", "%00", "javascript:alert(1)", "https://evil.example", "ن" * 3000]
)
def test_junk_next_on_login_and_signup_pages_renders(client, next_url):
    assert client.get(LOGIN, {"next": next_url}).status_code == 200
    assert client.get(reverse("accounts:signup"), {"next": next_url}).status_code == 200


def test_per_ip_limit_uses_the_trusted_proxy_hop(client, settings):
    settings.THROTTLE_TRUSTED_PROXIES = 1
    for n in range(throttling.LOGIN_PER_IP.attempts):
        client.post(
            LOGIN,
            {"username": f"g{n}@example.com", "password": "x"},
            REMOTE_ADDR="10.0.0.254",  # the proxy
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7",
        )
    UserFactory(email="someone@example.com")
    good = {"username": "someone@example.com", "password": PASSWORD}
    # The client spoofing a different left-most address is still 198.51.100.7.
    blocked = client.post(
        LOGIN,
        good,
        REMOTE_ADDR="10.0.0.254",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7",
    )
    assert "محاولات كثيرة" in blocked.text
    # Another reader behind the same proxy is not locked out.
    other = client.post(
        LOGIN, good, REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="198.51.100.8"
    )
    assert other.status_code == 302
