"""Sidebars that run their own query, and small helpers for reader templates.

{% load articles_tags %}
{% latest_articles 6 %}   {% most_read_articles %}   {% more_from_section article %}
"""

from django import template
from django.urls import translate_url

from articles.models import Article
from articles.popularity import most_read

register = template.Library()


@register.inclusion_tag("articles/_headline_list.html")
def latest_articles(limit=6, title=None):
    """The latest published headlines."""
    articles = Article.objects.published().select_related("section")[:limit]
    return {"articles": articles, "title": title, "kind": "latest"}


@register.inclusion_tag("articles/_most_read.html")
def most_read_articles(articles=None, limit=5):
    """The numbered most-read list; pass `articles` when the view has them."""
    return {"articles": most_read(limit) if articles is None else articles}


@register.inclusion_tag("articles/_headline_list.html")
def more_from_section(article, limit=5, title=None):
    """Latest published headlines of `article`'s section, without `article`."""
    articles = (
        Article.objects.published()
        .in_section(article.section_id)
        .exclude(pk=article.pk)
        .select_related("section")[:limit]
    )
    return {"articles": articles, "title": title, "kind": "section"}


@register.simple_tag(takes_context=True)
def language_url(context, language_code):
    """This page's address in another interface language (a plain link keeps
    pages free of cookies, so shared caches can keep them)."""
    request = context.get("request")
    path = request.get_full_path() if request else "/"
    return translate_url(path, language_code)
