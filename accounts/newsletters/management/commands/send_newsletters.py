"""Send what is due: scheduled issues whose time has come, and any pending
deliveries of issues already in flight (retries, or a worker that died).

Run it from cron every minute or two. Safe to run twice or concurrently:
workers claim disjoint batches (see accounts/newsletters/delivery.py).
"""

from django.core.management.base import BaseCommand

from accounts.newsletters import delivery


class Command(BaseCommand):
    help = "Send due newsletter issues and pending deliveries, with progress."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=delivery.BATCH_SIZE,
            help="Messages per claimed batch (one SMTP connection each).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what is due without sending anything.",
        )

    def handle(self, *args, batch_size, dry_run, verbosity, **options):
        if batch_size < 1:
            self.stderr.write("--batch-size must be at least 1.")
            return
        issues = list(delivery.due_issues().select_related("newsletter"))
        if not issues:
            self.stdout.write("Nothing to send.")
            return
        for issue in issues:
            label = f"«{issue.subject}» ({issue.newsletter}, #{issue.pk})"
            if dry_run:
                self.stdout.write(f"Due: {label} [{issue.status}]")
                continue
            self.stdout.write(f"Sending {label}")
            stats = delivery.deliver_issue(
                issue,
                batch_size=batch_size,
                progress=self._progress if verbosity >= 1 else None,
            )
            if stats is None:
                self.stdout.write("  already handled by another worker.")
                continue
            if stats.interrupted:
                # The rest is given back or left to its lease: the next run sends it.
                self.stdout.write(
                    self.style.WARNING(f"  stopped early ({stats.interrupted}).")
                )
                return
            issue.refresh_from_db()
            counts = issue.delivery_counts()
            self.stdout.write(
                self.style.SUCCESS(
                    f"  done: {stats.sent} sent now, {stats.retried} to retry, "
                    f"{stats.failed} failed, {stats.skipped} skipped; issue totals "
                    f"{counts['sent']}/{issue.recipient_count} sent, "
                    f"{counts['queued'] + counts['sending']} remaining "
                    f"[{issue.status}]"
                )
            )

    def _progress(self, stats, remaining):
        self.stdout.write(
            f"  {stats.sent} sent, {stats.failed} failed, {stats.retried} to retry, "
            f"{stats.rate:.0f} msg/s, {remaining} remaining"
        )
