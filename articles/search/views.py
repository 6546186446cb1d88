# Placeholder until the search issue replaces it.
from django.template.response import TemplateResponse


def search(request):
    return TemplateResponse(request, "base.html")
