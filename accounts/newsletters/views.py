from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .forms import SubscriptionsForm
from .models import Newsletter, Subscription
from .services import set_subscriptions, subscription_from_token, unsubscribe


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request):
    # Not `request.POST or None`: unticking every box posts an empty form.
    form = SubscriptionsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            set_subscriptions(
                user=request.user,
                newsletters=form.cleaned_data["newsletters"],
                source=Subscription.Source.ACCOUNT,
                end_reason=Subscription.EndReason.ACCOUNT,
            )
            if request.user.is_verified:
                messages.success(request, _("حُفظت اختياراتك."))
            else:
                messages.success(
                    request,
                    _("حُفظت اختياراتك، وتبدأ الرسائل بعد تأكيد بريدك الإلكتروني."),
                )
            return redirect("newsletters:manage")
        messages.error(request, _("تعذّر حفظ اختياراتك؛ راجع الخيارات وحاول مجددًا."))
    live = {
        s.newsletter_id: s
        for s in Subscription.objects.live().filter(user=request.user)
    }
    rows = [
        {"newsletter": newsletter, "subscription": live.get(newsletter.pk)}
        for newsletter in Newsletter.objects.active()
    ]
    return render(
        request,
        "newsletters/manage.html",
        {"rows": rows, "form": form, "is_verified": request.user.is_verified},
    )


# csrf_exempt: mail clients send the RFC 8058 one-click POST with no cookie
# and no CSRF token. That is safe here because the signed token in the URL is
# the secret, and the only effect is ending that one subscription.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_view(request, token):
    subscription = subscription_from_token(token)
    if subscription is None:
        return render(request, "newsletters/unsubscribe_invalid.html", status=404)
    if request.method != "POST":
        # GET only asks: link scanners that follow links unsubscribe nobody.
        return render(
            request,
            "newsletters/unsubscribe_confirm.html",
            {"subscription": subscription},
        )
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    ended = unsubscribe(
        subscription=subscription,
        reason=(
            Subscription.EndReason.ONE_CLICK
            if one_click
            else Subscription.EndReason.LINK
        ),
    )
    if one_click:
        # The mail client shows nothing; a short plain answer is enough.
        return HttpResponse("Unsubscribed.", content_type="text/plain; charset=utf-8")
    return render(
        request,
        "newsletters/unsubscribe_done.html",
        {"subscription": subscription, "already": not ended},
    )
