"""Staff pass a second factor after their password before any admin view:
a code from an authenticator app (TOTP) or a single-use recovery code."""

import re
from base64 import b32encode
from binascii import unhexlify
from urllib.parse import quote, urlsplit

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.urls import URLResolver, reverse
from django.urls.resolvers import RoutePattern
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor, throttling
from accounts.middleware import SecondFactorMiddleware
from articles.management.commands import seed_demo
from tests.factories import ArticleFactory, UserFactory
from tests.second_factor import authenticator_app, pass_second_factor

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
STEP = "/admin/second-factor/"
SETUP = "/admin/second-factor/setup/"
CODES = "/admin/second-factor/recovery-codes/"
CHANGELIST = "/admin/articles/article/"
WRONG_CODE = "الرمز غير صحيح أو انتهت مدته"
THROTTLED = "محاولات كثيرة"
# On a 30-second step and at the start of a 15-minute throttling window.
START = 1_990_000 * 15 * 60


def current_code(device):
    """What the app shows now (time-machine holds the clock), computed from
    the device's key."""
    code = totp(device.bin_key, device.step, device.t0, device.digits)
    return f"{code:0{device.digits}d}"


def wrong_code(device):
    return "000000" if current_code(device) != "000000" else "111111"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def staff(db):
    """An editor with every permission, so that only the second factor can
    refuse a page."""
    return UserFactory(
        email="editor@example.com", is_staff=True, is_superuser=True, verified=True
    )


def sign_in(client, user, next_url=CHANGELIST, ip="10.0.0.1"):
    return client.post(
        LOGIN,
        {"username": user.email, "password": PASSWORD, "next": next_url},
        REMOTE_ADDR=ip,
    )


def enter(client, code, url=STEP, ip="10.0.0.1", **data):
    return client.post(url, {"code": code, **data}, REMOTE_ADDR=ip)


def step_url(next_url):
    return f"{STEP}?next={quote(next_url, safe='/')}"


# Every admin view -------------------------------------------------------------
def admin_paths():
    """A concrete path for every view of the admin site, custom ones too."""

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
                continue
            if pattern.name in {"login", "logout", "second_factor"}:
                continue
            if pattern.name == "second_factor_setup":
                continue
            route = str(pattern.pattern)
            if isinstance(pattern.pattern, RoutePattern):
                yield pattern.name, prefix + re.sub(r"<[^>]+>", "1", route)
            elif pattern.name == "app_list":
                yield pattern.name, prefix + "articles/"
            elif route.endswith("/history/([^/]+)/$"):  # simple_history's
                yield pattern.name, prefix + "1/history/1/"
            elif route == "(?P<url>.*)$":
                yield "catch-all", prefix + "no-such-page/"
            else:
                raise AssertionError(f"Give {route!r} a concrete path here.")

    return sorted(set(walk(admin.site.get_urls(), "/admin/")), key=lambda p: p[1])


ADMIN_PATHS = admin_paths()


def test_the_walk_finds_the_custom_endpoints():
    names = {name for name, _path in ADMIN_PATHS}
    assert {
        "index",
        "recovery_codes",
        "password_change",
        "autocomplete",
        "view_on_site",
        "articles_article_preview",
        "articles_article_lock_heartbeat",
        "articles_picture_original",
        "articles_picture_blocks",
        "newsletters_newsletter_export",
        "newsletters_newsletterissue_breaking",
        "articles_article_simple_history",
        "auth_user_password_change",
        "catch-all",
    } <= names
    assert len(ADMIN_PATHS) > 100
    # django-otp's own device admins (secrets, recovery codes) are not served.
    assert not [path for _name, path in ADMIN_PATHS if "/otp_" in path]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_staff_session_without_a_second_factor_opens_no_admin_view(
    staff, client, method
):
    authenticator_app(staff)
    client.force_login(staff)  # the password, and nothing more
    article = ArticleFactory(draft=True)

    refused = {}
    for name, path in ADMIN_PATHS:
        path = path.replace("/1/", f"/{article.pk}/")
        response = getattr(client, method)(path)
        if response.status_code != 302 or response["Location"] != step_url(path):
            refused[name] = (path, response.status_code, response.get("Location"))
    assert refused == {}
    assert client.session["_auth_user_id"] == str(staff.pk)  # still signed in


def test_the_english_admin_sends_to_the_english_step(staff, client):
    client.force_login(staff)

    response = client.get("/en/admin/articles/article/")

    assert (
        response["Location"]
        == "/en/admin/second-factor/?next=/en/admin/articles/article/"
    )
    page = client.get(response["Location"], follow=True)
    assert page.redirect_chain[-1][0].startswith("/en/admin/second-factor/setup/")
    assert '<html lang="en" dir="ltr">' in page.text


def test_signing_out_needs_no_second_factor(staff, client):
    client.force_login(staff)

    response = client.post("/admin/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session


def test_staff_signed_in_on_the_readers_page_still_owe_the_code(staff, client):
    authenticator_app(staff)
    client.post(
        reverse("accounts:login"), {"username": staff.email, "password": PASSWORD}
    )

    response = client.get("/admin/")

    assert response["Location"] == step_url("/admin/")
    # The admin's login page does not ask for the password again either.
    assert client.get(LOGIN + "?next=/admin/")["Location"] == step_url("/admin/")


# The code step ----------------------------------------------------------------
def test_password_then_code_opens_the_admin(staff, client, clock):
    device = authenticator_app(staff)

    response = sign_in(client, staff)
    assert response["Location"] == step_url(CHANGELIST)
    step = client.get(response["Location"])
    assert step.status_code == 200
    assert "admin/second_factor/verify.html" in [t.name for t in step.templates]
    assert '<html lang="ar" dir="rtl">' in step.text
    assert "اكتب الرمز المكوَّن من ستة أرقام" in step.text
    assert 'autocomplete="one-time-code"' in step.text

    response = enter(client, current_code(device), next=CHANGELIST)

    assert response.status_code == 302
    assert response["Location"] == CHANGELIST
    assert client.get(CHANGELIST).status_code == 200
    assert client.session[second_factor.django_otp.DEVICE_ID_SESSION_KEY] == (
        device.persistent_id
    )


def test_a_code_typed_with_arabic_digits_and_spaces_is_accepted(staff, client, clock):
    device = authenticator_app(staff)
    sign_in(client, staff)
    code = current_code(device)
    arabic = "".join("٠١٢٣٤٥٦٧٨٩"[int(d)] for d in code)

    response = enter(client, f"{arabic[:3]} {arabic[3:]}")

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_code_cannot_be_used_twice(staff, clock):
    device = authenticator_app(staff)
    first, second = Client(), Client()
    sign_in(first, staff)
    sign_in(second, staff)
    code = current_code(device)

    assert enter(first, code).status_code == 302
    replay = enter(second, code)

    assert replay.status_code == 200
    assert WRONG_CODE in replay.text


@pytest.mark.parametrize(
    "code", ["", "12345", "1234567", "abc", "\x00", "x" * 5000, "٣٤٥", "🙂🙂🙂🙂🙂🙂"]
)
def test_junk_codes_are_answered_in_arabic_never_a_500(staff, client, code):
    authenticator_app(staff)
    sign_in(client, staff)

    response = enter(client, code)

    assert response.status_code == 200
    assert 'class="errornote"' in response.text
    assert client.get("/admin/").status_code == 302


def test_a_list_for_a_code_is_not_a_500(staff, client):
    authenticator_app(staff)
    sign_in(client, staff)

    assert client.post(STEP, {"code": ["123456", "654321"]}).status_code == 200


def test_wrong_codes_are_throttled_per_account_and_address(staff, client, clock):
    device = authenticator_app(staff)
    sign_in(client, staff)
    limit = throttling.SECOND_FACTOR_PER_ACCOUNT_AND_IP
    for _ in range(limit.attempts):
        wrong = enter(client, wrong_code(device))
        assert WRONG_CODE in wrong.text
        clock.shift(60)  # past the device's own backoff

    blocked = enter(client, current_code(device))

    # Even the right code waits, from this address...
    assert blocked.status_code == 200
    assert THROTTLED in blocked.text
    assert client.get("/admin/").status_code == 302
    # ...while the owner, from elsewhere, is not locked out.
    elsewhere = Client()
    sign_in(elsewhere, staff, ip="10.0.0.2")
    clock.shift(30)
    assert enter(elsewhere, current_code(device), ip="10.0.0.2").status_code == 302


def test_guesses_from_many_addresses_meet_the_devices_backoff(staff, clock):
    device = authenticator_app(staff)
    for n in range(3):
        guesser = Client()
        sign_in(guesser, staff, ip=f"10.1.0.{n}")
        enter(guesser, wrong_code(device))

    owner = Client()
    sign_in(owner, staff, ip="10.2.0.1")
    refused = enter(owner, current_code(device), ip="10.2.0.1")

    assert "انتظر بضع ثوانٍ" in refused.text
    clock.shift(4)  # 2 ** (3 - 1) seconds after the third failure
    assert enter(owner, current_code(device), ip="10.2.0.1").status_code == 302


def test_next_never_leaves_the_site(staff, client, clock):
    device = authenticator_app(staff)
    sign_in(client, staff)

    response = enter(client, current_code(device), next="https://evil.example/")

    assert response["Location"] == "/admin/"


# Setting up an authenticator app ----------------------------------------------
def test_first_visit_sets_up_an_app_and_shows_recovery_codes_once(staff, client, clock):
    response = sign_in(client, staff)
    response = client.get(response["Location"])
    assert response["Location"] == f"{SETUP}?next={quote(CHANGELIST, safe='')}"

    page = client.get(response["Location"])

    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    secret = b32encode(device.bin_key).decode()
    shown = re.search(r'<code class="nr-secret" dir="ltr">([^<]+)</code>', page.text)
    assert shown[1].replace(" ", "") == secret
    # The QR code of the app's otpauth:// link, drawn in the page: one path,
    # nothing fetched, no script.
    svg = re.search(r'<svg class="nr-qr".*?</svg>', page.text)[0]
    assert re.fullmatch(
        r'<svg class="nr-qr" xmlns="http://www.w3.org/2000/svg" '
        r'viewBox="0 0 (\d+) \1" role="img" aria-label="[^"<]+" '
        r'shape-rendering="crispEdges"><rect [^<]+/><path fill="#000" '
        r'd="[Mhvz0-9 -]+"/></svg>',
        svg,
    )
    drawn = second_factor.qr_code_svg(device.config_url, label="x")
    assert re.search(r' d="[^"]+"', svg)[0] == re.search(r' d="[^"]+"', drawn)[0]
    assert f"secret={secret}" in device.config_url
    assert "<script" not in page.text.split('<div id="content-main"')[1]
    # A second look shows the same secret until it is confirmed.
    assert shown[1] in client.get(SETUP).text

    wrong = enter(client, wrong_code(device), SETUP)
    assert "الرمز غير صحيح" in wrong.text
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    clock.shift(30)

    done = enter(client, current_code(device), SETUP, next=CHANGELIST)

    assert done["Location"] == f"{CODES}?next={quote(CHANGELIST, safe='')}"
    device.refresh_from_db()
    assert device.confirmed
    codes_page = client.get(done["Location"])
    codes = re.findall(
        r'<li><code dir="ltr">([a-z2-7]{4}-[a-z2-7]{4})</code></li>', codes_page.text
    )
    assert len(codes) == len(set(codes)) == 10
    assert sorted(c.replace("-", "") for c in codes) == sorted(
        StaticToken.objects.filter(device__user=staff).values_list("token", flat=True)
    )
    assert f'href="{CHANGELIST}"' in codes_page.text
    # Shown once: the next visit only counts them.
    again = client.get(CODES)
    assert "<li><code" not in again.text
    assert "رموز الاسترداد الباقية لديك: 10." in again.text
    assert client.get(CHANGELIST).status_code == 200


def test_setup_is_only_for_staff_without_an_app(staff, client, reader):
    authenticator_app(staff)
    client.force_login(staff)

    # Replacing an app needs the current one: the code step, not a new secret.
    assert client.get(SETUP)["Location"].startswith(STEP)
    assert TOTPDevice.objects.filter(user=staff).count() == 1
    # Readers and visitors are sent to the login page.
    assert reader.get(SETUP)["Location"].startswith(LOGIN)
    assert reader.get(STEP)["Location"].startswith(LOGIN)
    assert Client().get(SETUP)["Location"].startswith(LOGIN)


# Recovery codes ----------------------------------------------------------------
def test_a_recovery_code_works_once(staff, clock):
    authenticator_app(staff)
    first, *others = second_factor.replace_recovery_codes(staff)
    phone_lost = Client()
    sign_in(phone_lost, staff)

    # Typed as shown (with its dash), in capitals too.
    response = enter(phone_lost, second_factor.format_recovery_code(first).upper())

    assert response.status_code == 302
    page = phone_lost.get(response["Location"])
    assert page.status_code == 200
    assert "دخلت برمز استرداد" in page.text
    assert "رموز الاسترداد الباقية لديك: 9." in page.text
    again = Client()
    sign_in(again, staff)
    assert WRONG_CODE in enter(again, first).text
    clock.shift(2)  # the codes' backoff after a wrong one
    assert enter(again, others[0]).status_code == 302


def test_staff_replace_their_recovery_codes(staff, client, clock):
    device = authenticator_app(staff)
    old = second_factor.replace_recovery_codes(staff)
    sign_in(client, staff)
    enter(client, current_code(device))

    response = client.post(CODES, {"next": "/admin/"})

    assert response.status_code == 302
    new = re.findall(
        r'<code dir="ltr">([a-z2-7-]{9})</code>', client.get(response["Location"]).text
    )
    assert len(new) == 10
    assert not StaticToken.objects.filter(token__in=old).exists()
    # The session stays verified although it was the codes' device that changed.
    assert client.get("/admin/").status_code == 200
    other = Client()
    sign_in(other, staff)
    assert WRONG_CODE in enter(other, old[0]).text
    clock.shift(2)
    assert enter(other, new[0]).status_code == 302


def test_the_admin_links_the_second_factor_page(editor):
    assert f'href="{CODES}"' in editor.get("/admin/").text


# A lost phone --------------------------------------------------------------------
def test_a_superuser_resets_a_staff_members_second_factor(admin_client, staff):
    colleague = Client()
    colleague.force_login(staff)
    pass_second_factor(colleague, staff)
    second_factor.replace_recovery_codes(staff)
    assert colleague.get("/admin/").status_code == 200

    response = admin_client.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [staff.pk]},
        follow=True,
    )

    assert "أُعيد ضبط التحقق بخطوتين" in response.text
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert not StaticDevice.objects.filter(user=staff).exists()
    # Their open session lost its verification; the next visit sets up an app.
    assert colleague.get("/admin/")["Location"] == step_url("/admin/")
    assert colleague.get(step_url("/admin/"))["Location"].startswith(SETUP)


def test_only_superusers_may_reset(staff, db):
    user_manager = UserFactory(is_staff=True, verified=True)
    user_manager.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    client = Client()
    client.force_login(user_manager)
    pass_second_factor(client, user_manager)
    authenticator_app(staff)

    listing = client.get("/admin/accounts/user/")
    client.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [staff.pk]},
    )

    assert listing.status_code == 200
    assert 'value="reset_second_factor"' not in listing.text
    assert TOTPDevice.objects.filter(user=staff).exists()


def test_the_reset_command(staff, capsys):
    authenticator_app(staff)
    second_factor.replace_recovery_codes(staff)

    call_command("reset_second_factor", staff.email, "--dry-run")
    assert "would remove 2 device(s)" in capsys.readouterr().out
    assert TOTPDevice.objects.filter(user=staff).exists()

    call_command("reset_second_factor", staff.email.upper())
    assert "removed 2 device(s)" in capsys.readouterr().out
    assert second_factor.resettable_devices(staff) == []

    with pytest.raises(CommandError):
        call_command("reset_second_factor", "nobody@example.com")


# Demo accounts --------------------------------------------------------------------
def test_the_demo_secret_is_the_demo_key():
    assert b32encode(unhexlify(seed_demo.DEMO_TOTP_KEY)).decode() == (
        seed_demo.DEMO_TOTP_SECRET.replace(" ", "")
    )


def test_demo_otp_code_knows_only_the_demo_secret(staff, capsys, clock):
    real = authenticator_app(staff)
    with pytest.raises(CommandError):
        call_command("demo_otp_code", staff.email)

    real.key = seed_demo.DEMO_TOTP_KEY
    real.save()
    call_command("demo_otp_code", staff.email)
    assert capsys.readouterr().out.strip() == current_code(real)


# Readers ---------------------------------------------------------------------------
def test_readers_are_not_asked_for_a_second_factor(reader, client):
    assert reader.get(reverse("accounts:profile")).status_code == 200
    # The admin refuses them as before: its login page, not the code step.
    assert reader.get("/admin/")["Location"].startswith(LOGIN)
    assert not TOTPDevice.objects.exists()


def test_the_middleware_keeps_the_users_own_is_verified(reader_user):
    request = RequestFactory().get("/")
    request.user = reader_user
    request.session = {}

    SecondFactorMiddleware(lambda request: None)(request)

    assert request.user.is_verified is True  # the e-mail address, as before
    assert request.user.otp_device is None
    assert not second_factor.is_verified(request.user)


def test_public_pages_are_the_same_for_staff_with_or_without_the_code(staff, client):
    article = ArticleFactory()
    anonymous = client.get(article.get_absolute_url()).content
    unverified = Client()
    unverified.force_login(staff)

    assert unverified.get(article.get_absolute_url()).content == anonymous
    assert urlsplit(unverified.get("/admin/")["Location"]).path == STEP
