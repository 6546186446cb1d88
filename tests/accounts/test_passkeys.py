"""Passkeys (WebAuthn): adding, naming and removing them on the account page,
signing in with one (accounts/passkeys.py), with real signatures from a
software authenticator (tests/webauthn_authenticator.py)."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from accounts import export, second_factor, throttling
from accounts.models import Passkey, SavedArticle
from tests.factories import ArticleFactory, UserFactory
from tests.webauthn_authenticator import SoftAuthenticator, b64url

pytestmark = pytest.mark.django_db

RP_ID = "testserver"
ORIGIN = "http://testserver"
ADD_OPTIONS = reverse("accounts:passkey_register_options")
ADD = reverse("accounts:passkey_register")
SIGN_IN_OPTIONS = reverse("accounts:passkey_login_options")
SIGN_IN = reverse("accounts:passkey_login")
PROFILE = reverse("accounts:profile")


@pytest.fixture(autouse=True)
def _relying_party(settings):
    # The test client's site, as SITE_URL's host and origin would give.
    settings.PASSKEY_RP_ID = RP_ID
    settings.PASSKEY_ORIGINS = [ORIGIN]


@pytest.fixture
def authenticator():
    return SoftAuthenticator(rp_id=RP_ID, origin=ORIGIN)


def post_json(client, url, body, **extra):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(url, data, content_type="application/json", **extra)


def add_passkey(client, authenticator, name="هاتفي", **answer):
    options = post_json(client, ADD_OPTIONS, {}).json()
    credential = authenticator.create(options, **answer)
    return post_json(client, ADD, {"credential": credential, "name": name})


def sign_in(client, authenticator, next_url=None, **answer):
    options = post_json(client, SIGN_IN_OPTIONS, {}).json()
    credential = authenticator.get(options, **answer)
    body = {"credential": credential}
    if next_url is not None:
        body["next"] = next_url
    return post_json(client, SIGN_IN, body)


@pytest.fixture
def registered(reader, authenticator):
    """The reader's passkey, added from the account page."""
    assert add_passkey(reader, authenticator).status_code == 200
    return Passkey.objects.get(user=reader.user)


def assert_refused(response, status=400):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]


# Adding a passkey ------------------------------------------------------------
def test_adding_a_passkey_keeps_its_public_key_and_name(reader, authenticator):
    response = add_passkey(reader, authenticator, name="  هاتفي   الجديد ")
    assert response.status_code == 200
    assert response.json() == {"redirect": PROFILE}
    passkey = Passkey.objects.get(user=reader.user)
    assert passkey.name == "هاتفي الجديد"
    assert passkey.credential_id == b64url(authenticator.credential_id)
    assert passkey.transports == ["internal", "hybrid"]
    assert bytes(passkey.user_handle) == authenticator.user_handle
    assert passkey.last_used_at is None
    assert "هاتفي الجديد" in reader.get(PROFILE).text


def test_registration_options_ask_for_a_discoverable_verified_passkey(reader):
    options = post_json(reader, ADD_OPTIONS, {}).json()
    assert options["rp"]["id"] == RP_ID
    assert options["user"]["name"] == reader.user.email
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"


def test_a_nameless_passkey_gets_a_default_name(reader, authenticator):
    assert add_passkey(reader, authenticator, name="").status_code == 200
    assert Passkey.objects.get().name == "مفتاح مرور"


def test_a_second_passkey_shares_the_account_handle_and_excludes_the_first(
    reader, registered
):
    options = post_json(reader, ADD_OPTIONS, {}).json()
    assert options["user"]["id"] == b64url(bytes(registered.user_handle))
    assert [c["id"] for c in options["excludeCredentials"]] == [
        registered.credential_id
    ]
    second = SoftAuthenticator(rp_id=RP_ID, origin=ORIGIN)
    response = post_json(
        reader, ADD, {"credential": second.create(options), "name": "الحاسوب"}
    )
    assert response.status_code == 200
    assert reader.user.passkeys.count() == 2


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        b"\xff\xfe",
        "[1, 2]",
        {},
        {"credential": "x"},
        {"credential": {"id": "a", "rawId": "a", "response": 5}},
        {"credential": {"id": 5, "rawId": [], "type": "public-key", "response": {}}},
        {"credential": None, "name": ["a"]},
    ],
)
def test_junk_is_refused_and_spends_the_challenge(reader, authenticator, body):
    options = post_json(reader, ADD_OPTIONS, {}).json()
    assert_refused(post_json(reader, ADD, body))
    # The challenge went with the failed try.
    credential = authenticator.create(options)
    assert_refused(post_json(reader, ADD, {"credential": credential, "name": "x"}))
    assert not Passkey.objects.exists()


def test_an_answer_without_options_is_refused(reader, authenticator):
    options = {"challenge": b64url(b"made-up"), "user": {"id": b64url(b"u")}}
    response = post_json(reader, ADD, {"credential": authenticator.create(options)})
    assert_refused(response)


def test_an_answer_to_another_challenge_is_refused(reader, authenticator):
    post_json(reader, ADD_OPTIONS, {})
    options = {"challenge": b64url(b"another"), "user": {"id": b64url(b"u")}}
    response = post_json(reader, ADD, {"credential": authenticator.create(options)})
    assert_refused(response)
    assert not Passkey.objects.exists()


def test_a_replayed_registration_is_refused(reader, authenticator):
    options = post_json(reader, ADD_OPTIONS, {}).json()
    body = {"credential": authenticator.create(options), "name": "هاتفي"}
    assert post_json(reader, ADD, body).status_code == 200
    assert_refused(post_json(reader, ADD, body))
    assert Passkey.objects.count() == 1


@pytest.mark.parametrize(
    "answer",
    [
        {"origin": "https://evil.example"},
        {"rp_id": "evil.example"},
        {"verified": False},
    ],
)
def test_a_wrong_origin_site_or_unverified_user_is_refused(
    reader, authenticator, answer
):
    assert_refused(add_passkey(reader, authenticator, **answer))
    assert not Passkey.objects.exists()


def test_another_users_credential_cannot_be_added_again(
    registered, other_reader, authenticator
):
    assert_refused(add_passkey(other_reader, authenticator))
    assert list(Passkey.objects.all()) == [registered]


def test_adding_needs_a_recent_sign_in(reader, authenticator):
    # A session left open for a while cannot plant its own passkey.
    later = timezone.now() + timedelta(minutes=16)
    with time_machine.travel(later, tick=False):
        options = reader.post(reverse("accounts:passkey_register_options"))
        page = reader.get(reverse("accounts:profile")).content.decode()
    assert options.status_code == 403
    assert "ادخل إلى حسابك من جديد" in options.json()["error"]
    assert "data-passkey-add" not in page
    assert "ادخل من جديد لتضيف مفتاح مرور" in page
    assert not Passkey.objects.exists()

    with time_machine.travel(later, tick=False):
        reader.force_login(reader.user)  # signs in again, by any means
        assert add_passkey(reader, authenticator).status_code == 200
    assert Passkey.objects.filter(user=reader.user).count() == 1


def test_adding_needs_a_signed_in_reader_and_a_post(client, reader):
    response = post_json(client, ADD_OPTIONS, {})
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert reader.get(ADD_OPTIONS).status_code == 405


def test_the_json_endpoints_need_the_csrf_token(reader_user, authenticator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader_user)
    assert post_json(client, ADD_OPTIONS, {}).status_code == 403
    assert (
        post_json(Client(enforce_csrf_checks=True), SIGN_IN_OPTIONS, {}).status_code
        == 403
    )


# Signing in --------------------------------------------------------------------
def test_signing_in_with_a_passkey(registered, authenticator):
    client = Client()
    response = sign_in(client, authenticator)
    assert response.status_code == 200
    assert response.json() == {"redirect": "/"}
    assert int(client.session["_auth_user_id"]) == registered.user_id
    registered.refresh_from_db()
    assert registered.sign_count == authenticator.sign_count
    assert registered.last_used_at is not None


def test_sign_in_options_name_no_account(client):
    options = post_json(client, SIGN_IN_OPTIONS, {}).json()
    assert options["rpId"] == RP_ID
    assert options["allowCredentials"] == []
    assert options["userVerification"] == "required"


def test_a_replayed_sign_in_is_refused(registered, authenticator):
    client = Client()
    options = post_json(client, SIGN_IN_OPTIONS, {}).json()
    body = {"credential": authenticator.get(options)}
    assert post_json(client, SIGN_IN, body).status_code == 200
    other_browser = Client()
    post_json(other_browser, SIGN_IN_OPTIONS, {})
    assert_refused(post_json(client, SIGN_IN, body))
    assert_refused(post_json(other_browser, SIGN_IN, body))
    assert "_auth_user_id" not in other_browser.session


def test_two_waiting_requests_each_work_once(registered, authenticator):
    # The login page's autofill request waits while the button asks again.
    client = Client()
    autofill = post_json(client, SIGN_IN_OPTIONS, {}).json()
    button = post_json(client, SIGN_IN_OPTIONS, {}).json()
    assert autofill["challenge"] != button["challenge"]
    answer = {"credential": authenticator.get(button)}
    assert post_json(client, SIGN_IN, answer).status_code == 200
    assert_refused(post_json(client, SIGN_IN, answer))


def test_an_answer_to_another_challenge_does_not_sign_in(registered, authenticator):
    client = Client()
    post_json(client, SIGN_IN_OPTIONS, {})
    made_up = {"challenge": b64url(b"made-up")}
    assert_refused(
        post_json(client, SIGN_IN, {"credential": authenticator.get(made_up)})
    )
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "answer",
    [
        {"origin": "https://evil.example"},
        {"rp_id": "evil.example"},
        {"verified": False},
        {"user_handle": b"someone else"},
    ],
)
def test_a_wrong_answer_does_not_sign_in(registered, authenticator, answer):
    client = Client()
    assert_refused(sign_in(client, authenticator, **answer))
    assert "_auth_user_id" not in client.session


def test_a_signature_from_another_key_does_not_sign_in(registered, authenticator):
    # Someone else's authenticator naming this reader's credential.
    forger = SoftAuthenticator(rp_id=RP_ID, origin=ORIGIN)
    forger.credential_id = authenticator.credential_id
    forger.user_handle = authenticator.user_handle
    client = Client()
    assert_refused(sign_in(client, forger))
    assert "_auth_user_id" not in client.session


def test_a_cloned_authenticator_is_refused(registered, authenticator):
    assert sign_in(Client(), authenticator, sign_count=5).status_code == 200
    assert_refused(sign_in(Client(), authenticator, sign_count=3))


def test_a_removed_passkey_no_longer_signs_in(registered, authenticator):
    registered.delete()
    client = Client()
    assert_refused(sign_in(client, authenticator))
    assert "_auth_user_id" not in client.session


def test_an_inactive_account_cannot_sign_in(registered, authenticator):
    registered.user.is_active = False
    registered.user.save()
    client = Client()
    assert_refused(sign_in(client, authenticator))
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("body", ["junk", b"\xff", "3", {}, {"credential": {}}])
def test_sign_in_junk_is_refused(client, body):
    post_json(client, SIGN_IN_OPTIONS, {})
    assert_refused(post_json(client, SIGN_IN, body))


def test_sign_in_follows_a_safe_next_only(registered, authenticator):
    response = sign_in(Client(), authenticator, next_url="/for-you/")
    assert response.json() == {"redirect": "/for-you/"}
    response = sign_in(Client(), authenticator, next_url="https://evil.example/")
    assert response.json() == {"redirect": "/"}


def test_a_pending_save_is_done_after_a_passkey_sign_in(registered, authenticator):
    article = ArticleFactory()
    client = Client()
    client.get(reverse("accounts:save_prompt", args=[article.pk]))
    response = sign_in(client, authenticator, next_url=article.get_absolute_url())
    assert response.json() == {"redirect": article.get_absolute_url()}
    assert SavedArticle.objects.filter(user=registered.user, article=article).exists()


def test_failed_passkey_sign_ins_are_throttled_like_the_login(
    registered, authenticator, monkeypatch
):
    monkeypatch.setattr(
        throttling, "LOGIN_PER_IP", throttling.Limit("login-ip", attempts=2, window=60)
    )
    client = Client()
    for _ in range(2):
        assert_refused(sign_in(client, authenticator, verified=False))
    response = post_json(client, SIGN_IN_OPTIONS, {})
    assert_refused(response, status=429)
    assert response["Retry-After"]
    # Even with the right passkey, until the window ends.
    response = post_json(client, SIGN_IN, {"credential": {}})
    assert_refused(response, status=429)
    assert "_auth_user_id" not in client.session


# The admin's second factor ----------------------------------------------------------
def test_a_passkey_sign_in_passes_the_admins_second_factor(authenticator):
    staff = UserFactory(is_staff=True, is_superuser=True, verified=True)
    client = Client()
    client.force_login(staff)
    assert add_passkey(client, authenticator).status_code == 200
    passkey = Passkey.objects.get(user=staff)
    client.logout()

    assert client.get("/admin/").status_code == 302
    assert sign_in(client, authenticator).status_code == 200
    assert client.session[DEVICE_ID_SESSION_KEY] == passkey.persistent_id
    assert client.get("/admin/").status_code == 200
    # Removing the passkey takes the verification with it.
    passkey.delete()
    assert client.get("/admin/").status_code == 302


def test_a_passkey_is_not_a_code_step_device(registered):
    # A staff member with only passkeys who signs in with a password sets up
    # an app: the code step has nothing to ask a passkey.
    assert not second_factor.has_second_factor(registered.user)


# The account page ---------------------------------------------------------------------
def test_the_account_page_lists_only_the_readers_passkeys(
    reader, registered, other_reader
):
    other_key = SoftAuthenticator(rp_id=RP_ID, origin=ORIGIN)
    add_passkey(other_reader, other_key, name="مفتاح الآخر")
    page = reader.get(PROFILE).text
    assert "هاتفي" in page
    assert "مفتاح الآخر" not in page
    assert reverse("accounts:passkey_remove", args=[registered.pk]) in page
    assert "js/passkeys.js" in page


def test_renaming_a_passkey(reader, registered):
    url = reverse("accounts:passkey_rename", args=[registered.pk])
    assert reader.get(url).status_code == 200
    response = reader.post(url, {"name": " حاسوب العمل "})
    assert response.status_code == 302
    assert response.url == PROFILE
    registered.refresh_from_db()
    assert registered.name == "حاسوب العمل"
    assert reader.post(url, {"name": "  "}).status_code == 200


def test_removing_a_passkey_asks_first(reader, registered):
    url = reverse("accounts:passkey_remove", args=[registered.pk])
    response = reader.get(url)
    assert response.status_code == 200
    assert Passkey.objects.filter(pk=registered.pk).exists()
    response = reader.post(url)
    assert response.status_code == 302
    assert not Passkey.objects.filter(pk=registered.pk).exists()


@pytest.mark.parametrize("action", ["passkey_rename", "passkey_remove"])
def test_someone_elses_passkey_is_a_404(other_reader, registered, action):
    url = reverse(f"accounts:{action}", args=[registered.pk])
    assert other_reader.get(url).status_code == 404
    assert other_reader.post(url, {"name": "x"}).status_code == 404
    registered.refresh_from_db()
    assert registered.name == "هاتفي"


@pytest.mark.parametrize("action", ["passkey_rename", "passkey_remove"])
def test_passkey_pages_are_private(client, registered, action):
    url = reverse(f"accounts:{action}", args=[registered.pk])
    response = client.post(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert Passkey.objects.filter(pk=registered.pk).exists()


# The login page and the reader's data --------------------------------------------------
def test_the_login_page_offers_passkeys(client):
    page = client.get(reverse("accounts:login")).text
    assert 'autocomplete="username webauthn"' in page
    assert "js/passkeys.js" in page
    assert reverse("accounts:passkey_login_options") in page
    assert "<script>" not in page


def test_the_export_has_passkey_names_and_dates_only(reader, registered, other_reader):
    add_passkey(other_reader, SoftAuthenticator(rp_id=RP_ID, origin=ORIGIN), "غريب")
    data = export.collect(reader.user)["passkeys"]
    assert data == [
        {"name": "هاتفي", "added_at": registered.created_at, "last_used_at": None}
    ]
    page = reader.get(reverse("accounts:data")).text
    assert "مفاتيح المرور" in page
    assert "غريب" not in page
    assert registered.credential_id not in page
