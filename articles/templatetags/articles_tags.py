"""Small helpers for reader templates.

{% load articles_tags %}
{% most_read_articles articles=most_read %}   {% language_url "en" %}
"""

from django import template
from django.urls import translate_url

register = template.Library()


@register.inclusion_tag("articles/_most_read.html")
def most_read_articles(articles):
    """The numbered most-read list (the view loads `articles`, so the page's
    surrogate keys name them)."""
    return {"articles": articles}


@register.simple_tag(takes_context=True)
def language_url(context, language_code):
    """This page's address in another interface language (a plain link keeps
    pages free of cookies, so shared caches can keep them)."""
    request = context.get("request")
    path = request.get_full_path() if request else "/"
    return translate_url(path, language_code)
