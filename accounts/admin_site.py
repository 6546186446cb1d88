"""The back office's admin site: staff pass a second factor after their
password before any admin view opens (accounts/second_factor.py).

Installed as Django's default admin site (newsroom/apps.py), so every
`@admin.register` and every view wrapped by `admin_site.admin_view()` (the
admin's own and the project's custom endpoints) is behind it. A staff session
that has not passed it is sent to the code step; one with no second factor
yet sets up an authenticator app first.
"""

from functools import update_wrapper
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp.plugins.otp_static.models import StaticDevice

from . import second_factor, throttling
from .forms import SecondFactorForm

# Recovery codes just made, shown once by the next page and then forgotten.
NEW_RECOVERY_CODES = "second_factor_new_recovery_codes"


class StaffAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and second_factor.is_verified(
            request.user
        )

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)
        sign_out = csrf_protect(view)

        def inner(request, *args, **kwargs):
            if not second_factor.is_pending(request.user):
                return guarded(request, *args, **kwargs)
            if request.path == reverse("admin:logout", current_app=self.name):
                # Signing out needs no second factor.
                return sign_out(request, *args, **kwargs)
            response = self.second_factor_redirect(request, request.get_full_path())
            add_never_cache_headers(response)
            return response

        return update_wrapper(inner, view)

    def second_factor_redirect(self, request, next_url):
        """To the code step, coming back to `next_url` once it is passed."""
        return redirect_to_login(
            next_url, reverse("admin:second_factor", current_app=self.name)
        )

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, extra_context=None):
        if request.method == "GET" and second_factor.is_pending(request.user):
            return self.second_factor_redirect(request, self._next_url(request))
        response = super().login(request, extra_context)
        signed_in = request.method == "POST" and request.user.is_authenticated
        if signed_in and isinstance(response, HttpResponseRedirect):
            # The password was right: now the second factor, then the page.
            return self.second_factor_redirect(request, response.url)
        return response

    def get_urls(self):
        return [
            path("second-factor/", self.second_factor_view, name="second_factor"),
            path(
                "second-factor/setup/",
                self.second_factor_setup_view,
                name="second_factor_setup",
            ),
            path(
                "second-factor/recovery-codes/",
                self.admin_view(self.recovery_codes_view),
                name="recovery_codes",
            ),
            *super().get_urls(),
        ]

    # Before the second factor: staff signed in with their password only.
    @method_decorator(never_cache)
    @method_decorator(csrf_protect)
    @login_not_required
    def second_factor_view(self, request):
        """The code step: a code from the app, or a recovery code."""
        user = request.user
        next_url = self._next_url(request)
        if not (user.is_active and user.is_staff):
            return redirect_to_login(
                next_url, reverse("admin:login", current_app=self.name)
            )
        if second_factor.is_verified(user):
            return HttpResponseRedirect(next_url)
        if not second_factor.has_second_factor(user):
            return self._to(request, "admin:second_factor_setup", next_url)
        form = SecondFactorForm(request.POST or None)
        if form.is_valid():
            device = self._check(request, form, form.cleaned_data["code"])
            if device is not None:
                if isinstance(device, StaticDevice):
                    messages.warning(request, second_factor.recovery_code_message(user))
                return HttpResponseRedirect(next_url)
        return self._render(
            request,
            "admin/second_factor/verify.html",
            title=_("التحقق بخطوتين"),
            form=form,
            next=next_url,
        )

    @method_decorator(never_cache)
    @method_decorator(csrf_protect)
    @login_not_required
    def second_factor_setup_view(self, request):
        """First visit without a second factor: link an authenticator app,
        confirmed by a first code from it."""
        user = request.user
        next_url = self._next_url(request)
        if not (user.is_active and user.is_staff):
            return redirect_to_login(
                next_url, reverse("admin:login", current_app=self.name)
            )
        if second_factor.has_second_factor(user):
            # Setting up another app needs the current one (or a reset).
            return self._to(request, "admin:second_factor", next_url)
        device = second_factor.pending_app(user)
        form = SecondFactorForm(request.POST or None, allow_recovery_code=False)
        if form.is_valid():
            codes = self._check(
                request, form, form.cleaned_data["code"], confirming=device
            )
            if codes is not None:
                request.session[NEW_RECOVERY_CODES] = codes
                return self._to(request, "admin:recovery_codes", next_url)
        return self._render(
            request,
            "admin/second_factor/setup.html",
            title=_("إعداد التحقق بخطوتين"),
            form=form,
            next=next_url,
            secret=second_factor.secret_text(device),
            qr_code=second_factor.qr_code_svg(
                device.config_url,
                label=_("رمز QR يضيف حسابك إلى تطبيق المصادقة"),
            ),
        )

    # After it (admin_view): the staff member's second factor.
    def recovery_codes_view(self, request):
        """The app in use and how many recovery codes are left, with a button
        that replaces them all; new codes are shown once, after they are
        made."""
        next_url = self._next_url(request)
        if request.method == "POST":
            codes = second_factor.replace_recovery_codes(request.user)
            request.session[NEW_RECOVERY_CODES] = codes
            return self._to(request, "admin:recovery_codes", next_url)
        codes = request.session.pop(NEW_RECOVERY_CODES, None)
        return self._render(
            request,
            "admin/second_factor/recovery_codes.html",
            title=_("التحقق بخطوتين"),
            devices=second_factor.second_factors(request.user),
            codes=[second_factor.format_recovery_code(c) for c in codes or []],
            codes_left=second_factor.recovery_codes_left(request.user),
            next=next_url,
        )

    # Helpers -------------------------------------------------------------
    def _check(self, request, form, code, confirming=None):
        """verify() (or confirm_app() for the app being set up), with the
        refusal as the form's error; what they return."""
        try:
            if confirming is None:
                result = second_factor.verify(request, code=code)
            else:
                result = second_factor.confirm_app(request, confirming, code=code)
        except throttling.Throttled as throttled:
            # A device's backoff after a wrong code lasts seconds at first.
            form.add_error(
                "code",
                throttled.message
                if throttled.retry_after >= 60
                else _(
                    "محاولات كثيرة في وقت قصير؛ انتظر بضع ثوانٍ ثم اكتب الرمز من جديد."
                ),
            )
            return None
        if result is None:
            form.add_error(
                "code",
                _(
                    "الرمز غير صحيح أو انتهت مدته. اكتب الرمز الظاهر الآن في "
                    "تطبيق المصادقة، أو رمز استرداد لم تستعمله من قبل."
                )
                if confirming is None
                else _(
                    "الرمز غير صحيح أو انتهت مدته. اكتب الرمز الظاهر الآن في "
                    "التطبيق بعد إضافة المفتاح إليه."
                ),
            )
        return result

    def _next_url(self, request):
        """Where to go once done: `next` if it stays on this site."""
        next_url = request.POST.get("next") or request.GET.get("next")
        if next_url and url_has_allowed_host_and_scheme(
            next_url,
            allowed_hosts={request.get_host()},
            require_https=request.is_secure(),
        ):
            return next_url
        return reverse("admin:index", current_app=self.name)

    def _to(self, request, name, next_url):
        url = reverse(name, current_app=self.name)
        return HttpResponseRedirect(f"{url}?{urlencode({'next': next_url})}")

    def _render(self, request, template, **context):
        request.current_app = self.name
        return TemplateResponse(
            request, template, {**self.each_context(request), **context}
        )
