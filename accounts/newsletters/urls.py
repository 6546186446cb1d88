import logging
from functools import wraps

from anymail import urls as anymail_urls
from django.conf import settings
from django.http import Http404, HttpResponseBadRequest
from django.urls import URLPattern, include, path

from . import views

logger = logging.getLogger(__name__)

app_name = "newsletters"

urlpatterns = [
    path("account/newsletters/", views.manage, name="manage"),
    path(
        "newsletters/unsubscribe/<str:token>/",
        views.unsubscribe_view,
        name="unsubscribe",
    ),
]


def _with_secret_only(view):
    """anymail accepts anyone when no webhook secret is set: without one,
    there are no webhooks at all. A body that is not a report at all is a
    400, not a 500 (anymail's parsers raise on it)."""

    @wraps(view)  # keeps csrf_exempt
    def wrapper(request, *args, **kwargs):
        if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except (ValueError, KeyError, TypeError) as error:
            logger.warning("Malformed provider report at %s: %r", request.path, error)
            return HttpResponseBadRequest(
                "Malformed report.\n", content_type="text/plain"
            )

    return wrapper


# The providers' tracking webhooks (feedback.py), behind basic auth, under
# /newsletters/esp/<provider>/tracking/.
webhooks = [
    URLPattern(
        pattern.pattern,
        _with_secret_only(pattern.callback),
        pattern.default_args,
        f"esp_{pattern.name}",
    )
    for pattern in anymail_urls.urlpatterns
    if pattern.name and pattern.name.endswith("_tracking_webhook")
]
urlpatterns.append(path("newsletters/esp/", include(webhooks)))
