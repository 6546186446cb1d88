"""The opt-in pages, the JSON endpoints static/js/push.js calls, and the
service worker.

/notifications/ is a public page like any other (the same document for every
reader, cached); what is personal (a CSRF token, this browser's
subscription) comes from the private endpoints under /account/notifications/,
which the edge passes through with the reader's cookies.
"""

import json
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import throttling
from articles.cache import public_page
from articles.models import Section

from . import services
from .models import PushSubscription
from .services import InvalidSubscription

# A PushSubscription's JSON and a few dozen section ids fit well within this.
MAX_BODY_BYTES = 8 * 1024
# New or changed subscriptions from one address: a household or an office
# behind one IP may have a few dozen browsers.
SUBSCRIBE_PER_IP = throttling.Limit("push-subscribe-ip", attempts=30, window=60 * 60)
WORKER = "js/push-sw.js"


def _panel_context() -> dict:
    return {
        "push_enabled": services.is_enabled(),
        "vapid_public_key": settings.VAPID_PUBLIC_KEY,
        "sections": Section.objects.only("name", "slug"),
    }


@public_page
@require_GET
def notifications(request):
    """The opt-in page: a shell that static/js/push.js brings to life."""
    return TemplateResponse(request, "push/notifications.html", _panel_context())


@never_cache
@login_required
@require_GET
def manage(request):
    """The reader's browsers that get alerts, and this browser's panel."""
    subscriptions = (
        PushSubscription.objects.filter(user=request.user)
        .prefetch_related("sections")
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "push/manage.html",
        {**_panel_context(), "subscriptions": subscriptions},
    )


@never_cache
@login_required
@require_POST
def remove(request, pk):
    """Stop alerts to one of the reader's browsers (their account page's button)."""
    subscription = get_object_or_404(PushSubscription, pk=pk, user=request.user)
    subscription.delete()
    messages.success(request, _("أوقفنا التنبيهات على ذلك المتصفح."))
    return redirect("push:manage")


# JSON for static/js/push.js


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse(
        {"error": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _read_json(request) -> dict:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = MAX_BODY_BYTES + 1
    if length > MAX_BODY_BYTES:
        raise InvalidSubscription(_("الطلب أكبر من المسموح."))
    try:
        data = json.loads(request.body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise InvalidSubscription(_("الطلب ليس JSON صالحًا.")) from None
    if not isinstance(data, dict):
        raise InvalidSubscription(_("الطلب ليس JSON صالحًا."))
    return data


def _json_endpoint(view):
    """Push must be on; junk input answers 400 with a message, never a 500."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not services.is_enabled():
            return _error(_("التنبيهات الفورية غير متاحة حاليًا."), status=404)
        try:
            return view(request, *args, **kwargs)
        except InvalidSubscription as error:
            return _error(str(error))

    return wrapper


@never_cache
@require_GET
def token(request):
    """A CSRF token for the panel's POSTs (public pages carry none)."""
    return JsonResponse({"csrf_token": get_token(request)})


@never_cache
@require_POST
@_json_endpoint
def subscribe(request):
    """{"subscription": PushSubscription JSON, "topics": {...}} → recorded."""
    data = _read_json(request)
    browser = services.parse_subscription(data.get("subscription"))
    topics = services.parse_topics(data.get("topics"))
    try:
        throttling.check_and_hit((SUBSCRIBE_PER_IP, throttling.client_ip(request)))
    except throttling.Throttled as throttled:
        response = _error(throttled.message, status=429)
        response["Retry-After"] = str(throttled.retry_after)
        return response
    subscription = services.subscribe(browser=browser, topics=topics, user=request.user)
    return JsonResponse(
        {"subscribed": True, "topics": services.topics_of(subscription)}
    )


@never_cache
@require_POST
@_json_endpoint
def status(request):
    """{"endpoint", "keys": {"auth"}} → whether we know this browser, and its topics."""
    endpoint, auth = services.parse_auth(_read_json(request))
    subscription = services.find(endpoint=endpoint, auth=auth)
    if subscription is None:
        return JsonResponse({"subscribed": False})
    return JsonResponse(
        {"subscribed": True, "topics": services.topics_of(subscription)}
    )


@never_cache
@require_POST
@_json_endpoint
def unsubscribe(request):
    """{"endpoint", "keys": {"auth"}} → forgotten (also if we never knew it)."""
    endpoint, auth = services.parse_auth(_read_json(request))
    services.unsubscribe(endpoint=endpoint, auth=auth)
    return JsonResponse({"subscribed": False})


# The service worker, at the site's root so that its scope is the whole site.


@require_GET
@cache_control(public=True, max_age=300)
def service_worker(request):
    path = finders.find(WORKER)
    if path:
        with open(path, "rb") as source:
            code = source.read()
    elif staticfiles_storage.exists(WORKER):  # collected, sources not deployed
        with staticfiles_storage.open(WORKER) as source:
            code = source.read()
    else:
        raise Http404
    return HttpResponse(code, content_type="application/javascript; charset=utf-8")
