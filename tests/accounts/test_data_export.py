"""The reader's data: everything the site keeps about them, as a page and as
a JSON download, for them alone."""

import json
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import throttling
from accounts.models import Follow, SavedArticle
from accounts.newsletters.models import (
    Delivery,
    Newsletter,
    NewsletterIssue,
    Subscription,
    Suppression,
)
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PAGE = reverse("accounts:data")
DOWNLOAD = reverse("accounts:data_download")


def give_data(user, *, tag, mark):
    """Saves, follows, subscriptions (one ended), a delivery and a bounce
    for `user`, every name carrying `mark` so it can be looked for."""
    article = ArticleFactory(headline=f"مقال محفوظ {mark}", tags=[tag])
    SavedArticle.objects.create(user=user, article=article)
    section = SectionFactory(name=f"قسم {mark}", slug=f"قسم-{mark}")
    author = AuthorFactory(name=f"كاتب {mark}", slug=f"كاتب-{mark}")
    article.authors.add(author)
    Follow.objects.create(user=user, section=section)
    Follow.objects.create(user=user, author=author)
    Follow.objects.create(user=user, tag=article.tags.get())
    newsletter = Newsletter.objects.create(name=f"نشرة {mark}", slug=f"نشرة-{mark}")
    now = timezone.now()
    Subscription.objects.create(
        user=user,
        newsletter=newsletter,
        source=Subscription.Source.SIGNUP,
        created_at=now - timezone.timedelta(days=30),
        confirmed_at=now - timezone.timedelta(days=29),
        ended_at=now - timezone.timedelta(days=2),
        end_reason=Subscription.EndReason.ONE_CLICK,
    )
    subscription = Subscription.objects.create(
        user=user,
        newsletter=newsletter,
        source=Subscription.Source.ACCOUNT,
        confirmed_at=now,
    )
    issue = NewsletterIssue.objects.create(newsletter=newsletter, subject=f"عدد {mark}")
    Delivery.objects.create(
        issue=issue,
        subscription=subscription,
        user=user,
        email=user.email,
        status=Delivery.Status.SENT,
        sent_at=now,
    )
    Suppression.objects.create(
        email=user.email, reason=Suppression.Reason.HARD_BOUNCE, detail=f"550 {mark}"
    )
    return article


@pytest.fixture
def alice(reader):
    reader.user.terms_version = 3
    reader.user.terms_accepted_at = timezone.now()
    reader.user.save()
    give_data(reader.user, tag="وسم-أليس", mark="أليس")
    return reader


@pytest.fixture
def bob(other_reader):
    other_reader.user.name = "بوب الغريب"
    other_reader.user.save()
    give_data(other_reader.user, tag="وسم-بوب", mark="بوب")
    return other_reader


def download(client):
    response = client.get(DOWNLOAD)
    assert response.status_code == 200
    return json.loads(response.content)


def test_it_requires_login(client):
    for url in (PAGE, DOWNLOAD):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_the_account_page_links_it(reader):
    assert f'href="{PAGE}"' in reader.get(reverse("accounts:profile")).text


def test_the_download_is_a_private_json_file(alice):
    download = alice.get(DOWNLOAD)

    assert download.status_code == 200
    assert download["Content-Type"] == "application/json"
    assert download["Content-Disposition"].startswith(
        'attachment; filename="newsroom-my-data-'
    )
    for response in (download, alice.get(PAGE)):
        assert "private" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]


def test_the_download_holds_everything_kept_about_the_reader(alice):
    user = alice.user
    data = download(alice)

    assert data["profile"]["name"] == user.name
    assert data["profile"]["terms_version"] == 3
    assert data["profile"]["terms_accepted_at"]
    assert data["email"] == {
        "address": user.email,
        "verified_at": data["email"]["verified_at"],
        "change_pending": False,
    }
    assert data["email"]["verified_at"]
    [saved] = data["saved_articles"]
    assert saved["headline"] == "مقال محفوظ أليس"
    assert saved["url"].endswith(SavedArticle.objects.get().article.get_absolute_url())
    assert sorted((f["kind"], f["name"]) for f in data["follows"]) == [
        ("author", "كاتب أليس"),
        ("section", "قسم أليس"),
        ("tag", "وسم-أليس"),
    ]
    # Both consent records, the ended one too.
    assert [
        (s["source"], s["end_reason"]) for s in data["newsletter_subscriptions"]
    ] == [("account", ""), ("signup", "one_click")]
    assert all(s["subscribed_at"] for s in data["newsletter_subscriptions"])
    [delivery] = data["newsletter_deliveries"]
    assert (delivery["issue"], delivery["address"]) == ("عدد أليس", user.email)
    assert data["email_suppression"]["reason"] == "hard_bounce"
    # Names and dates, never secrets.
    text = json.dumps(data, ensure_ascii=False)
    assert user.password not in text
    assert "pbkdf2" not in text and "md5$" not in text


def test_the_page_shows_the_same_data_readably(alice):
    response = alice.get(PAGE)

    assert response.status_code == 200
    for text in (
        "بياناتك",
        alice.user.email,
        "مقال محفوظ أليس",
        "قسم أليس",
        "نشرة أليس",
        "إلغاء بنقرة واحدة من برنامج البريد",  # the ended record's reason
        "عدد أليس",
        "رفض دائم من خادم البريد",
        "الإصدار 3",
        f'href="{DOWNLOAD}"',
    ):
        assert text in response.text, text


def test_it_never_contains_another_readers_data(alice, bob):
    # Bob also saved what Alice saved: only her rows count.
    alice_article = SavedArticle.objects.get(user=alice.user).article
    SavedArticle.objects.create(user=bob.user, article=alice_article)
    # Every one of Bob's rows carries "بوب" (his sections are on every
    # page's menu, which is public: the page's data region is what counts).
    secrets = [bob.user.email, bob.user.name, "بوب"]

    page = data_region(alice.get(PAGE).text)
    file = alice.get(DOWNLOAD).content.decode()

    for text in (page, file):
        for secret in secrets:
            assert secret not in text
    data = download(alice)
    assert len(data["saved_articles"]) == 1
    assert len(data["follows"]) == 3
    assert len(data["newsletter_subscriptions"]) == 2
    assert len(data["newsletter_deliveries"]) == 1
    # And Bob's export has his own rows (her story among his saves), not hers.
    bobs = download(bob)
    assert len(bobs["saved_articles"]) == 2
    text = json.dumps(bobs, ensure_ascii=False)
    for secret in (alice.user.email, alice.user.name, "قسم أليس", "نشرة أليس"):
        assert secret not in text


def data_region(html):
    return html.split('<div class="data-export">', 1)[1].split("</main>", 1)[0]


def test_stories_and_names_readers_cannot_see_keep_their_rows_not_their_text(
    reader,
):
    article = ArticleFactory(headline="قصة سُحبت", tags=["وسم مخفي"])
    SavedArticle.objects.create(user=reader.user, article=article)
    Follow.objects.create(user=reader.user, tag=article.tags.get())
    article.withdraw()

    data = download(reader)
    page = reader.get(PAGE).text

    assert data["saved_articles"] == [
        {
            "article_id": article.pk,
            "headline": None,
            "url": None,
            "saved_at": data["saved_articles"][0]["saved_at"],
        }
    ]
    [follow] = data["follows"]
    assert (follow["kind"], follow["name"], follow["url"]) == ("tag", None, None)
    for text in (json.dumps(data, ensure_ascii=False), page):
        assert "قصة سُحبت" not in text and "وسم مخفي" not in text


def test_an_empty_account_exports_cleanly(client):
    user = UserFactory()
    client.force_login(user)

    data = download(client)
    page = client.get(PAGE)

    assert data["saved_articles"] == data["follows"] == []
    assert data["newsletter_subscriptions"] == data["newsletter_deliveries"] == []
    assert data["email_suppression"] is None
    assert data["email"]["verified_at"] is None
    assert page.status_code == 200
    assert "لم يؤكَّد بعد" in page.text


def test_a_pending_change_of_address_is_said_not_shown(reader):
    reader.post(
        reverse("accounts:change_email"),
        {"new_email": "secret-new@example.com", "password": "correct-horse-battery"},
    )

    data = download(reader)

    assert data["email"]["change_pending"] is True
    assert "secret-new@example.com" not in json.dumps(data)


def test_the_english_page_is_in_english(alice):
    response = alice.get("/en" + PAGE)

    assert response.status_code == 200
    assert '<html lang="en" dir="ltr">' in response.text


def test_query_budget(alice, django_assert_max_num_queries):
    # The session and the user; saves, follows, subscriptions, deliveries,
    # the suppression list, passkeys and push subscriptions, one query each.
    with django_assert_max_num_queries(9):
        assert alice.get(DOWNLOAD).status_code == 200
    with django_assert_max_num_queries(9):
        assert alice.get(PAGE).status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_only_answers_get(alice, method):
    assert getattr(alice, method)(DOWNLOAD).status_code == 405


def test_junk_query_strings_are_ignored(alice):
    response = alice.get(DOWNLOAD, {"user": "1", "format": "\x00", "id": ["1", "2"]})

    assert response.status_code == 200


def test_it_is_throttled_per_account_then_lifts(alice, other_reader):
    for _ in range(throttling.DATA_EXPORT_PER_ACCOUNT.attempts):
        assert alice.get(DOWNLOAD).status_code == 200

    refused = alice.get(DOWNLOAD)
    page = alice.get(PAGE)

    assert refused.status_code == page.status_code == 429
    assert "محاولات كثيرة" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    assert "no-store" in refused["Cache-Control"]
    assert "أليس" not in data_region(refused.content.decode())
    # Someone else is not held back.
    assert other_reader.get(DOWNLOAD).status_code == 200
    later = throttling._now() + throttling.DATA_EXPORT_PER_ACCOUNT.window
    with mock.patch("accounts.throttling._now", return_value=later):
        assert alice.get(DOWNLOAD).status_code == 200
