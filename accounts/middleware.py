from django.utils.cache import patch_cache_control


class PrivateForReadersMiddleware:
    """Keep pages rendered for a logged-in reader out of shared caches.

    Such pages carry that reader's account menu and save/follow states, so
    whatever a view said about caching, a proxy or CDN must not store them
    and the browser must revalidate (a save without JavaScript redirects back
    to the same URL, which must then show the new state). Validators are
    dropped too: a content-version ETag does not change when the reader's
    own state does. Anonymous responses are left as the views made them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_cache=True)
            _drop_directive(response, "s-maxage")
            del response["ETag"]
            del response["Last-Modified"]
        return response


def _drop_directive(response, name):
    value = response.get("Cache-Control", "")
    kept = [part for part in value.split(",") if not part.strip().startswith(name)]
    response["Cache-Control"] = ",".join(kept).strip(" ,")
