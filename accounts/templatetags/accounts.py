"""Save and follow controls: their URLs, and on personal pages the reader's state.

Public pages use only `follow_links` and `save_prompt_url`, which know nothing
of the reader.
`is_saved` and `is_following` load the reader's saved ids / follows once per
request and keep them on the request, so a page of fifty items costs one query.
"""

from django import template
from django.urls import reverse

from newsroom.links import url_of

from ..models import Follow, SavedArticle

register = template.Library()


def _reader(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return request, (user if user is not None and user.is_authenticated else None)


@register.filter
def save_prompt_url(article) -> str:
    """The save control's link (every card on a page has one)."""
    return url_of("accounts:save_prompt", pk=article.pk)


@register.simple_tag
def follow_links(target) -> dict:
    """The kind of `target` and the URLs to follow, unfollow or be asked to."""
    kind = Follow.kind_of(target)
    if not kind:
        return {}
    args = {"kind": kind, "pk": target.pk}
    return {
        "kind": kind,
        "follow_url": reverse("accounts:follow", kwargs=args),
        "unfollow_url": reverse("accounts:unfollow", kwargs=args),
        "prompt_url": reverse("accounts:follow_prompt", kwargs=args),
    }


@register.simple_tag(takes_context=True)
def is_saved(context, article) -> bool:
    request, user = _reader(context)
    if user is None:
        return False
    if not hasattr(request, "_accounts_saved_ids"):
        request._accounts_saved_ids = set(
            SavedArticle.objects.filter(user=user).values_list("article_id", flat=True)
        )
    return article.pk in request._accounts_saved_ids


@register.simple_tag(takes_context=True)
def is_following(context, target) -> bool:
    request, user = _reader(context)
    kind = Follow.kind_of(target)
    if user is None or not kind:
        return False
    if not hasattr(request, "_accounts_follows"):
        rows = Follow.objects.filter(user=user).values_list(
            "section_id", "tag_id", "author_id"
        )
        request._accounts_follows = {
            (kind, pk)
            for row in rows
            for kind, pk in zip(Follow.Kind.values, row, strict=True)
            if pk is not None
        }
    return (kind, target.pk) in request._accounts_follows
