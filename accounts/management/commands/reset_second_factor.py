"""Forget a staff member's authenticator app and recovery codes (a lost
phone), so their next visit to the admin sets up a new app.

For when no superuser can reach the admin's own action (the users' list,
"إعادة ضبط التحقق بخطوتين"), e.g. the only superuser lost their phone:

    python manage.py reset_second_factor editor@example.com [--dry-run]
"""

from django.core.management.base import BaseCommand, CommandError

from accounts import second_factor
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Removes a staff member's authenticator apps and recovery codes; they "
        "set up a new app at their next admin visit."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what would be removed, and remove nothing.",
        )

    def handle(self, *args, email, dry_run, **options):
        try:
            user = User.objects.get_by_natural_key(email)
        except User.DoesNotExist:
            raise CommandError(f"No account with the address {email}.") from None
        devices = second_factor.resettable_devices(user)
        if dry_run:
            self.stdout.write(
                f"{user.email}: would remove {len(devices)} device(s): "
                + (", ".join(d.name for d in devices) or "none")
            )
            return
        count = second_factor.reset_second_factor(user=user)
        self.stdout.write(
            self.style.SUCCESS(
                f"{user.email}: removed {count} device(s); a new authenticator "
                "app is set up at the next admin visit."
            )
        )
