import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from accounts.newsletters.models import Newsletter, Subscription, Suppression
from accounts.newsletters.services import confirm_pending_subscriptions, subscribe
from tests.conftest import _client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MANAGE = reverse("newsletters:manage")


def test_demo_lists_exist_after_migrations():
    slugs = set(Newsletter.objects.values_list("slug", flat=True))
    assert {"موجز-الصباح", "تنبيهات-عاجلة"} <= slugs
    assert Newsletter.objects.filter(cadence="weekly").count() >= 2


def test_unverified_reader_subscription_waits_for_verification(newsletter):
    user = UserFactory()
    [subscription] = subscribe(user=user, newsletters=[newsletter], source="signup")
    assert subscription.confirmed_at is None
    assert not Subscription.objects.active().filter(user=user).exists()

    user.email_verified_at = timezone.now()
    user.save()
    assert confirm_pending_subscriptions(user) == 1
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None
    assert Subscription.objects.active().filter(user=user).exists()


def test_confirming_before_verification_does_nothing(newsletter):
    user = UserFactory()
    subscribe(user=user, newsletters=[newsletter], source="signup")
    assert confirm_pending_subscriptions(user) == 0


def test_verified_reader_is_confirmed_at_once(newsletter, reader_user):
    [subscription] = subscribe(
        user=reader_user, newsletters=[newsletter], source="account"
    )
    assert subscription.confirmed_at is not None


def test_subscribing_twice_keeps_one_live_row(newsletter, reader_user):
    subscribe(user=reader_user, newsletters=[newsletter], source="account")
    assert subscribe(user=reader_user, newsletters=[newsletter], source="account") == []
    assert Subscription.objects.live().filter(user=reader_user).count() == 1


def test_database_refuses_a_second_live_subscription(newsletter, reader_user):
    subscribe(user=reader_user, newsletters=[newsletter], source="account")
    with pytest.raises(IntegrityError):
        Subscription.objects.create(
            user=reader_user, newsletter=newsletter, source="admin"
        )


def test_inactive_list_cannot_be_joined(newsletter, reader_user):
    newsletter.is_active = False
    newsletter.save()
    assert subscribe(user=reader_user, newsletters=[newsletter], source="account") == []


def test_verification_lifts_a_bounce_suppression(newsletter):
    user = UserFactory(verified=True, email="Back@Example.com")
    Suppression.objects.create(email=user.email, reason="hard_bounce")
    confirm_pending_subscriptions(user)
    assert not Suppression.objects.exists()


def test_account_page_requires_login(client):
    response = client.get(MANAGE)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_account_page_lists_active_newsletters(reader, newsletter):
    hidden = Newsletter.objects.create(
        name="نشرة متوقفة", slug="متوقفة", is_active=False
    )
    response = reader.get(MANAGE)
    assert response.status_code == 200
    assert newsletter.name in response.text
    assert newsletter.description in response.text
    assert hidden.name not in response.text
    assert (
        "private" in response["Cache-Control"]
        or "no-cache" in response["Cache-Control"]
    )


def test_account_page_subscribes_and_unsubscribes(reader, newsletter):
    other = Newsletter.objects.get(slug="موجز-الصباح")
    response = reader.post(MANAGE, {"newsletters": [newsletter.pk, other.pk]})
    assert response.status_code == 302
    live = Subscription.objects.live().filter(user=reader.user)
    assert set(live.values_list("newsletter", flat=True)) == {newsletter.pk, other.pk}
    assert live.get(newsletter=newsletter).source == Subscription.Source.ACCOUNT

    reader.post(MANAGE, {"newsletters": [other.pk]})
    ended = Subscription.objects.get(user=reader.user, newsletter=newsletter)
    assert ended.ended_at is not None
    assert ended.end_reason == Subscription.EndReason.ACCOUNT
    page = reader.get(MANAGE).text
    assert f'value="{other.pk}" id="newsletter-{other.pk}" checked' in page


def test_resubscribing_keeps_the_old_row_as_history(reader, newsletter):
    reader.post(MANAGE, {"newsletters": [newsletter.pk]})
    reader.post(MANAGE, {})
    reader.post(MANAGE, {"newsletters": [newsletter.pk]})
    rows = Subscription.objects.filter(user=reader.user, newsletter=newsletter)
    assert rows.count() == 2
    assert rows.live().count() == 1


def test_unverified_reader_sees_that_lists_wait_for_verification(newsletter):
    client = _client_for(UserFactory())
    client.post(MANAGE, {"newsletters": [newsletter.pk]})
    page = client.get(MANAGE).text
    assert "لم تؤكد بريدك الإلكتروني بعد" in page
    assert "بانتظار تأكيد بريدك" in page
    assert not Subscription.objects.active().exists()


@pytest.mark.parametrize(
    "junk",
    [["abc"], ["999999"], ["-1"], ["1 OR 1=1"], ["\x00"], ["9" * 40]],
)
def test_account_page_junk_input_is_refused_cleanly(reader, newsletter, junk):
    reader.post(MANAGE, {"newsletters": [newsletter.pk]})
    response = reader.post(MANAGE, {"newsletters": junk})
    assert response.status_code == 200
    assert "تعذّر حفظ اختياراتك" in response.text
    assert Subscription.objects.live().filter(user=reader.user).count() == 1


def test_account_page_query_budget(reader, newsletter, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        reader.get(MANAGE)


def test_seed_links_the_weekly_letters_to_their_sections_once_they_exist():
    from accounts.newsletters.demo import seed_newsletters
    from tests.factories import SectionFactory

    economy = SectionFactory(slug="اقتصاد", name="اقتصاد")
    culture = SectionFactory(slug="ثقافة", name="ثقافة وفنون")
    seed_newsletters()
    seed_newsletters()  # idempotent
    assert list(Newsletter.objects.get(slug="أسبوع-الاقتصاد").sections.all()) == [
        economy
    ]
    assert list(Newsletter.objects.get(slug="رسالة-الثقافة").sections.all()) == [
        culture
    ]
    assert Newsletter.objects.filter(slug="موجز-الصباح").count() == 1
