"""The current second-factor code of a demo account (development only).

seed_demo gives the demo editor and writer an authenticator app with a
published secret (seed_demo.DEMO_TOTP_SECRET); this prints the code that app
would show now, for the admin's code step:

    python manage.py demo_otp_code editor@example.com

Only for devices holding that published secret: it knows no other account's.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from .seed_demo import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Prints the current second-factor code of a seed_demo account."

    def add_arguments(self, parser):
        parser.add_argument("email", nargs="?", default="editor@example.com")

    def handle(self, *args, email, **options):
        user = get_user_model().objects.filter(email__iexact=email).first()
        device = (
            TOTPDevice.objects.filter(user=user, key=DEMO_TOTP_KEY, confirmed=True)
            .order_by("pk")
            .first()
            if user
            else None
        )
        if device is None:
            raise CommandError(
                f"{email} has no demo authenticator app: run `manage.py seed_demo`, "
                "or use the account's own app."
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
        code = f"{totp.token():0{device.digits}d}"
        seconds_left = device.step - (int(totp.time) - device.t0) % device.step
        self.stdout.write(code)
        self.stderr.write(f"(valid for about {seconds_left} more seconds)")
