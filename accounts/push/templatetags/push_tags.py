from django import template

from ..services import is_enabled

register = template.Library()


@register.inclusion_tag("push/_footer_link.html")
def push_footer_link():
    """The footer's bell to /notifications/, only when push is configured.
    The same for every reader: it depends on settings alone."""
    return {"push_enabled": is_enabled()}
