from .query import matching, parse_query


class ArabicSearchAdminMixin:
    """Make an article changelist's search box spell-tolerant, like /search/.

    The admin's own `search_fields` lookup still runs (ids, exact names);
    articles whose stored search document matches the normalised words are
    added to its results.
    """

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        terms = parse_query(search_term)
        if terms:
            results = results | matching(queryset, terms)
        return results, may_have_duplicates
