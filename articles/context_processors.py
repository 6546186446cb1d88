from django.core.cache import cache

from .models import Section

NAVIGATION_CACHE_KEY = "navigation:sections"


def navigation(request):
    """The sections menu: one query, then served from the cache."""
    sections = cache.get(NAVIGATION_CACHE_KEY)
    if sections is None:
        sections = [
            {"name": s.name, "url": s.get_absolute_url()}
            for s in Section.objects.only("name", "slug")
        ]
        cache.set(NAVIGATION_CACHE_KEY, sections, 300)
    return {"nav_sections": sections}
