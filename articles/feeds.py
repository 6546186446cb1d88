from django.contrib.syndication.views import Feed

from .models import Article


class LatestArticlesFeed(Feed):
    title = "النشرة"
    link = "/"
    description = ""

    def items(self):
        return Article.objects.published().select_related("section")[:50]


class SectionFeed(LatestArticlesFeed):
    pass
