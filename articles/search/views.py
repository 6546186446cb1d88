from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from articles.cache import SEARCH, public_page
from articles.models import Article, Section
from newsroom.middleware import not_page_cached

from .documents import body_text
from .forms import SearchForm
from .guard import guarded
from .highlight import has_match, highlight, snippet
from .query import RESULTS_PER_PAGE, find

SUGGESTED_STORIES = 6
FILTERS = ("section", "date_from", "date_to", "sort")


@guarded
@not_page_cached
@public_page(keys=[SEARCH])
def search(request):
    """/search/?q=…&section=…&date_from=…&date_to=…&page=…"""
    form = SearchForm(request.GET)
    form.is_valid()  # errors are shown; valid filters still apply
    terms = form.terms()
    context = {
        "form": form,
        "terms": terms,
        "search_query": terms.text,
        "filtered": any(request.GET.get(name) for name in FILTERS),
    }
    found = 0
    if terms:
        # Results quote the body in their snippets, unlike story cards.
        published = form.filter(Article.objects.published().for_listing().defer(None))
        newest = form.cleaned_data.get("sort") == SearchForm.NEWEST
        answer = find(published, terms, newest=newest)
        if answer.suggestion:
            context.update(
                suggestion=answer.suggestion,
                suggestion_query=_query_with(request, q=answer.suggestion.text),
                showing_suggestion=answer.respelt,
            )
        page_obj = _page(request, answer.results)
        found = page_obj.paginator.count
        context.update(
            page_obj=page_obj,
            more_than=answer.results.is_capped(),
            results=[_result(article, answer.terms.stems) for article in page_obj],
            extra_query=_filters_query(request),
            relevance_query=_query_with(request, sort=""),
            newest_query=_query_with(request, sort=SearchForm.NEWEST),
            newest=newest,
        )
    if not found:
        context.update(_suggestions())
    return TemplateResponse(request, "articles/search.html", context)


def _page(request, queryset):
    # Junk or out-of-range pages answer 404, as on every listing page.
    paginator = Paginator(queryset, RESULTS_PER_PAGE)
    number = request.GET.get("page") or 1
    if number == "last":
        number = paginator.num_pages
    try:
        return paginator.page(number)
    except InvalidPage as exc:
        raise Http404(_("لا توجد صفحة بهذا الرقم.")) from exc


def _result(article, stems):
    body = body_text(article.body)
    # Prefer the passage that shows why the story matched.
    text = next(
        (t for t in (body, article.standfirst) if has_match(t, stems)),
        article.standfirst or body,
    )
    return {
        "article": article,
        "headline": highlight(article.headline, stems),
        "snippet": snippet(text, stems),
    }


def _filters_query(request):
    """The current query string without `page`, for the pagination links."""
    return _query_with(request)


def _query_with(request, **changes):
    """The current query string with `changes` made, and the page dropped."""
    params = {k: v for k, v in request.GET.items() if k != "page"} | changes
    return urlencode([(k, v) for k, v in params.items() if v])


def _suggestions():
    """Somewhere to go when there is nothing to show: sections and the latest news."""
    return {
        "suggested_sections": Section.objects.only("name", "slug"),
        "latest_articles": Article.objects.published().for_listing()[
            :SUGGESTED_STORIES
        ],
    }
