from django.tasks import task

from .delivery import deliver_issue
from .models import NewsletterIssue


@task
def send_issue_task(issue_id: int) -> int:
    """Send an issue in the background. Safe to run twice: see delivery.py."""
    issue = NewsletterIssue.objects.filter(pk=issue_id).first()
    if issue is None:
        return 0
    stats = deliver_issue(issue)
    return stats.sent if stats else 0
