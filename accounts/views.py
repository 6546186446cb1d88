# Placeholder views until the accounts issue replaces them.
from django.http import Http404


def _placeholder(request, *args, **kwargs):
    raise Http404


signup = profile = saved = following = for_you = _placeholder
save_article = unsave_article = _placeholder
