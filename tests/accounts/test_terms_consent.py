"""The sign-up's consent line links the terms and the privacy policy, and
the new account records which version of the terms it accepted."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from articles.models import SitePage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup")


def test_the_consent_line_links_the_pages_in_the_readers_language(client):
    arabic = client.get(SIGNUP).text
    english = client.get("/en" + SIGNUP).text

    assert 'أوافق على <a href="/terms/">شروط الاستخدام</a>' in arabic
    assert '<a href="/privacy/">سياسة الخصوصية</a>' in arabic
    assert 'href="/en/terms/"' in english
    assert 'href="/en/privacy/"' in english


def test_a_new_account_records_the_version_of_the_terms_it_accepted(
    client, signup_data
):
    before = timezone.now()

    client.post(SIGNUP, signup_data)

    user = User.objects.get(email="layla@example.com")
    assert user.terms_version == 1
    assert before <= user.terms_accepted_at <= timezone.now()


def test_after_the_terms_change_sign_ups_record_the_new_version(client, signup_data):
    terms = SitePage.objects.get(slug="terms")
    terms.body += "<p>بند جديد.</p>"
    terms.save()
    terms.refresh_from_db()
    assert terms.version == 2

    client.post(SIGNUP, signup_data)

    user = User.objects.get(email="layla@example.com")
    assert user.terms_version == 2
    # The text accepted is in the page's history under that version.
    assert "بند جديد" in terms.history.get(version=user.terms_version).body


def test_a_sign_up_for_a_taken_address_changes_nothing_on_the_account(
    client, signup_data
):
    owner = UserFactory(email="layla@example.com")

    client.post(SIGNUP, signup_data)

    owner.refresh_from_db()
    assert owner.terms_version is None and owner.terms_accepted_at is None


def test_without_consent_there_is_no_account_and_nothing_recorded(client, signup_data):
    signup_data["consent"] = ""

    response = client.post(SIGNUP, signup_data)

    assert response.status_code == 200
    assert "نحتاج إلى موافقتك" in response.text
    assert not User.objects.exists()


def test_the_admin_shows_what_a_reader_accepted(admin_client, client, signup_data):
    client.post(SIGNUP, signup_data)
    user = User.objects.get(email="layla@example.com")

    response = admin_client.get(f"/admin/accounts/user/{user.pk}/change/")

    assert response.status_code == 200
    assert "إصدار شروط الاستخدام المقبول" in response.text
