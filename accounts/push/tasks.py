from django.tasks import task

from .sending import send_alert


@task
def send_push_alert_task(alert_id: int) -> bool:
    """Send a push alert in the background. Safe to run twice: see sending.py."""
    return send_alert(alert_id)
