"""Sending an alert: encrypted, signed, in batches, once per reader."""

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone, translation

from accounts.push import sending, services
from accounts.push.models import PushAlert, PushSubscription
from accounts.push.tasks import send_push_alert_task
from tests.articles.reader_data import with_image
from tests.factories import ArticleFactory, SectionFactory, UserFactory

from .browsers import Browser

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(db):
    return ArticleFactory(
        headline="زلزال بقوة ست درجات يضرب الساحل",
        standfirst="لا أنباء عن إصابات حتى الآن، والدفاع المدني في المنطقة.",
        is_breaking=True,
    )


def make_alert(article, user=None):
    alert, created = services.create_alert(article=article, user=user)
    assert created
    return alert


def send(alert, **kwargs):
    return sending.send_alert(alert.pk, **kwargs)


def test_an_alert_reaches_subscribers_encrypted_and_signed(
    vapid, push_service, subscribed, story, django_capture_on_commit_callbacks
):
    browsers = subscribed(3)
    with django_capture_on_commit_callbacks(execute=True):
        alert = make_alert(story)  # the task runs at once (immediate backend)

    for browser in browsers:
        [message] = push_service.messages_for(browser)
        assert message["title"] == "عاجل: زلزال بقوة ست درجات يضرب الساحل"
        assert message["body"] == story.standfirst
        assert message["url"] == "http://127.0.0.1:8000" + story.get_absolute_url()
        assert message["dir"] == "rtl"
        assert message["lang"] == "ar"
        assert message["icon"].endswith("/static/img/icon-192.png")
        assert message["tag"] == f"alert-{alert.pk}"
        assert "image" not in message  # the story has no picture
    [delivery] = push_service.delivered[:1]
    assert delivery.headers["urgency"] == "high"
    alert.refresh_from_db()
    assert alert.status == PushAlert.Status.SENT
    assert (alert.sent_count, alert.gone_count, alert.failed_count) == (3, 0, 0)
    assert alert.completed_at is not None
    assert PushSubscription.objects.filter(last_pushed_at__isnull=True).count() == 0


def test_the_story_s_picture_goes_with_the_alert(
    vapid, push_service, subscribed, story
):
    with_image(story)
    [browser] = subscribed(1)

    send(make_alert(story))

    [message] = push_service.messages_for(browser)
    assert message["image"].startswith("http://127.0.0.1:8000/media/renditions/")
    assert message["image"].endswith(".webp")


def test_subscriptions_the_push_service_says_are_gone_are_removed(
    vapid, push_service, subscribed, story
):
    [kept] = subscribed(1)
    subscribed(1, status=410)
    subscribed(1, status=404)
    [failing] = subscribed(1, status=500)

    alert = make_alert(story)
    assert send(alert)

    alert.refresh_from_db()
    assert (alert.sent_count, alert.gone_count, alert.failed_count) == (1, 2, 1)
    assert set(PushSubscription.objects.values_list("endpoint", flat=True)) == {
        kept.endpoint,
        failing.endpoint,
    }


def test_an_unreachable_push_service_counts_as_failed(vapid, story):
    PushSubscription.objects.create(
        endpoint="http://127.0.0.1:9/push/closed",
        p256dh=Browser(endpoint="-").p256dh,
        auth="AAAAAAAAAAAAAAAAAAAAAA",
    )

    alert = make_alert(story)
    assert send(alert)

    alert.refresh_from_db()
    assert (alert.sent_count, alert.failed_count) == (0, 1)
    assert PushSubscription.objects.exists()


def test_readers_of_a_section_get_only_that_section_s_alerts(
    vapid, push_service, subscribed, story
):
    other = SectionFactory()
    [everything] = subscribed(1)
    [this_section] = subscribed(1, breaking=False, sections=[story.section])
    [other_section] = subscribed(1, breaking=False, sections=[other])

    send(make_alert(story))

    assert len(push_service.messages_for(everything)) == 1
    assert len(push_service.messages_for(this_section)) == 1
    assert push_service.messages_for(other_section) == []


def test_a_reader_gets_no_more_than_one_alert_in_the_quiet_minutes(
    vapid, push_service, subscribed, story, settings
):
    [browser] = subscribed(1)
    send(make_alert(story))

    second = make_alert(ArticleFactory(is_breaking=True))
    send(second)

    assert len(push_service.messages_for(browser)) == 1
    second.refresh_from_db()
    assert (second.sent_count, second.quiet_count) == (0, 1)

    PushSubscription.objects.update(
        last_pushed_at=timezone.now() - timedelta(minutes=settings.PUSH_QUIET_MINUTES)
    )
    send(make_alert(ArticleFactory(is_breaking=True)))

    assert len(push_service.messages_for(browser)) == 2


def test_running_the_task_twice_sends_nothing_again(
    vapid, push_service, subscribed, story, django_capture_on_commit_callbacks
):
    browsers = subscribed(4)
    with django_capture_on_commit_callbacks(execute=True):
        alert = make_alert(story)

    assert not send_push_alert_task.enqueue(alert.pk).return_value
    assert not send(alert)

    assert len(push_service.delivered) == len(browsers)
    alert.refresh_from_db()
    assert alert.sent_count == 4


def test_a_second_worker_leaves_an_alert_another_holds(
    vapid, push_service, subscribed, story
):
    subscribed(2)
    alert = make_alert(story)
    assert sending.claim(alert.pk, "someone-else")

    assert not send(alert)

    assert push_service.delivered == []


def test_after_a_crash_the_next_run_carries_on_without_resending(
    vapid, push_service, subscribed, story, monkeypatch
):
    browsers = subscribed(7)
    alert = make_alert(story)
    real_send = sending.Sender.send
    calls = []

    def crash_on_third_batch(self, rows, data, signer):
        calls.append(len(rows))
        if len(calls) == 3:
            raise RuntimeError("worker killed")
        return real_send(self, rows, data, signer)

    monkeypatch.setattr(sending.Sender, "send", crash_on_third_batch)
    with pytest.raises(RuntimeError):
        send(alert, batch_size=2)
    alert.refresh_from_db()
    assert alert.status == PushAlert.Status.SENDING
    assert alert.sent_count == 4
    assert len(push_service.delivered) == 4

    # Its lease still runs: nobody else takes over yet.
    monkeypatch.setattr(sending.Sender, "send", real_send)
    assert not send(alert, batch_size=2)
    PushAlert.objects.filter(pk=alert.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )
    assert services.resume_alert(alert)
    assert send(alert, batch_size=2)

    for browser in browsers:
        assert len(push_service.messages_for(browser)) == 1
    alert.refresh_from_db()
    assert (alert.status, alert.sent_count) == (PushAlert.Status.SENT, 7)


def test_a_worker_that_lost_its_claim_records_nothing_more(
    vapid, push_service, subscribed, story
):
    subscribed(6)
    alert = make_alert(story)

    def taken_over(progress_alert):
        # Its lease ran out mid-send and another worker claimed the alert.
        PushAlert.objects.filter(pk=alert.pk).update(claimed_by="another-worker")

    assert not send(alert, batch_size=2, progress=taken_over)

    alert.refresh_from_db()
    assert alert.sent_count == 2
    assert alert.claimed_by == "another-worker"


def test_batches_go_in_id_order_recording_progress_after_each(
    vapid, push_service, subscribed, story
):
    subscribed(9)
    alert = make_alert(story)
    progress = []

    send(alert, batch_size=3, progress=lambda a: progress.append(a.cursor))

    ids = list(PushSubscription.objects.order_by("pk").values_list("pk", flat=True))
    assert progress == [ids[2], ids[5], ids[8]]


def test_one_alert_per_story(vapid, story):
    first, created = services.create_alert(article=story, user=None)
    again, created_again = services.create_alert(article=story, user=None)

    assert created and not created_again
    assert again == first
    with pytest.raises(IntegrityError):
        PushAlert.objects.create(article=story, title="x")


def test_no_alert_for_a_story_readers_cannot_see(vapid):
    draft = ArticleFactory(draft=True)

    assert services.create_alert(article=draft, user=None) == (None, False)
    assert not PushAlert.objects.exists()


def test_no_alert_when_push_is_off(story):
    assert services.create_alert(article=story, user=UserFactory()) == (None, False)


def test_the_payload_fits_the_push_services_limit(vapid, push_service, subscribed):
    long_story = ArticleFactory(headline="ع" * 250, standfirst="ب" * 2000)
    [browser] = subscribed(1)

    send(make_alert(long_story))

    [message] = push_service.messages_for(browser)
    assert len(message["title"]) <= 150
    assert len(message["body"]) <= 250


def test_the_alert_is_in_arabic_whatever_the_editor_s_admin_language(vapid, story):
    with translation.override("en"):
        alert, _created = services.create_alert(article=story, user=None)

    assert alert.title.startswith("عاجل: ")
