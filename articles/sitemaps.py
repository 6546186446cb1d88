from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse

from .models import Article


class ArticleSitemap(Sitemap):
    limit = 5000

    def items(self):
        return (
            Article.objects.published()
            .select_related("section")
            .order_by("-published_at")
        )

    def lastmod(self, article):
        return article.updated_at


SITEMAPS = {"articles": ArticleSitemap}


def news_sitemap(request):
    # TODO(reader site): Google News sitemap of the last 48 hours.
    return HttpResponse(status=501)
