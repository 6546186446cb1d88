from django.core.cache import cache
from django.utils.translation import get_language

from .cache import content_version
from .models import Section


def navigation(request):
    """The sections menu: one query per content version, then the cache.

    Keyed by language too: English pages' links carry the /en/ prefix.
    """
    key = f"navigation:sections:{get_language()}:{content_version()}"
    sections = cache.get(key)
    if sections is None:
        sections = [
            {"name": s.name, "url": s.get_absolute_url()}
            for s in Section.objects.only("name", "slug")
        ]
        cache.set(key, sections, 24 * 3600)
    return {"nav_sections": sections}
