"""Passkeys (WebAuthn), with py_webauthn: adding one from the account page,
signing in with one from the login page (accounts.views, static/js/passkeys.js).

Each ceremony is two requests. The first gives the browser its options and
keeps the challenge in the session; the second spends that challenge (once,
whatever the outcome) and checks the browser's answer against it, against
the relying party (settings.PASSKEY_RP_ID, SITE_URL's host) and against the
site's origin (settings.PASSKEY_ORIGINS). Passkeys are discoverable
credentials with user verification required, so signing in needs no address,
and a sign-in proves both the device and its owner's fingerprint, face or
PIN: it also passes the admin's second factor (Passkey is a django-otp
device).
"""

import json
import secrets
import time

import django_otp
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    options_to_json_dict,
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from .export import ExportPart
from .models import Passkey

REGISTER_SESSION_KEY = "passkey_registration"
SIGN_IN_SESSION_KEY = "passkey_sign_in"
# How long the browser may take (its own timeout is a little shorter).
CHALLENGE_MAX_AGE = 5 * 60
TIMEOUT_MS = 4 * 60 * 1000
MAX_PER_USER = 20
MAX_SIGN_IN_CHALLENGES = 5
DEFAULT_NAME = gettext_lazy("مفتاح مرور")


class Refused(Exception):
    """The browser's answer did not verify. `passkey` is the credential it
    named, when that one is known (for the per-account rate limit)."""

    def __init__(self, message, *, passkey=None):
        super().__init__(message)
        self.message = message
        self.passkey = passkey


def _rejected():
    return Refused(_("لم نتمكن من التحقق من مفتاح المرور. حاول مرة أخرى."))


# Challenges: one per ceremony, in the session, used once -------------------------
def _remember(request, key, challenge: bytes, **extra) -> None:
    request.session[key] = {
        "challenge": bytes_to_base64url(challenge),
        "at": int(time.time()),
        **extra,
    }


def _spend(request, key) -> dict:
    """The ceremony's state, removed from the session: a replayed answer
    finds nothing. Refused when missing or expired."""
    state = request.session.pop(key, None)
    if (
        not isinstance(state, dict)
        or not isinstance(state.get("challenge"), str)
        or time.time() - state.get("at", 0) > CHALLENGE_MAX_AGE
    ):
        raise Refused(_("انتهت مهلة الطلب. حاول مرة أخرى."))
    return state


def _challenge(state) -> bytes:
    return base64url_to_bytes(state["challenge"])


# Adding a passkey -----------------------------------------------------------

# A passkey is a way into the account: only a reader who has just proved who
# they are (signed in within this time, by any means) may add one, so that a
# session left open or stolen cannot plant its own.
SIGNED_IN_AT_SESSION_KEY = "signed_in_at"
RECENT_SIGN_IN_SECONDS = 15 * 60


def note_sign_in(sender, request, user, **kwargs):
    """user_logged_in receiver: when this session last proved its owner."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT_SESSION_KEY] = int(timezone.now().timestamp())


def signed_in_recently(request) -> bool:
    signed_in_at = request.session.get(SIGNED_IN_AT_SESSION_KEY)
    if not isinstance(signed_in_at, int):
        return False
    age = timezone.now().timestamp() - signed_in_at
    return 0 <= age < RECENT_SIGN_IN_SECONDS


def _user_handle(user) -> bytes:
    """The account's WebAuthn user handle: random (it names nobody), the
    same for all its passkeys, so a device keeps one passkey per account."""
    handle = user.passkeys.values_list("user_handle", flat=True).first()
    return bytes(handle) if handle is not None else secrets.token_bytes(32)


def registration_options(request) -> dict:
    user = request.user
    handle = _user_handle(user)
    options = generate_registration_options(
        rp_id=settings.PASSKEY_RP_ID,
        rp_name=str(settings.SITE_NAME),
        user_id=handle,
        user_name=user.email,
        user_display_name=user.name or user.email,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[_descriptor(passkey) for passkey in user.passkeys.all()],
    )
    _remember(
        request,
        REGISTER_SESSION_KEY,
        options.challenge,
        user=user.pk,
        handle=bytes_to_base64url(handle),
    )
    return options_to_json_dict(options)


def _descriptor(passkey):
    transports = [
        AuthenticatorTransport(value)
        for value in passkey.transports
        if value in AuthenticatorTransport._value2member_map_
    ]
    return PublicKeyCredentialDescriptor(
        id=base64url_to_bytes(passkey.credential_id), transports=transports or None
    )


def register(request, *, credential, name: str) -> Passkey:
    """Check the browser's new credential and keep it for the signed-in
    user. Raises Refused."""
    state = _spend(request, REGISTER_SESSION_KEY)
    user = request.user
    if state.get("user") != user.pk:
        raise _rejected()
    if user.passkeys.count() >= MAX_PER_USER:
        raise Refused(
            _("لديك %(count)s مفتاح مرور، وهو الحد الأقصى. احذف واحدًا أولًا.")
            % {"count": MAX_PER_USER}
        )
    try:
        parsed = parse_registration_credential_json(credential)
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=_challenge(state),
            expected_rp_id=settings.PASSKEY_RP_ID,
            expected_origin=settings.PASSKEY_ORIGINS,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError, AttributeError):
        raise _rejected() from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if Passkey.objects.filter(credential_id=credential_id).exists():
        raise Refused(_("هذا المفتاح مضاف من قبل."))
    transports = [transport.value for transport in parsed.response.transports or []]
    try:
        with transaction.atomic():
            return Passkey.objects.create(
                user=user,
                name=clean_name(name),
                credential_id=credential_id,
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                transports=transports,
                user_handle=base64url_to_bytes(state["handle"]),
            )
    except IntegrityError:  # added at the same moment by another request
        raise Refused(_("هذا المفتاح مضاف من قبل.")) from None


def clean_name(name) -> str:
    name = " ".join(str(name or "").split())[
        : Passkey._meta.get_field("name").max_length
    ]
    return name or str(DEFAULT_NAME)


# Signing in -----------------------------------------------------------------
def authentication_options(request) -> dict:
    # No allowCredentials: the browser offers the passkeys it holds for this
    # site, and the answer names the account (discoverable credentials).
    options = generate_authentication_options(
        rp_id=settings.PASSKEY_RP_ID,
        timeout=TIMEOUT_MS,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    # Several may wait at once: the login page's autofill request, and the
    # button's (or another tab's). Each is spent by the answer that uses it.
    now = int(time.time())
    waiting = [
        entry
        for entry in _sign_in_challenges(request)
        if now - entry["at"] <= CHALLENGE_MAX_AGE
    ][-(MAX_SIGN_IN_CHALLENGES - 1) :]
    waiting.append({"challenge": bytes_to_base64url(options.challenge), "at": now})
    request.session[SIGN_IN_SESSION_KEY] = waiting
    return options_to_json_dict(options)


def _sign_in_challenges(request) -> list[dict]:
    waiting = request.session.get(SIGN_IN_SESSION_KEY)
    if not isinstance(waiting, list):
        return []
    return [
        entry
        for entry in waiting
        if isinstance(entry, dict)
        and isinstance(entry.get("challenge"), str)
        and isinstance(entry.get("at"), int)
    ]


def _spend_sign_in_challenge(request, parsed) -> dict:
    """The waiting challenge the answer's clientDataJSON names, removed from
    the session. Refused when none does (unknown, replayed or expired)."""
    try:
        client_data = json.loads(parsed.response.client_data_json)
        answered = client_data["challenge"]
    except (ValueError, TypeError, KeyError):
        raise _rejected() from None
    waiting = _sign_in_challenges(request)
    match = next((e for e in waiting if e["challenge"] == answered), None)
    if match is None:
        raise Refused(_("انتهت مهلة الطلب. حاول مرة أخرى."))
    waiting.remove(match)
    request.session[SIGN_IN_SESSION_KEY] = waiting
    if time.time() - match["at"] > CHALLENGE_MAX_AGE:
        raise Refused(_("انتهت مهلة الطلب. حاول مرة أخرى."))
    return match


def authenticate(request, *, credential) -> Passkey:
    """The passkey that signed this session's challenge, its counter and
    last use updated. Raises Refused."""
    try:
        parsed = parse_authentication_credential_json(credential)
    except (WebAuthnException, ValueError, TypeError, KeyError, AttributeError):
        raise _rejected() from None
    state = _spend_sign_in_challenge(request, parsed)
    passkey = (
        Passkey.objects.select_related("user")
        .filter(credential_id=bytes_to_base64url(parsed.raw_id))
        .first()
    )
    if passkey is None:
        raise Refused(
            _("لا نعرف مفتاح المرور هذا. ربما حُذف من حسابك؛ ادخل بكلمة المرور.")
        )
    handle = parsed.response.user_handle
    if handle is not None and bytes(handle) != bytes(passkey.user_handle):
        raise Refused(_rejected().message, passkey=passkey)
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=_challenge(state),
            expected_rp_id=settings.PASSKEY_RP_ID,
            expected_origin=settings.PASSKEY_ORIGINS,
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError, AttributeError):
        raise Refused(_rejected().message, passkey=passkey) from None
    if not passkey.user.is_active:
        raise Refused(_("هذا الحساب معطّل."), passkey=passkey)
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = timezone.now()
    passkey.save(update_fields=["sign_count", "last_used_at"])
    return passkey


def pass_second_factor(request, passkey: Passkey) -> None:
    """After auth.login(): the session passed a second factor too (user
    verification was required), as the admin's code step would mark it."""
    django_otp.login(request, passkey)


# The reader's data (accounts.export) ----------------------------------------
def export(user) -> list[dict]:
    # Names and dates only: the public key and ids stay out of the file.
    return [
        {
            "name": passkey.name,
            "added_at": passkey.created_at,
            "last_used_at": passkey.last_used_at,
        }
        for passkey in user.passkeys.all()
    ]


EXPORT_PART = ExportPart(
    "passkeys",
    gettext_lazy("مفاتيح المرور"),
    "accounts/_data_passkeys.html",
    export,
)
