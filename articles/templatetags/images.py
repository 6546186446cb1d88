"""Responsive images from recorded renditions, without touching storage.

    {% load images %}
    {% article_image article "16x9" as img %}
    {% if img %}<img src="{{ img.src }}" srcset="{{ img.srcset }}"
        width="{{ img.width }}" height="{{ img.height }}" sizes="..." alt="...">{% endif %}

or, for just the srcset string: {{ article|srcset:"4x3" }}.
"""

from django import template

from articles.images import article_srcset, author_photo

register = template.Library()


@register.simple_tag
def article_image(article, crop="16x9"):
    """{"src", "srcset", "width", "height"} for the article's image, or None."""
    return article_srcset(article, crop)


@register.simple_tag
def author_image(author):
    """{"src", "srcset", "width", "height"} for the author's portrait, or None."""
    return author_photo(author)


@register.filter
def srcset(article, crop="16x9"):
    """The srcset string for the article's image in `crop` ("" if none)."""
    data = article_srcset(article, crop)
    return data["srcset"] if data else ""
