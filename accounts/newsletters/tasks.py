"""Newsletters in the background (django.tasks): an issue sent now, and a
scheduled issue sent at its time by the worker itself, with no cron.

A scheduled issue's task is queued to run at its `send_at` (the database
backend of django-tasks-db defers tasks; `db_worker` runs them). Moving the
time queues another task; the earlier one, finding the issue not yet due (or
unscheduled), does nothing. With a backend that cannot defer (the immediate
one in development and tests), `manage.py send_newsletters` sends due issues.
"""

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from .delivery import deliver_issue
from .models import NewsletterIssue


@task
def send_issue_task(issue_id: int) -> int:
    """Send an issue in the background. Safe to run twice: see delivery.py."""
    issue = NewsletterIssue.objects.filter(pk=issue_id).first()
    if issue is None or issue.status == NewsletterIssue.Status.DRAFT:
        return 0  # gone, or unscheduled since
    if issue.status == NewsletterIssue.Status.SCHEDULED and (
        issue.send_at is None or issue.send_at > timezone.now()
    ):
        return 0  # moved later: the task queued for the new time sends it
    stats = deliver_issue(issue)
    return stats.sent if stats else 0


def send_when_due(issue: NewsletterIssue) -> bool:
    """Queue the scheduled `issue` to be sent at its time, after the commit;
    False when the task backend cannot wait (see the module docstring)."""
    if not send_issue_task.get_backend().supports_defer:
        return False
    deferred = send_issue_task.using(run_after=issue.send_at)
    transaction.on_commit(lambda: deferred.enqueue(issue.pk))
    return True
