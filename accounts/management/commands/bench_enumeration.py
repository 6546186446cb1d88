"""Does an account exist? Time the answers that must not tell.

Posts the password-reset and sign-up forms in process, alternately for
registered and unknown addresses, and prints the median of each and their
difference. Run it with the production task backend
(TASKS_BACKEND=django_tasks_db.DatabaseBackend), as production answers:
with the immediate backend the mail is sent inside the request. The
accounts it makes are removed afterwards; run it against a benchmark
database (the messages it queues go to example.com addresses).
"""

import statistics
import time
import uuid

from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.test import Client
from django.urls import reverse

from accounts.models import User

PASSWORD = "bench-only-زيتون-2026"


class Command(BaseCommand):
    help = "Median answer times for registered and unknown addresses (reset, sign-up)."

    def add_arguments(self, parser):
        parser.add_argument("--samples", type=int, default=50)

    def handle(self, *args, samples, **options):
        tag = uuid.uuid4().hex[:8]
        registered = [f"bench-{tag}-{n}@example.com" for n in range(samples)]
        for email in registered:
            User.objects.create_user(email=email, password=PASSWORD, name="قارئ")
        try:
            rows = [
                ("password reset", self.reset_times(registered, tag)),
                ("sign-up", self.signup_times(registered, tag)),
            ]
        finally:
            User.objects.filter(email__startswith=f"bench-{tag}-").delete()
            User.objects.filter(email__startswith=f"new-{tag}-").delete()
        self.stdout.write(
            f"Median answer in ms over {samples} samples each "
            "(registered and unknown addresses alternate):\n\n"
            "| form | registered | unknown | difference |\n| --- | ---: | ---: | ---: |"
        )
        for name, (known, unknown) in rows:
            self.stdout.write(
                f"| {name} | {known:.2f} | {unknown:.2f} | {known - unknown:+.2f} |"
            )

    def timed_post(self, path, data, n):
        cache.clear()  # rate limits are not what is measured
        client = Client()
        start = time.perf_counter()
        response = client.post(path, data, REMOTE_ADDR=f"10.{n // 250}.{n % 250}.1")
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 302, response.status_code
        return elapsed

    def reset_times(self, registered, tag):
        path = reverse("accounts:password_reset")
        known, unknown = [], []
        for n, email in enumerate(registered):
            known.append(self.timed_post(path, {"email": email}, n))
            unknown.append(
                self.timed_post(path, {"email": f"nobody-{tag}-{n}@example.com"}, n)
            )
        return statistics.median(known), statistics.median(unknown)

    def signup_times(self, registered, tag):
        path = reverse("accounts:signup")
        known, unknown = [], []
        for n, email in enumerate(registered):
            data = {"name": "قارئ جديد", "password": PASSWORD, "consent": "on"}
            known.append(self.timed_post(path, {**data, "email": email}, n))
            new = f"new-{tag}-{n}@example.com"
            unknown.append(self.timed_post(path, {**data, "email": new}, n))
        return statistics.median(known), statistics.median(unknown)
