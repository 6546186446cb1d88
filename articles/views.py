# Placeholder views until the reader-site issue replaces them.
from django.http import Http404
from django.template.response import TemplateResponse
from django.views.generic import View


def home(request):
    return TemplateResponse(request, "base.html")


class _Placeholder(View):
    def get(self, request, *args, **kwargs):
        raise Http404


OpinionListView = TagArticleListView = AuthorArticleListView = _Placeholder
SectionArticleListView = ArticleDetailView = _Placeholder
