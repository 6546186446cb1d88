"""Signing in without a password, "e-mail me a code": a six-digit code and a
link in one message (accounts/login_codes.py, accounts.views.login_code*)."""

import re

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import login_codes, throttling
from accounts.models import LoginCode, SavedArticle
from tests.factories import ArticleFactory, UserFactory

from .conftest import links_in_last_mail

pytestmark = pytest.mark.django_db

ASK = reverse("accounts:login_code")
ENTER = reverse("accounts:login_code_enter")
LINKS = "/account/login/link/"
WRONG = "هذا الرمز غير صحيح أو لم يعد صالحًا"
SIX_DIGITS = "اكتب الرمز المكوَّن من ستة أرقام"
THROTTLED = "محاولات كثيرة"
# The start of a day, so of every throttling window (aligned on the epoch).
START = 20_000 * 24 * 60 * 60


def _ask(client, email, ip="10.0.0.1", **data):
    return client.post(ASK, {"email": email, **data}, REMOTE_ADDR=ip)


def _enter(client, code, ip="10.0.0.1", **data):
    return client.post(ENTER, {"code": code, **data}, REMOTE_ADDR=ip)


def _code_in_last_mail():
    [code] = re.findall(r"^\s*(\d{6})\s*$", mail.outbox[-1].body, re.MULTILINE)
    return code


def _pretend_asked(client, email):
    """What asking for a code leaves in the session, without asking."""
    session = client.session
    session["accounts_login_code_email"] = email
    session.save()


def _signed_in(client):
    return client.session.get("_auth_user_id")


@pytest.fixture
def user():
    return UserFactory(email="layla@example.com", verified=True)


# The login page and asking for a code -----------------------------------------
def test_the_login_page_offers_a_code_and_keeps_next(client):
    page = client.get(reverse("accounts:login"), {"next": "/for-you/"})
    assert "أرسل لي رمزًا" in page.text
    assert f"{ASK}?next=/for-you/" in page.text


def test_a_known_address_gets_a_code_and_a_link_in_one_message(client, user):
    response = _ask(client, "Layla@Example.com")
    assert response.status_code == 302
    assert response.url == ENTER
    [message] = mail.outbox
    assert message.to == ["layla@example.com"]
    assert "رمز الدخول" in message.subject
    [link] = links_in_last_mail(LINKS)
    assert re.fullmatch(r"\d{6}", _code_in_last_mail())
    assert link in message.alternatives[0].content
    assert _code_in_last_mail() in message.alternatives[0].content


def test_known_and_unknown_addresses_get_the_same_answer(user):
    unknown = "salma@example.com"
    pages = []
    for email in (user.email, unknown):
        client = Client()
        asked = _ask(client, email)
        page = client.get(asked.url)
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.text)
        pages.append(
            (
                asked.status_code,
                asked.url,
                sorted(asked.cookies),
                page.status_code,
                sorted(page.cookies),
                html.replace(email, "ADDRESS").encode(),
            )
        )
    assert pages[0] == pages[1]
    assert email in page.text


def test_an_unknown_address_is_invited_to_sign_up_and_gets_no_code(client):
    _ask(client, "nobody@example.com", next="/for-you/")
    [message] = mail.outbox
    assert message.to == ["nobody@example.com"]
    assert "أنشئ" in message.subject
    assert links_in_last_mail() == [reverse("accounts:signup") + "?next=%2Ffor-you%2F"]
    assert not re.search(r"\b\d{6}\b", message.body)
    assert not LoginCode.objects.exists()


def test_a_disabled_account_gets_no_mail_at_all(client):
    UserFactory(email="gone@example.com", is_active=False)
    assert _ask(client, "gone@example.com").url == ENTER
    assert mail.outbox == []


def test_the_mail_and_its_link_follow_the_interface_language(client, user):
    response = client.post(
        reverse("accounts:login_code").replace("/account/", "/en/account/", 1),
        {"email": user.email},
    )
    assert response.url == "/en" + ENTER
    [link] = links_in_last_mail(LINKS.replace("/account", ""))
    assert link.startswith("/en" + LINKS)


def test_a_signed_in_reader_is_sent_to_their_account(reader):
    assert reader.get(ASK).url == reverse("accounts:profile")
    assert reader.get(ENTER).url == reverse("accounts:profile")


# Signing in with the code ---------------------------------------------------------
def test_the_code_signs_in_where_it_was_asked_for(client, user):
    _ask(client, user.email, next="/for-you/")
    response = _enter(client, _code_in_last_mail(), next="/for-you/")
    assert response.status_code == 302
    assert response.url == "/for-you/"
    assert int(_signed_in(client)) == user.pk


def test_the_code_may_be_typed_in_arabic_indic_digits_with_spaces(client, user):
    _ask(client, user.email)
    code = _code_in_last_mail()
    arabic = " ".join(code[:3].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))
    response = _enter(client, f"{arabic} - {code[3:]}")
    assert response.status_code == 302
    assert int(_signed_in(client)) == user.pk


def test_a_code_sign_in_verifies_an_unverified_address(client):
    user = UserFactory(email="new@example.com")
    assert not user.is_verified
    _ask(client, user.email)
    _enter(client, _code_in_last_mail())
    user.refresh_from_db()
    assert user.is_verified


def test_the_code_page_needs_the_browser_that_asked(client, user):
    _ask(client, user.email)
    elsewhere = Client()
    response = elsewhere.get(ENTER, {"next": "/for-you/"})
    assert response.status_code == 302
    assert response.url == f"{ASK}?next=%2Ffor-you%2F"
    assert _enter(elsewhere, _code_in_last_mail()).url.startswith(ASK)
    assert not _signed_in(elsewhere)


def test_a_wrong_code_is_refused_with_a_clear_message(client, user):
    _ask(client, user.email)
    code = _code_in_last_mail()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = _enter(client, wrong)
    assert response.status_code == 200
    assert WRONG in response.text
    assert not _signed_in(client)


def test_an_unknown_address_gets_the_same_refusal(client):
    _ask(client, "nobody@example.com")
    response = _enter(client, "123456")
    assert response.status_code == 200
    assert WRONG in response.text


def test_the_code_works_once(client, user):
    _ask(client, user.email)
    code = _code_in_last_mail()
    [link] = links_in_last_mail(LINKS)
    assert _enter(client, code).status_code == 302
    # Someone who reads the message later, in a browser that asked too.
    later = Client()
    _pretend_asked(later, user.email)
    assert WRONG in _enter(later, code).text
    assert Client().post(link).status_code == 400
    assert not _signed_in(later)


def test_the_code_expires_after_ten_minutes(user):
    with time_machine.travel(START, tick=False) as clock:
        on_time, late = Client(), Client()
        _ask(on_time, user.email)
        early_code = _code_in_last_mail()
        clock.shift(9 * 60 + 59)
        assert _enter(on_time, early_code).status_code == 302

        _ask(late, user.email)
        late_code = _code_in_last_mail()
        [link] = links_in_last_mail(LINKS)
        clock.shift(login_codes.CODE_MAX_AGE.total_seconds())
        assert WRONG in _enter(late, late_code).text
        assert late.get(link).status_code == 400
        assert not _signed_in(late)


def test_a_new_request_replaces_the_previous_code(client, user):
    _ask(client, user.email)
    first = _code_in_last_mail()
    [first_link] = links_in_last_mail(LINKS)
    _ask(client, user.email)
    second = _code_in_last_mail()
    if first != second:  # one chance in a million that they are the same
        assert WRONG in _enter(client, first).text
    assert Client().get(first_link).status_code == 400
    assert _enter(client, second).status_code == 302
    assert LoginCode.objects.count() == 0


def test_five_wrong_codes_kill_the_code(client, user):
    _ask(client, user.email)
    code = _code_in_last_mail()
    [link] = links_in_last_mail(LINKS)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(login_codes.MAX_TRIES):
        assert WRONG in _enter(client, wrong).text
    # The right code, now: too late.
    assert WRONG in _enter(client, code).text
    assert not _signed_in(client)
    # The link cannot be guessed, so the owner may still use it.
    assert Client().post(link).status_code == 302


def test_tries_count_per_address_not_per_browser(client, user):
    _ask(client, user.email)
    code = _code_in_last_mail()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(login_codes.MAX_TRIES):
        guesser = Client()
        _pretend_asked(guesser, user.email)
        _enter(guesser, wrong)
    assert WRONG in _enter(client, code).text


def test_a_lost_try_count_leaves_a_single_try(client, user):
    _ask(client, user.email)
    code = _code_in_last_mail()
    cache.clear()  # evicted, or a cache restart
    assert WRONG in _enter(client, f"{(int(code) + 1) % 10**6:06d}").text
    assert WRONG in _enter(client, code).text


def test_a_wrong_code_costs_the_same_queries_for_any_address(user):
    """No stopwatch can tell an account with a waiting code from no account:
    the same statements, and no write in either case."""
    statements = []
    for email in (user.email, "salma@example.com"):
        client = Client()
        _ask(client, email)
        wrong = "000000"
        if email == user.email:
            wrong = f"{(int(_code_in_last_mail()) + 1) % 10**6:06d}"
        with (
            time_machine.travel(START, tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            assert WRONG in _enter(client, wrong).text
        statements.append([query["sql"].replace(email, "ADDRESS") for query in queries])
    assert statements[0] and statements[0] == statements[1]
    assert not any(
        sql.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
        for sql in statements[0]
    )


def test_four_wrong_codes_still_leave_the_right_one(client, user):
    _ask(client, user.email)
    code = _code_in_last_mail()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(login_codes.MAX_TRIES - 1):
        _enter(client, wrong)
    assert _enter(client, code).status_code == 302


# The link -----------------------------------------------------------------------
def test_opening_the_link_shows_a_button_and_signs_nobody_in(client, user):
    _ask(Client(), user.email)
    [link] = links_in_last_mail(LINKS)
    # What a mail scanner does: GET (and HEAD) the link, maybe twice.
    for _ in range(2):
        page = client.get(link)
        assert page.status_code == 200
        assert "ادخل إلى حسابي" in page.text
        assert 'method="post"' in page.text
        assert client.head(link).status_code == 200
    assert not _signed_in(client)
    assert LoginCode.objects.filter(user=user).exists()

    response = client.post(link)
    assert response.status_code == 302
    assert response.url == "/"
    assert int(_signed_in(client)) == user.pk
    # Once.
    assert Client().post(link).status_code == 400
    assert Client().get(link).status_code == 400


def test_the_link_needs_the_pages_csrf_token(user):
    _ask(Client(), user.email)
    [link] = links_in_last_mail(LINKS)
    planted = Client(enforce_csrf_checks=True)
    assert planted.post(link).status_code == 403
    assert not _signed_in(planted)


@pytest.mark.parametrize(
    "token", ["x", "a" * 5000, "%00", "ليس-رمزًا", "..", "AAAAAAAAAAAAAAAAAAAAAA"]
)
def test_a_junk_link_is_an_invalid_link_page(client, token):
    response = client.get(f"{LINKS}{token}/")
    assert response.status_code in (400, 404)
    assert client.post(f"{LINKS}{token}/").status_code in (400, 404)


def test_the_link_brings_the_reader_back_and_keeps_the_save(client):
    """The link opens in the phone's mail app: another browser."""
    user = UserFactory(email="back@example.com")
    article = ArticleFactory()
    client.get(reverse("accounts:save_prompt", args=[article.pk]))
    ask_page = client.get(ASK, {"next": article.get_absolute_url()})
    assert article.headline in ask_page.text
    _ask(client, user.email, next=article.get_absolute_url())
    [link] = links_in_last_mail(LINKS)

    mail_app = Client()
    response = mail_app.post(link)
    assert response.url == article.get_absolute_url()
    assert SavedArticle.objects.filter(user=user, article=article).exists()


@pytest.mark.parametrize("next_url", ["https://evil.example/x", "//evil.example"])
def test_code_sign_in_never_redirects_off_site(client, user, next_url):
    _ask(client, user.email, next=next_url)
    assert _enter(client, _code_in_last_mail(), next=next_url).url == "/"
    client.post(reverse("accounts:logout"))
    _ask(client, user.email, next=next_url)
    [link] = links_in_last_mail(LINKS)
    assert client.post(link).url == "/"


# Pending save or follow ---------------------------------------------------------
def test_a_pending_save_completes_after_a_code_sign_in(client, user):
    article = ArticleFactory()
    next_url = article.get_absolute_url()
    client.get(reverse("accounts:save_prompt", args=[article.pk]))
    _ask(client, user.email, next=next_url)
    response = _enter(client, _code_in_last_mail(), next=next_url)
    assert response.url == next_url
    assert SavedArticle.objects.filter(user=user, article=article).exists()
    assert "accounts_pending_action" not in client.session
    state = client.get(reverse("accounts:state"), {"a": str(article.pk)}).json()
    assert state["saved"] == [article.pk]
    assert {"level": "success", "text": "حفظنا المقال في قائمة محفوظاتك."} in (
        state["messages"]
    )


# Rate limits --------------------------------------------------------------------
def test_requests_are_limited_per_address(user):
    per_hour = throttling.LOGIN_CODE_PER_EMAIL.attempts
    with time_machine.travel(START, tick=False) as clock:
        for n in range(per_hour):
            assert _ask(Client(), user.email, ip=f"10.0.1.{n}").status_code == 302
        refused = _ask(Client(), user.email, ip="10.0.2.1")
        assert refused.status_code == 200
        assert THROTTLED in refused.text
        assert len(mail.outbox) == per_hour
        # An unknown address is answered the same way.
        for n in range(per_hour):
            _ask(Client(), "nobody@example.com", ip=f"10.0.3.{n}")
        assert THROTTLED in _ask(Client(), "nobody@example.com", ip="10.0.4.1").text

        clock.shift(throttling.LOGIN_CODE_PER_EMAIL.window)
        assert _ask(Client(), user.email, ip="10.0.2.1").status_code == 302
        # And a cap per day, whatever the hours.
        daily = throttling.LOGIN_CODE_PER_EMAIL_DAILY.attempts
        for n in range(daily - per_hour - 1):
            _ask(Client(), user.email, ip=f"10.0.5.{n}")
        clock.shift(throttling.LOGIN_CODE_PER_EMAIL.window)
        assert THROTTLED in _ask(Client(), user.email, ip="10.0.6.1").text


def test_requests_are_limited_per_ip(client):
    for n in range(throttling.LOGIN_CODE_PER_IP.attempts):
        assert _ask(client, f"guess{n}@example.com", ip="10.9.9.9").status_code == 302
    refused = _ask(client, "one-more@example.com", ip="10.9.9.9")
    assert THROTTLED in refused.text
    assert _ask(Client(), "one-more@example.com", ip="10.1.1.1").status_code == 302


def test_wrong_codes_are_limited_per_ip(client):
    _ask(client, "nobody@example.com")
    for _ in range(throttling.LOGIN_CODE_TRIES_PER_IP.attempts):
        assert WRONG in _enter(client, "123456").text
    refused = _enter(client, "123456")
    assert THROTTLED in refused.text
    assert WRONG not in refused.text


# Junk ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"email": ""},
        {"email": "not an email"},
        {"email": "a" * 100_000 + "@example.com"},
        {"email": "\x00"},
        {"email": ["a@example.com", "b@example.com"]},
        {"email": "a@example.com", "next": "x" * 100_000},
    ],
)
def test_junk_addresses_are_answered_with_the_form(client, data):
    response = client.post(ASK, data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert 'class="errorlist' in response.text or "form__errors" in response.text


@pytest.mark.parametrize(
    "code",
    [
        "",
        "   ",
        "abcdef",
        "12345",
        "1234567",
        "12 34 567",
        "١٢٣٤٥",
        "१२३४५६",  # Devanagari digits are digits to \d, not to us
        "1" * 100_000,
        "\x00\x00\x00\x00\x00\x00",
        "12345\u202e6",
    ],
)
def test_junk_codes_are_answered_with_a_clear_message(client, user, code):
    _ask(client, user.email)
    response = _enter(client, code)
    assert response.status_code == 200
    assert "errorlist" in response.text
    if "\x00" not in code:  # Django's own message for those
        assert SIX_DIGITS in response.text
    assert not _signed_in(client)
    # Not a try: the code still has all of them.
    right = _code_in_last_mail()
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(login_codes.MAX_TRIES - 1):
        _enter(client, wrong)
    assert _enter(client, right).status_code == 302


def test_a_code_given_as_a_list_is_read_as_its_last_value(client, user):
    _ask(client, user.email)
    response = client.post(ENTER, {"code": ["000000", "abc"]})
    assert response.status_code == 200
    assert SIX_DIGITS in response.text


# Storage, caching, CSRF -----------------------------------------------------------
def test_the_code_and_link_are_never_stored_in_clear(client, user):
    _ask(client, user.email)
    code = _code_in_last_mail()
    [link] = links_in_last_mail(LINKS)
    secret = link.removeprefix(LINKS).strip("/")
    stored = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            stored.extend(repr(row) for row in cursor.fetchall())
    everything = "\n".join(stored)
    assert secret not in everything
    row = LoginCode.objects.get(user=user)
    assert code not in row.code_hash + row.link_hash
    for key, value in _everything_cached():
        assert code.encode() not in value and code not in key
        assert secret.encode() not in value and secret not in key


def _everything_cached():
    """(key, stored bytes) of every cache entry, read from the store itself:
    local memory on the SQLite pass, Redis on the PostgreSQL one."""
    store = cache._cache
    if isinstance(store, dict):  # LocMemCache: pickled values
        yield from store.items()
        return
    client = store.get_client()
    for key in client.scan_iter():
        yield key.decode(), bytes(client.dump(key) or b"")


def test_the_pages_are_private_and_never_stored(client, user):
    pages = [client.get(ASK)]
    _ask(client, user.email)
    pages.append(client.get(ENTER))
    [link] = links_in_last_mail(LINKS)
    pages.append(client.get(link))
    for page in pages:
        assert page.status_code == 200
        assert "no-store" in page["Cache-Control"]
        assert "private" in page["Cache-Control"]


def test_every_post_needs_a_csrf_token(user):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(ASK, {"email": user.email}).status_code == 403
    assert mail.outbox == []
    _pretend_asked(strict, user.email)
    assert strict.post(ENTER, {"code": "123456"}).status_code == 403
