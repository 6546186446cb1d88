from .models import Section


def navigation(request):
    """The sections menu (one small query, on pages that show it)."""
    return {"nav_sections": Section.objects.only("name", "slug")}
