"""Small helpers for reader templates.

{% load articles_tags %}
{% most_read_articles articles=most_read %}   {% language_url "en" %}
{% alternate_languages %}   <time datetime="{{ article.published_at|iso }}">
{{ article.published_at|hijri }}   {% hijri_today %}   {{ article.published_at|headline_time }}
{% capture as page_description %}…{% endcapture %}
"""

import datetime

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.translation import get_language
from hijridate import Gregorian

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


# The page in each interface language; Arabic is also the default.
ALTERNATES = (("ar", "ar"), ("en", "en"), ("ar", "x-default"))


@register.simple_tag(takes_context=True)
def alternate_languages(context):
    """<link rel="alternate" hreflang> to this page in each language, so that
    search engines take /x/ and /en/x/ for one page in two languages rather
    than duplicates. Paged lists keep their page, as their canonical does."""
    request = context.get("request")
    if request is None:
        return ""
    query = _page_query(request)
    return format_html_join(
        "\n  ",
        '<link rel="alternate" hreflang="{}" href="{}">',
        (
            (
                hreflang,
                settings.SITE_URL
                + iri_to_uri(translate_url(request.path, code))
                + query,
            )
            for code, hreflang in ALTERNATES
        ),
    )


@register.simple_tag(takes_context=True)
def page_url(context):
    """This page's address as shared (og:url): the site's own, with its page
    number if past the first, nothing else of the query."""
    request = context["request"]
    return settings.SITE_URL + iri_to_uri(request.path) + _page_query(request)


def _page_query(request):
    page = request.GET.get("page", "")
    return f"?page={page}" if page.isdecimal() and int(page) > 1 else ""


@register.filter
def iso(value):
    """A time as <time datetime> and feeds want it: local, to the second
    (Django's "c" format keeps microseconds, which HTML refuses)."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.filter
def headline_time(value):
    """A story's time in a list of the latest headlines: "14:05" today, with
    its day on an earlier one ("5 ديسمبر، 23:40")."""
    if not value:
        return ""
    value = timezone.localtime(value)
    if value.date() == timezone.localdate():
        return date_format(value, "TIME_FORMAT")
    return date_format(value, "SHORT_DATETIME_FORMAT")


@register.filter
def hijri(value):
    """The Umm al-Qura Hijri date of `value` (local), as the interface language
    writes it: "26 جمادى الآخرة 1448 هـ", "26 Jumada al-Akhirah 1448 AH"."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    try:
        date = Gregorian.fromdate(value).to_hijri()
    except (OverflowError, ValueError):  # outside the Umm al-Qura tables
        return ""
    language = "ar" if (get_language() or "ar").startswith("ar") else "en"
    month, notation = date.month_name(language), date.notation(language)
    return f"{date.day} {month} {date.year} {notation}"


@register.simple_tag
def hijri_today():
    return hijri(timezone.localdate())


class CaptureNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist, self.name = nodelist, name

    def render(self, context):
        context[self.name] = self.nodelist.render(context)
        return ""


@register.tag
def capture(parser, token):
    """{% capture as name %}…{% endcapture %}: render once, use as often as
    needed. base.html gives a page's description (a block that pages fill) to
    <meta name="description"> and to og:description alike."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError(f"Usage: {{% {bits[0]} as name %}}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])
