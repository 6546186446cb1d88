from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

# On an element holding newsroom content (always Arabic) in a page whose
# interface is another language: <h1{{ ARABIC }}> (nothing on Arabic pages,
# which are Arabic and right to left already).
ARABIC_INSIDE = mark_safe(' lang="ar" dir="rtl"')


def site(request):
    """Site-wide values every template may use."""
    arabic = (get_language() or "ar").startswith("ar")
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "ARABIC": "" if arabic else ARABIC_INSIDE,
    }
