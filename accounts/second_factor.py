"""Staff second factor: after the password, the admin asks for a code.

django-otp keeps the devices and remembers in the session which one verified
it; its middleware (accounts.middleware.SecondFactorMiddleware) gives
`request.user.otp_device`, read by is_verified(). The code step's
*second factor* is an authenticator app (TOTP). A passkey (accounts.Passkey,
a django-otp device too) passes it at sign-in: the login page's passkey
sign-in, which requires user verification, calls `django_otp.login()`
(accounts/passkeys.py). Recovery codes (one
otp_static device of single-use tokens) stand in for the app when the phone
is lost; a superuser's reset (`reset_second_factor`) starts again from nothing.
"""

import math
import re
from base64 import b32encode

import django_otp
import qrcode
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import throttling
from .models import Passkey

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "تطبيق المصادقة"
RECOVERY_DEVICE_NAME = "رموز الاسترداد"
TOTP_CODE = re.compile(r"\d{6}")
# What StaticToken.random_token() makes: eight base32 letters and digits.
RECOVERY_CODE = re.compile(r"[a-z2-7]{8}")
# Digits as Arabic and Persian keyboards type them.
_ASCII_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
# Spaces, dashes and the direction marks a copy from an RTL page may carry.
_SEPARATORS = re.compile(r"[\s\-\u200e\u200f\u2066-\u2069]")


def normalize_code(value: str) -> str:
    """A code as typed, in the form devices compare: no spaces or dashes,
    ASCII digits, lower case."""
    return _SEPARATORS.sub("", value.translate(_ASCII_DIGITS)).lower()


# State of a user and of a session --------------------------------------------
def second_factors(user) -> list[Device]:
    """The user's confirmed second factors for the code step (every device
    class but the recovery codes and passkeys). A passkey passes the second
    factor at sign-in instead (accounts/passkeys.py): it has no code to type,
    so a staff member who signs in with a password still sets up an app."""
    return [
        device
        for device in django_otp.devices_for_user(user)
        if not isinstance(device, (StaticDevice, Passkey))
    ]


def has_second_factor(user) -> bool:
    return bool(second_factors(user))


def is_verified(user) -> bool:
    """Whether this request's session passed a second factor (the device is
    set by accounts.middleware.SecondFactorMiddleware and django_otp.login)."""
    return getattr(user, "otp_device", None) is not None


def is_pending(user) -> bool:
    """Staff signed in with their password who still owe the second factor."""
    return user.is_active and user.is_staff and not is_verified(user)


# Checking a code -------------------------------------------------------------
def verify(request, *, code: str, devices=None) -> Device | None:
    """The device among `devices` (by default the user's, chosen by the
    code's shape) that accepts `code`; this session then counts as verified.
    None for a wrong code.

    Raises throttling.Throttled when this account (from this address) or this
    address has had too many wrong codes, or while a device waits out its
    backoff after failures from anywhere.
    """
    user = request.user
    ip = throttling.client_ip(request)
    limits = (
        (throttling.SECOND_FACTOR_PER_IP, ip),
        (throttling.SECOND_FACTOR_PER_ACCOUNT_AND_IP, f"{user.pk} {ip}"),
    )
    throttling.check(*limits)
    if devices is None:
        devices = _devices_for(user, code)
    _check_backoff(devices)
    for device in devices:
        verified = django_otp.verify_token(user, device.persistent_id, code)
        if verified is not None:
            throttling.reset(limits[1])
            _log_in(request, verified)
            return verified
    throttling.hit(*limits)
    return None


def _devices_for(user, code):
    # A wrong app code must not count against the recovery codes' backoff,
    # nor the other way round.
    if TOTP_CODE.fullmatch(code):
        model = TOTPDevice
    elif RECOVERY_CODE.fullmatch(code):
        model = StaticDevice
    else:
        return []
    return list(model.objects.devices_for_user(user, confirmed=True))


def _check_backoff(devices):
    now = timezone.now()
    for device in devices:
        allowed, details = device.verify_is_allowed()
        if not allowed and details and details.get("locked_until"):
            wait = (details["locked_until"] - now).total_seconds()
            raise throttling.Throttled(max(1, math.ceil(wait)))


def _log_in(request, device):
    # A new session key for the raised privilege, as auth.login() does.
    request.session.cycle_key()
    django_otp.login(request, device)


# Setting up an authenticator app ---------------------------------------------
def pending_app(user) -> TOTPDevice:
    """The authenticator app being set up: the same secret until a code
    confirms it."""
    device = (
        TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    )
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=APP_DEVICE_NAME, confirmed=False
        )
    return device


def confirm_app(request, device: TOTPDevice, *, code: str) -> list[str] | None:
    """Confirm the app being set up with a first code from it: the session is
    verified and the user gets fresh recovery codes, returned to be shown
    once. None for a wrong code (Throttled as for verify())."""
    if verify(request, code=code, devices=[device]) is None:
        return None
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user_id).exclude(pk=device.pk).delete()
        return replace_recovery_codes(device.user)


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps ask for it: base32, in fours."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(text: str, *, label: str):
    """`text` as a QR code in inline SVG, drawn here: no script, no request.
    Dark on white whatever the admin's theme, as scanners need."""
    qr = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    size = len(matrix)
    return format_html(
        '<svg class="nr-qr" xmlns="http://www.w3.org/2000/svg" '
        'viewBox="0 0 {size} {size}" role="img" aria-label="{label}" '
        'shape-rendering="crispEdges"><rect width="{size}" height="{size}" '
        'fill="#fff"/><path fill="#000" d="{path}"/></svg>',
        size=size,
        label=label,
        path="".join(runs),
    )


# Recovery codes ---------------------------------------------------------------
def replace_recovery_codes(user) -> list[str]:
    """Ten new single-use codes; the old ones stop working. The device stays,
    so a session verified by a recovery code stays verified."""
    with transaction.atomic():
        device = StaticDevice.objects.filter(user=user).order_by("pk").first()
        if device is None:
            device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME)
        device.token_set.all().delete()
        codes = set()
        while len(codes) < RECOVERY_CODE_COUNT:
            codes.add(StaticToken.random_token())
        codes = sorted(codes)
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=code) for code in codes
        )
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def format_recovery_code(code: str) -> str:
    """abcd-efgh: easier to copy by hand (the dash is ignored when typed)."""
    return f"{code[:4]}-{code[4:]}"


def recovery_code_message(user) -> str:
    return _(
        "دخلت برمز استرداد، ولا يصلح بعد الآن. رموز الاسترداد الباقية لديك: "
        "%(count)s. إن فقدت هاتفك فاطلب من مدير الموقع إعادة ضبط التحقق بخطوتين."
    ) % {"count": recovery_codes_left(user)}


# A lost phone ----------------------------------------------------------------
def resettable_devices(user) -> list[Device]:
    """What a reset removes: authenticator apps (set up or half set up) and
    recovery codes. Other device classes (passkeys) are their owner's to
    remove."""
    return [
        *TOTPDevice.objects.filter(user=user),
        *StaticDevice.objects.filter(user=user),
    ]


def reset_second_factor(*, user) -> int:
    """Forget the user's authenticator apps and recovery codes: their
    sessions lose their verification, and their next visit to the admin sets
    up a new app. Returns how many devices went."""
    with transaction.atomic():
        devices = resettable_devices(user)
        for device in devices:
            device.delete()
    return len(devices)
