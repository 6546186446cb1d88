from django.utils.functional import SimpleLazyObject

from .models import Section


def navigation(request):
    """The sections menu, shown in the header and the footer: one small
    query and one URL per section, only on pages that show it."""

    def sections():
        return [
            {"name": s.name, "url": s.get_absolute_url()}
            for s in Section.objects.only("name", "slug")
        ]

    return {"nav_sections": SimpleLazyObject(sections)}
