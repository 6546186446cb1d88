import json

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Follow
from articles.models import Tag
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory, UserFactory

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _targets():
    """One of each kind, public: a published story carries the tag and author."""
    tag, author = Tag.objects.create(name="الطاقة المتجددة"), AuthorFactory()
    ArticleFactory(tags=[tag], authors=[author])
    return {"section": SectionFactory(), "tag": tag, "author": author}


def _url(name, kind, target):
    return reverse(f"accounts:{name}", kwargs={"kind": kind, "pk": target.pk})


@pytest.mark.parametrize("kind", ["section", "tag", "author"])
def test_follow_and_unfollow_each_kind(reader, kind):
    target = _targets()[kind]
    response = reader.post(_url("follow", kind, target), {"next": "/opinion/"})
    assert response.status_code == 302
    assert response.url == "/opinion/"
    follow = Follow.objects.get(user=reader.user)
    assert follow.kind == kind
    assert follow.target == target
    reader.post(_url("follow", kind, target))
    assert Follow.objects.filter(user=reader.user).count() == 1
    reader.post(_url("unfollow", kind, target))
    assert not Follow.objects.filter(user=reader.user).exists()
    # Unfollowing again is fine.
    assert reader.post(_url("unfollow", kind, target)).status_code == 302


def test_follow_defaults_back_to_the_target_page(reader):
    section = SectionFactory()
    response = reader.post(_url("follow", "section", section))
    assert response.url == section.get_absolute_url()


def test_follow_answers_json_for_the_script(reader):
    section = SectionFactory()
    response = reader.post(
        _url("follow", "section", section), headers={"accept": "application/json"}
    )
    assert json.loads(response.content) == {"active": True}


def test_database_requires_exactly_one_target(reader_user):
    targets = _targets()
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(user=reader_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(
            user=reader_user, section=targets["section"], author=targets["author"]
        )


def test_database_refuses_duplicate_follows(reader_user):
    section = SectionFactory()
    Follow.objects.create(user=reader_user, section=section)
    with pytest.raises(IntegrityError):
        Follow.objects.create(user=reader_user, section=section)


@pytest.mark.parametrize(
    "path",
    [
        "/account/following/planet/1/follow/",
        "/account/following/section/999999/follow/",
        "/account/following/user/1/follow/",
        "/account/following/__class__/1/follow/",
        "/account/following/section/abc/follow/",
    ],
)
def test_junk_follow_urls_are_404(reader, path):
    SectionFactory()
    assert reader.post(path).status_code == 404
    assert not Follow.objects.exists()


def test_junk_unfollow_kind_is_404(reader):
    assert reader.post("/account/following/planet/1/unfollow/").status_code == 404


def test_follow_and_unfollow_are_post_only(reader):
    section = SectionFactory()
    assert reader.get(_url("follow", "section", section)).status_code == 405
    assert reader.get(_url("unfollow", "section", section)).status_code == 405


def test_anonymous_follow_then_login_follows_and_returns(client):
    UserFactory(email="f@example.com")
    section = SectionFactory()
    response = client.post(_url("follow", "section", section))
    assert response.url == _url("follow_prompt", "section", section)
    page = client.get(response.url)
    assert page.status_code == 200
    assert section.name in page.text
    login = client.post(
        reverse("accounts:login"),
        {
            "username": "f@example.com",
            "password": PASSWORD,
            "next": section.get_absolute_url(),
        },
    )
    assert login.url == section.get_absolute_url()
    assert Follow.objects.filter(section=section).count() == 1


def _render(template, target, user):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(template, {"target": target}, request=request)


def test_follow_form_on_personal_pages_shows_the_readers_state(reader):
    targets = _targets()
    Follow.objects.create(user=reader.user, tag=targets["tag"])
    html = {
        kind: _render("accounts/_follow_form.html", target, reader.user)
        for kind, target in targets.items()
    }
    assert 'aria-pressed="true"' in html["tag"]
    assert _url("unfollow", "tag", targets["tag"]) in html["tag"]
    assert 'aria-pressed="false"' in html["section"]
    assert 'aria-pressed="false"' in html["author"]


def test_follow_button_on_public_pages_is_the_same_link_for_everyone(reader):
    from django.contrib.auth.models import AnonymousUser

    targets = _targets()
    Follow.objects.create(user=reader.user, tag=targets["tag"])
    for kind, target in targets.items():
        html = _render("accounts/_follow_button.html", target, reader.user)
        assert html == _render("accounts/_follow_button.html", target, AnonymousUser())
        assert "aria-pressed" not in html and "csrfmiddlewaretoken" not in html
        assert _url("follow_prompt", kind, target) in html
        assert f'data-toggle="{kind}:{target.pk}"' in html


def test_following_page_lists_follows_with_unfollow_buttons(reader):
    targets = _targets()
    for kind, target in targets.items():
        Follow.objects.create(user=reader.user, **{kind: target})
    spare = SectionFactory(name="قسم مقترح")
    page = reader.get(reverse("accounts:following"))
    assert page.status_code == 200
    assert "private" in page["Cache-Control"]
    for kind, target in targets.items():
        assert str(target) in page.text
        assert _url("unfollow", kind, target) in page.text
    assert spare.name in page.text  # suggested
    assert _url("follow", "section", spare) in page.text


def test_following_page_shows_only_my_follows(reader, other_reader):
    theirs = SectionFactory(name="قسمهم الخاص")
    Follow.objects.create(user=other_reader.user, tag=Tag.objects.create(name="وسمهم"))
    Follow.objects.create(user=other_reader.user, section=theirs)
    page = reader.get(reverse("accounts:following"))
    assert "وسمهم" not in page.text


def test_unfollow_cannot_touch_another_readers_follow(reader, other_reader):
    section = SectionFactory()
    row = Follow.objects.create(user=other_reader.user, section=section)
    reader.post(_url("unfollow", "section", section))
    reader.post(f"/account/following/section/{row.pk}/unfollow/")
    assert Follow.objects.filter(pk=row.pk).exists()


# Tags and authors no published story carries yet ------------------------------
UNPUBLISHED = ("draft", "in_review", "withdrawn", "scheduled")


def _unpublished_targets(state):
    """A tag and an author carried by one story readers can't see (`state`)."""
    tag, author = (
        Tag.objects.create(name="وسم لم يُعلن"),
        AuthorFactory(name="كاتب لم يُعلن"),
    )
    article = ArticleFactory(tags=[tag], authors=[author], **{state: True})
    return article, {"tag": tag, "author": author}


@pytest.mark.parametrize("state", UNPUBLISHED)
@pytest.mark.parametrize("kind", ["tag", "author"])
def test_unpublished_tags_and_authors_have_no_prompt_and_no_follow(
    client, reader, kind, state
):
    _, targets = _unpublished_targets(state)
    target = targets[kind]

    for visitor in (client, reader):
        prompt = visitor.get(_url("follow_prompt", kind, target))
        assert prompt.status_code == 404
        assert target.name not in prompt.text
        assert visitor.post(_url("follow", kind, target)).status_code == 404
    assert not Follow.objects.exists()


@pytest.mark.parametrize("kind", ["tag", "author"])
def test_the_prompt_opens_once_the_story_is_published(client, kind):
    article, targets = _unpublished_targets("draft")
    target = targets[kind]
    assert client.get(_url("follow_prompt", kind, target)).status_code == 404

    article.publish()

    prompt = client.get(_url("follow_prompt", kind, target))
    assert prompt.status_code == 200
    assert target.name in prompt.text


def test_a_scheduled_storys_tag_has_no_prompt_until_it_is_due(client):
    due = timezone.now() + timezone.timedelta(hours=2)
    ArticleFactory(tags=["وسم الغد"], published_at=due)
    tag = Tag.objects.get(name="وسم الغد")

    with time_machine.travel(due - timezone.timedelta(minutes=1), tick=False):
        assert client.get(_url("follow_prompt", "tag", tag)).status_code == 404
    with time_machine.travel(due, tick=False):
        assert client.get(_url("follow_prompt", "tag", tag)).status_code == 200


def test_the_state_endpoint_never_names_an_unpublished_tag(reader):
    _, targets = _unpublished_targets("draft")
    tag = targets["tag"]
    reader.post(_url("follow", "tag", tag), headers={"accept": "application/json"})
    reader.post(_url("follow", "tag", tag))  # the form's way: a message, if any

    response = reader.get(reverse("accounts:state"), {"f": f"tag:{tag.pk}"})

    data = response.json()
    assert data["following"] == [] and data["messages"] == []
    assert tag.name not in response.text


def test_following_page_drops_tags_and_authors_that_are_no_longer_public(reader):
    article, targets = _unpublished_targets("draft")
    article.publish()
    for kind, target in targets.items():
        Follow.objects.create(user=reader.user, **{kind: target})

    article.withdraw()

    page = reader.get(reverse("accounts:following"))
    assert page.status_code == 200
    for target in targets.values():
        assert target.name not in page.text
    # Back when a published story carries them again.
    article.publish()
    page = reader.get(reverse("accounts:following"))
    assert all(target.name in page.text for target in targets.values())


def test_a_pending_follow_of_a_tag_withdrawn_meanwhile_is_dropped(client):
    UserFactory(email="f@example.com")
    article, targets = _unpublished_targets("draft")
    article.publish()
    tag = targets["tag"]
    assert client.get(_url("follow_prompt", "tag", tag)).status_code == 200
    article.withdraw()

    login_page = client.get(reverse("accounts:login"), {"next": tag.get_absolute_url()})
    client.post(
        reverse("accounts:login"),
        {
            "username": "f@example.com",
            "password": PASSWORD,
            "next": tag.get_absolute_url(),
        },
    )

    assert tag.name not in login_page.text
    assert not Follow.objects.exists()
