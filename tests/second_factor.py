"""Staff sessions past the admin's second factor, for tests about something
else (tests/accounts/test_staff_second_factor.py tests the step itself)."""

import time

import django_otp
from django.http import HttpRequest
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice


def authenticator_app(user) -> TOTPDevice:
    """The user's confirmed authenticator app, added if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(
        user=user, name="تطبيق الاختبار", confirmed=True
    )


def pass_second_factor(client, user) -> TOTPDevice:
    """Mark the session of `client` (signed in as `user`) as verified by the
    user's app, as the code step does once the code is right."""
    device = authenticator_app(user)
    request = HttpRequest()
    request.session = client.session
    request.user = user
    django_otp.login(request, device)
    request.session.save()
    return device


def code_for(device) -> str:
    """A code the app shows now that the device still accepts: the current
    one, or the next if the current one was used already (an app's code
    works once; the next is accepted early, within the step's tolerance)."""
    device.refresh_from_db()
    step = int(time.time() - device.t0) // device.step
    step = max(step, device.last_t + 1)
    return f"{hotp(device.bin_key, step, device.digits):0{device.digits}d}"
