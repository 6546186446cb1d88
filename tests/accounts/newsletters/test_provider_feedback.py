"""Providers' reports on what became of a newsletter (feedback.py), through
anymail's tracking webhooks, with payloads in each provider's documented
format: Postmark's bounce records (its webhook docs: RecordType, Type, ID,
Email, Metadata) behind basic auth, Mailgun's signed events (event-data with
severity and user-variables, HMAC-SHA256 of timestamp and token)."""

import base64
import hashlib
import hmac
import json
import uuid

import pytest
from django.core import mail
from django.urls import reverse

from accounts.newsletters import delivery
from accounts.newsletters.models import ProviderEvent, Subscription, Suppression

pytestmark = pytest.mark.django_db

SECRET = "newsroom:webhook-secret-for-tests"
MAILGUN_KEY = "key-for-tests-only"


@pytest.fixture(autouse=True)
def webhooks_on(settings):
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": SECRET,
        "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY,
    }


def basic_auth(secret=SECRET):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def postmark(client, record, secret=SECRET):
    return client.post(
        reverse("newsletters:esp_postmark_tracking_webhook"),
        json.dumps(record),
        content_type="application/json",
        **basic_auth(secret),
    )


def bounce_record(email, kind="HardBounce", type_code=1, **extra):
    """A Postmark bounce webhook, as its documentation shows one."""
    return {
        "RecordType": "Bounce",
        "ID": extra.pop("ID", 4323372036854775807),
        "Type": kind,
        "TypeCode": type_code,
        "Name": "Hard bounce",
        "Tag": "newsletter",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Metadata": extra.pop("Metadata", {}),
        "ServerID": 23,
        "MessageStream": "broadcast",
        "Description": "The server was unable to deliver your message.",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "From": "news@example.com",
        "BouncedAt": "2026-12-06T10:33:54.9070259Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "موجز اليوم",
        **extra,
    }


def mailgun(client, event_data, key=MAILGUN_KEY):
    token = uuid.uuid4().hex
    timestamp = "1765017234"
    signature = hmac.new(
        key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    payload = {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": event_data,
    }
    return client.post(
        reverse("newsletters:esp_mailgun_tracking_webhook"),
        json.dumps(payload),
        content_type="application/json",
        **basic_auth(),
    ), payload


@pytest.fixture
def subscribed(issue, make_subscribers, newsletter):
    """Two readers on the list, one also on a second list; the issue sent."""
    reader, other = make_subscribers(2)
    from accounts.newsletters.models import Newsletter

    second = Newsletter.objects.create(
        name="الرياضة", slug="الرياضة-ف", cadence="weekly"
    )
    make_second = Subscription.objects.create(
        user=reader, newsletter=second, source="signup", confirmed_at=reader.date_joined
    )
    delivery.deliver_issue(issue)
    return reader, other, make_second


def test_messages_carry_their_issue_and_subscription_for_the_reports(subscribed, issue):
    reader = subscribed[0]
    (message,) = [m for m in mail.outbox if m.to == [reader.email]]
    subscription = Subscription.objects.get(user=reader, newsletter=issue.newsletter)
    assert message.metadata == {"issue": issue.pk, "subscription": subscription.pk}


def test_a_hard_bounce_suppresses_the_address_everywhere(client, subscribed, issue):
    reader, other, _ = subscribed

    response = postmark(
        client, bounce_record(reader.email.upper(), Metadata={"issue": str(issue.pk)})
    )

    assert response.status_code == 200
    suppression = Suppression.objects.get()
    assert suppression.email == reader.email
    assert suppression.reason == Suppression.Reason.HARD_BOUNCE
    assert "550 5.1.1" in suppression.detail
    event = ProviderEvent.objects.get()
    assert (event.esp, event.event_type, event.issue) == ("postmark", "bounced", issue)
    # Nothing more goes to the address, on any list.
    mail.outbox.clear()
    issue2 = type(issue).objects.create(newsletter=issue.newsletter, subject="الغد")
    delivery.deliver_issue(issue2)
    assert [m.to for m in mail.outbox] == [[other.email]]


def test_a_complaint_suppresses_and_ends_every_subscription(client, subscribed):
    reader, other, _ = subscribed

    postmark(
        client,
        bounce_record(reader.email, kind="SpamComplaint", type_code=512, ID=99),
    )

    assert Suppression.objects.get().reason == Suppression.Reason.COMPLAINT
    ended = Subscription.objects.filter(user=reader)
    assert ended.count() == 2
    assert all(s.ended_at and s.end_reason == "complaint" for s in ended)
    assert Subscription.objects.get(user=other).ended_at is None


def test_soft_bounces_suppress_only_past_the_threshold(client, subscribed):
    reader = subscribed[0]
    event = {
        "event": "failed",
        "severity": "temporary",
        "recipient": reader.email,
        "timestamp": 1765017234.5,
        "reason": "generic",
        "delivery-status": {"code": 452, "message": "4.2.2 Mailbox full"},
    }
    for n in range(4):
        response, _ = mailgun(client, {**event, "id": f"soft-{n}"})
        assert response.status_code == 200
    assert not Suppression.objects.exists()

    mailgun(client, {**event, "id": "soft-5"})

    assert Suppression.objects.get().reason == Suppression.Reason.SOFT_BOUNCES


def test_an_unsubscribe_at_the_provider_ends_that_subscription_only(
    client, subscribed, issue
):
    reader = subscribed[0]
    subscription = Subscription.objects.get(user=reader, newsletter=issue.newsletter)

    response, _ = mailgun(
        client,
        {
            "event": "unsubscribed",
            "recipient": reader.email,
            "timestamp": 1765017234.5,
            "id": "unsub-1",
            "user-variables": {
                "issue": str(issue.pk),
                "subscription": str(subscription.pk),
            },
        },
    )

    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.end_reason == Subscription.EndReason.PROVIDER
    assert Subscription.objects.live().filter(user=reader).count() == 1
    assert not Suppression.objects.exists()


def test_a_replayed_report_changes_nothing(client, subscribed):
    reader = subscribed[0]
    record = bounce_record(reader.email, kind="Transient", type_code=2, ID=555)

    for _ in range(6):  # one soft bounce, replayed: never five
        postmark(client, record)

    assert ProviderEvent.objects.count() == 1
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("secret", ["newsroom:wrong", "", "other:" + SECRET])
def test_a_forged_postmark_report_is_refused(client, subscribed, secret):
    reader = subscribed[0]
    response = postmark(client, bounce_record(reader.email), secret=secret)
    assert response.status_code in (400, 401, 403)
    assert not Suppression.objects.exists()
    assert not ProviderEvent.objects.exists()


def test_a_mailgun_report_with_a_bad_signature_is_refused(client, subscribed):
    reader = subscribed[0]
    response, _ = mailgun(
        client,
        {"event": "complained", "recipient": reader.email, "id": "x", "timestamp": 1.0},
        key="not-the-key",
    )
    assert response.status_code in (400, 401, 403)
    assert not Suppression.objects.exists()


def test_without_a_secret_there_are_no_webhooks(client, settings, subscribed):
    settings.ANYMAIL = {}
    response = postmark(client, bounce_record(subscribed[0].email))
    assert response.status_code == 404
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("body", ["", "not json", "[]", '{"RecordType": 5}'])
def test_junk_reports_are_refused_without_a_500(client, body, subscribed):
    response = client.post(
        reverse("newsletters:esp_postmark_tracking_webhook"),
        body,
        content_type="application/json",
        **basic_auth(),
    )
    assert response.status_code < 500
    assert not Suppression.objects.exists()


def test_the_issue_page_reports_what_the_provider_said(
    client, editor, subscribed, issue
):
    reader, other, _ = subscribed
    meta = {"issue": str(issue.pk)}
    postmark(client, bounce_record(reader.email, ID=1, Metadata=meta))
    postmark(
        client,
        bounce_record(
            other.email, kind="SpamComplaint", type_code=512, ID=2, Metadata=meta
        ),
    )

    html = editor.get(
        reverse("admin:newsletters_newsletterissue_change", args=[issue.pk])
    ).content.decode()

    assert "تقارير مزوّد البريد عن هذا العدد" in html
    assert "ارتدت: <strong>1</strong>" in html
    assert "شكاوى بريد مزعج: <strong>1</strong>" in html
