"""Per-reader state for the save and follow buttons.

Each loads the reader's saved ids / follows once per request and keeps them
on the request, so a page with fifty story cards still costs one query.
"""

from django import template
from django.urls import reverse

from ..models import Follow, SavedArticle

register = template.Library()


def _user(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return request, (user if user is not None and user.is_authenticated else None)


@register.simple_tag(takes_context=True)
def is_saved(context, article) -> bool:
    request, user = _user(context)
    if user is None:
        return False
    if not hasattr(request, "_accounts_saved_ids"):
        request._accounts_saved_ids = set(
            SavedArticle.objects.filter(user=user).values_list("article_id", flat=True)
        )
    return article.pk in request._accounts_saved_ids


@register.simple_tag(takes_context=True)
def follow_state(context, target) -> dict:
    """kind, whether the reader follows `target`, and the URLs to change it."""
    kind = Follow.kind_of(target)
    if not kind:
        return {}
    request, user = _user(context)
    following = False
    if user is not None:
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
        following = (kind, target.pk) in request._accounts_follows
    args = {"kind": kind, "pk": target.pk}
    return {
        "kind": kind,
        "following": following,
        "follow_url": reverse("accounts:follow", kwargs=args),
        "unfollow_url": reverse("accounts:unfollow", kwargs=args),
        "prompt_url": reverse("accounts:follow_prompt", kwargs=args),
    }
