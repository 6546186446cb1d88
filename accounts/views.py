import json
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles.models import Article, Section

from . import (
    export,
    login_codes,
    passkeys,
    pending,
    reader_state,
    services,
    throttling,
    tokens,
)
from .forms import (
    ChangeEmailForm,
    DeleteAccountForm,
    LoginCodeForm,
    LoginCodeRequestForm,
    LoginForm,
    PasskeyNameForm,
    ProfileForm,
    SignupForm,
    ThrottledPasswordChangeForm,
    ThrottledPasswordResetForm,
)
from .models import Follow, Passkey, SavedArticle

PER_PAGE = 20
FOR_YOU_LIMIT = 500


def _page(request, queryset):
    # get_page() turns junk (?page=abc, ?page=-1, ?page=99999) into a real page.
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _isolate(text):
    # A Latin address inside an Arabic sentence: first-strong isolate marks
    # keep "layla-x@example.com" from being reordered around the hyphen.
    return f"\u2068{text}\u2069"


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


# Sign-up, login and verification ----------------------------------------
def _announce(request, done):
    """The notice after a sign-in that completed a pending save or follow."""
    if done == "save":
        messages.success(request, _("حفظنا المقال في قائمة محفوظاتك."))
    elif done == "follow":
        messages.success(request, _("أضفناه إلى ما تتابعه."))


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"

    def get(self, request, *args, **kwargs):
        # Public pages show everyone the sign-in link (the script swaps in the
        # account menu); a signed-in reader without script lands here.
        if request.user.is_authenticated:
            return redirect("accounts:profile")
        return super().get(request, *args, **kwargs)

    def get_redirect_url(self):
        url = super().get_redirect_url()
        # ?next=/account/login/ would loop (Django raises on it): go home.
        return "" if urlsplit(url).path == self.request.path else url

    def form_valid(self, form):
        response = super().form_valid(form)
        _announce(self.request, pending.complete(self.request, response.url))
        return response

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            **_prompt_context(self.request, self.get_redirect_url()),
        }


def _prompt_context(request, next_url):
    """What the login/sign-up pages say about a pending save or follow.

    Only promised when the reader is headed back to where they asked, the
    one case in which pending.complete() carries it out.
    """
    action = pending.peek(request)
    target = None
    if action and action.get("next") == next_url:
        target = pending.resolve_target(action.get("kind"), action.get("id"))
    return {"pending_action": action if target else None, "pending_target": target}


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    next_url = pending.safe_next(request, default="/")
    if request.user.is_authenticated:
        return redirect("accounts:profile")  # see LoginView.get
    form = SignupForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            throttling.check_and_hit(
                (throttling.SIGNUP_PER_IP, throttling.client_ip(request)),
                (throttling.SIGNUP_PER_EMAIL, form.cleaned_data["email"].lower()),
            )
        except throttling.Throttled as throttled:
            form.add_error(None, throttled.message)
        else:
            services.register_reader(
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                cleaned_data=form.cleaned_data,
                # The e-mail's link brings the reader back to where they
                # signed up, and does what they asked for, in any browser.
                next_url=pending.safe_next(request, default=""),
                pending_action=pending.for_link(request, next_url),
            )
            # The same answer whether or not the address already had an
            # account (nobody is signed in yet: the e-mail's link does it,
            # and carries out a pending save or follow), so sign-up does not
            # reveal who is registered.
            messages.success(
                request,
                _(
                    "أرسلنا رسالة إلى %(email)s. افتح الرابط الذي فيها لتأكيد "
                    "عنوانك والدخول إلى حسابك."
                )
                % {"email": _isolate(form.cleaned_data["email"])},
            )
            return redirect(next_url)
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "next": next_url, **_prompt_context(request, next_url)},
    )


@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify_email(request, token):
    user, next_url, action = tokens.verification_for_token(token)
    if user is None:
        return render(request, "accounts/link_invalid.html", status=400)
    if request.method != "POST":
        # A page with a button: a mail scanner following the link spends
        # nothing, and nobody can be signed in to someone else's account by
        # a link planted in a page (the POST needs this page's CSRF token).
        return render(request, "accounts/verify_email.html", {"email": user.email})
    services.mark_email_verified(user=user)
    messages.success(request, _("شكرًا! تأكدنا من بريدك الإلكتروني."))
    if request.user.is_authenticated:
        return redirect(
            "accounts:profile" if request.user.pk == user.pk else "articles:home"
        )
    # Sign-up signs nobody in (see services.register_reader): this link does,
    # as a password-reset link would, once (using it spends the token), and
    # carries out the save or follow the reader asked for before signing up.
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if next_url or action:
        # What the link carries: where the reader signed up, and what they
        # asked for there. The session's copy of it, if any, is spent.
        pending.forget(request)
        done = pending.carry_out(request.user, action) if action else None
    else:
        # A link without (one mailed again, say): a wish this browser holds.
        waiting = pending.peek(request)
        next_url = waiting["next"] if waiting else ""
        done = pending.complete(request, next_url)
    if not pending.is_safe_next(request, next_url):
        next_url = reverse("accounts:profile")
    _announce(request, done)
    return redirect(next_url)


@login_required
@require_POST
def resend_verification(request):
    user = request.user
    if user.is_verified:
        messages.info(request, _("بريدك الإلكتروني مؤكَّد من قبل."))
        return redirect("accounts:profile")
    try:
        throttling.check_and_hit(
            (throttling.RESEND_PER_IP, throttling.client_ip(request)),
            (throttling.RESEND_PER_ACCOUNT, str(user.pk)),
        )
    except throttling.Throttled as throttled:
        messages.error(request, throttled.message)
    else:
        services.send_verification_email(user=user)
        messages.success(
            request,
            _("أرسلنا رابط تأكيد جديدًا إلى %(email)s.")
            % {"email": _isolate(user.email)},
        )
    return redirect("accounts:profile")


# One-time codes ("e-mail me a code", accounts/login_codes.py) ---------------
# Which address asked, for the page where the reader types the code. The
# session lives on the server (SESSION_ENGINE), so a client cannot change it.
LOGIN_CODE_EMAIL = "accounts_login_code_email"


def _with_next(path, next_url):
    return f"{path}?{urlencode({'next': next_url})}" if next_url else path


def _sign_in_by_code(request, user):
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.pop(LOGIN_CODE_EMAIL, None)
    if not user.is_verified:
        # The code came to the address: the reader proved they read it.
        services.mark_email_verified(user=user)
        messages.success(request, _("شكرًا! تأكدنا من بريدك الإلكتروني."))


@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_code(request):
    """Ask for a code by e-mail. Every address gets the same answer and the
    same next page; the e-mail differs (a code, or an invitation to sign up
    when the address has no account), and only its reader sees it."""
    if request.user.is_authenticated:
        return redirect("accounts:profile")  # see LoginView.get
    next_url = pending.safe_next(request, default="")
    form = LoginCodeRequestForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        email = form.cleaned_data["email"]
        try:
            throttling.check_and_hit(
                (throttling.LOGIN_CODE_PER_IP, throttling.client_ip(request)),
                (throttling.LOGIN_CODE_PER_EMAIL, email.lower()),
                (throttling.LOGIN_CODE_PER_EMAIL_DAILY, email.lower()),
            )
        except throttling.Throttled as throttled:
            form.add_error(None, throttled.message)
        else:
            services.request_login_code(
                email=email,
                next_url=next_url,
                action=pending.for_link(request, next_url),
            )
            request.session[LOGIN_CODE_EMAIL] = email
            return redirect(_with_next(reverse("accounts:login_code_enter"), next_url))
    return render(
        request,
        "accounts/login_code.html",
        {"form": form, "next": next_url, **_prompt_context(request, next_url)},
    )


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_code_enter(request):
    """Type the code, in the browser that asked for it."""
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    next_url = pending.safe_next(request, default="")
    email = request.session.get(LOGIN_CODE_EMAIL)
    if not isinstance(email, str):
        # Asked in another browser, or long ago: ask again here.
        return redirect(_with_next(reverse("accounts:login_code"), next_url))
    form = LoginCodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        limit = (throttling.LOGIN_CODE_TRIES_PER_IP, throttling.client_ip(request))
        try:
            throttling.check(limit)
        except throttling.Throttled as throttled:
            form.add_error(None, throttled.message)
        else:
            user = login_codes.check_code(email=email, code=form.cleaned_data["code"])
            if user is not None:
                _sign_in_by_code(request, user)
                redirect_to = next_url or resolve_url(settings.LOGIN_REDIRECT_URL)
                _announce(request, pending.complete(request, redirect_to))
                return redirect(redirect_to)
            throttling.hit(limit)
            # One answer for a wrong, old, used or worn-out code, and for an
            # address without an account.
            form.add_error(
                "code",
                _(
                    "هذا الرمز غير صحيح أو لم يعد صالحًا. تأكد من أنه من آخر "
                    "رسالة وصلتك، أو اطلب رمزًا جديدًا."
                ),
            )
    return render(
        request,
        "accounts/login_code_enter.html",
        {"form": form, "email": email, "next": next_url},
    )


@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_link(request, token):
    """The link in a code's e-mail: a page with a button, as verify_email,
    so mail scanners that open links spend nothing; the POST signs in."""
    row = login_codes.for_link(token)
    if row is None:
        return render(request, "accounts/link_invalid.html", status=400)
    if request.method != "POST":
        return render(request, "accounts/login_link.html", {"email": row.user.email})
    user = login_codes.spend(row)
    if user is None:  # a concurrent use, or a newer request, got there first
        return render(request, "accounts/link_invalid.html", status=400)
    _sign_in_by_code(request, user)
    # As verify_email: what the link carries, from any browser; else the
    # wish this browser holds.
    next_url, action = row.next_url, login_codes.action_of(row)
    if next_url or action:
        pending.forget(request)
        done = pending.carry_out(user, action) if action else None
    else:
        waiting = pending.peek(request)
        next_url = waiting["next"] if waiting else ""
        done = pending.complete(request, next_url)
    if not pending.is_safe_next(request, next_url):
        next_url = resolve_url(settings.LOGIN_REDIRECT_URL)
    _announce(request, done)
    return redirect(next_url)


# Passwords ----------------------------------------------------------------
class PasswordResetView(auth_views.PasswordResetView):
    # The form queues the message (accounts/mail.py).
    form_class = ThrottledPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The reader just proved they read mail at this address: verified,
        # and no longer slowed down by someone else's wrong guesses.
        if not form.user.is_verified:
            services.mark_email_verified(user=form.user)
        throttling.LOGIN_BACKOFF.forget(form.user.email)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = ThrottledPasswordChangeForm
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")


# The account --------------------------------------------------------------
@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request):
    form = ProfileForm(
        request.POST if request.method == "POST" else None, instance=request.user
    )
    if form.is_valid():
        form.save()
        messages.success(request, _("حُفظ اسمك."))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "passkeys": request.user.passkeys.all(),
            "can_add_passkey": passkeys.signed_in_recently(request),
        },
    )


@sensitive_post_parameters("password")
@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def change_email(request):
    form = ChangeEmailForm(
        request.POST if request.method == "POST" else None, user=request.user
    )
    if form.is_valid():
        try:
            throttling.check_and_hit(
                (throttling.EMAIL_CHANGE_PER_ACCOUNT, str(request.user.pk))
            )
        except throttling.Throttled as throttled:
            form.add_error(None, throttled.message)
        else:
            new_email = form.cleaned_data["new_email"]
            services.request_email_change(user=request.user, new_email=new_email)
            messages.success(
                request,
                _("أرسلنا رابط تأكيد إلى %(email)s. لن يتغير عنوانك حتى تفتحه.")
                % {"email": _isolate(new_email)},
            )
            return redirect("accounts:profile")
    return render(request, "accounts/change_email.html", {"form": form})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm_email_change(request, token):
    user, new_email = tokens.email_change_for_token(token)
    if user is None:
        return render(request, "accounts/link_invalid.html", status=400)
    # The link alone does not move the login: an old password (or a session
    # it opened) no longer signs in after a password change.
    if not request.user.is_authenticated:
        messages.info(
            request, _("سجّل الدخول بالحساب الذي طلب التغيير لتأكيد عنوانه الجديد.")
        )
        return auth_views.redirect_to_login(request.get_full_path())
    if request.user.pk != user.pk:
        return render(
            request, "accounts/confirm_email_change_other_account.html", status=403
        )
    if request.method != "POST":
        # A page with a button, so mail scanners that follow links do not
        # change anyone's address.
        return render(
            request, "accounts/confirm_email_change.html", {"new_email": new_email}
        )
    if not services.confirm_email_change(user=user, new_email=new_email):
        return render(request, "accounts/link_invalid.html", status=400)
    messages.success(
        request,
        _("صار عنوانك %(email)s. استخدمه من الآن لتسجيل الدخول.")
        % {"email": _isolate(new_email)},
    )
    return redirect("accounts:profile")


@sensitive_post_parameters("password")
@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_account(request):
    form = DeleteAccountForm(
        request.POST if request.method == "POST" else None, user=request.user
    )
    if form.is_valid():
        user = request.user
        logout(request)
        services.delete_account(user=user)
        messages.success(request, _("حذفنا حسابك وكل ما حفظته فيه. نأسف لرحيلك."))
        return redirect("/")
    return render(request, "accounts/delete_account.html", {"form": form})


# The reader's data ----------------------------------------------------------
def _export_throttled(request):
    """A page saying to wait, or None while the reader may have their data."""
    try:
        throttling.check_and_hit(
            (throttling.DATA_EXPORT_PER_ACCOUNT, str(request.user.pk))
        )
    except throttling.Throttled as throttled:
        response = render(
            request,
            "accounts/data_export.html",
            {"throttled": throttled.message},
            status=429,
        )
        response["Retry-After"] = str(throttled.retry_after)
        return response
    return None


@never_cache
@login_required
@require_GET
def data_export(request):
    """Everything the site keeps about the reader, as a page to read (and
    save), with the same data to download as JSON (accounts.export)."""
    if refused := _export_throttled(request):
        return refused
    data = export.collect(request.user)
    return render(
        request,
        "accounts/data_export.html",
        {
            "data": data,
            "parts": [(part, data[part.key]) for part in export.export_parts()],
        },
    )


@never_cache
@login_required
@require_GET
def data_download(request):
    if refused := _export_throttled(request):
        return refused
    response = JsonResponse(
        export.collect(request.user),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="newsroom-my-data-{day}.json"'
    )
    return response


# The reader's state, for public pages' script ---------------------------------
@never_cache
@require_GET
def state(request):
    """JSON for the pages' script: who is signed in, saved and followed
    marks for the ids the page names, a CSRF token, waiting messages
    (accounts.reader_state). Private: never stored by a shared cache."""
    return JsonResponse(reader_state.for_request(request))


# Saved articles -------------------------------------------------------------
@never_cache
@login_required
def saved(request):
    # Only this reader's rows, and only articles readers may still see: a
    # withdrawn article simply drops out of the list.
    saves = (
        SavedArticle.objects.filter(
            user=request.user, article__in=Article.objects.published()
        )
        .select_related("article__section")
        .order_by("-saved_at", "-pk")
    )
    return render(request, "accounts/saved.html", {"page_obj": _page(request, saves)})


@require_POST
def save_article(request, pk):
    article = get_object_or_404(
        Article.objects.published().select_related("section"), pk=pk
    )
    if not request.user.is_authenticated:
        return redirect("accounts:save_prompt", pk=article.pk)
    services.save_article(user=request.user, article=article)
    return _toggle_response(
        request,
        state=True,
        default_next=article.get_absolute_url(),
        message=_("حُفظ المقال في قائمة محفوظاتك."),
    )


@require_POST
def unsave_article(request, pk):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}")
    # Filtering by the reader makes a forged id harmless.
    services.unsave_article(user=request.user, article_id=pk)
    return _toggle_response(
        request,
        state=False,
        default_next=reverse("accounts:saved"),
        message=_("أزلنا المقال من محفوظاتك."),
    )


def _toggle_response(request, *, state, default_next, message):
    if _wants_json(request):
        response = JsonResponse({"active": state})
    else:
        messages.success(request, message)
        response = redirect(pending.safe_next(request, default=default_next))
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_GET
def save_prompt(request, pk):
    """Where the save button of a logged-out reader leads: sign up or log in."""
    article = get_object_or_404(
        Article.objects.published().select_related("section"), pk=pk
    )
    next_url = article.get_absolute_url()
    if not request.user.is_authenticated:
        pending.remember(
            request,
            action="save",
            kind="article",
            target_id=article.pk,
            next_url=next_url,
        )
    return render(
        request,
        "accounts/prompt.html",
        {"action": "save", "target": article, "next": next_url},
    )


# Following ------------------------------------------------------------------
def _get_target(kind, pk):
    # The same 404 for junk, unknown ids and tags or authors readers can't see.
    targets = Follow.followable(kind)
    if targets is None:
        raise Http404
    return get_object_or_404(targets, pk=pk)


@require_POST
def follow(request, kind, pk):
    target = _get_target(kind, pk)
    if not request.user.is_authenticated:
        return redirect("accounts:follow_prompt", kind=kind, pk=target.pk)
    services.follow(user=request.user, kind=kind, target=target)
    return _toggle_response(
        request,
        state=True,
        default_next=target.get_absolute_url(),
        message=_("أنت الآن تتابع «%(name)s».") % {"name": target},
    )


@require_POST
def unfollow(request, kind, pk):
    if Follow.target_model(kind) is None:
        raise Http404
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    services.unfollow(user=request.user, kind=kind, target_id=pk)
    return _toggle_response(
        request,
        state=False,
        default_next=reverse("accounts:following"),
        message=_("ألغيت المتابعة."),
    )


@never_cache
@require_GET
def follow_prompt(request, kind, pk):
    target = _get_target(kind, pk)
    next_url = target.get_absolute_url()
    if not request.user.is_authenticated:
        pending.remember(
            request, action="follow", kind=kind, target_id=target.pk, next_url=next_url
        )
    return render(
        request,
        "accounts/prompt.html",
        {"action": "follow", "target": target, "kind": kind, "next": next_url},
    )


@never_cache
@login_required
def following(request):
    follows = request.user.follows.of_public_targets().select_related(
        "section", "tag", "author"
    )
    by_kind = {kind: [] for kind in Follow.Kind.values}
    for row in follows:
        by_kind[row.kind].append(row.target)
    followed_sections = {section.pk for section in by_kind["section"]}
    suggestions = [s for s in Section.objects.all() if s.pk not in followed_sections]
    return render(
        request,
        "accounts/following.html",
        {
            "sections": by_kind["section"],
            "tags": by_kind["tag"],
            "authors": by_kind["author"],
            "suggestions": suggestions,
        },
    )


@never_cache
@login_required
def for_you(request):
    # A feed, not an archive: the newest FOR_YOU_LIMIT matches are enough, and
    # the cap keeps the paginator's COUNT from scanning every article.
    articles = request.user.follows.articles().for_listing()[:FOR_YOU_LIMIT]
    page_obj = _page(request, articles)
    suggestions = []
    if not page_obj.object_list:
        suggestions = list(Section.objects.all()[:12])
    return render(
        request,
        "accounts/for_you.html",
        {"page_obj": page_obj, "suggestions": suggestions},
    )


# Passkeys (accounts/passkeys.py, static/js/passkeys.js) ----------------------------
def _json_body(request) -> dict:
    try:
        body = json.loads(request.body)
    except ValueError:  # junk, or not UTF-8
        return {}
    return body if isinstance(body, dict) else {}


def _passkey_error(message, *, status=400):
    return JsonResponse({"error": message}, status=status)


def _passkey_throttled(throttled):
    response = _passkey_error(throttled.message, status=429)
    response["Retry-After"] = str(throttled.retry_after)
    return response


@never_cache
@login_required
@require_POST
def passkey_register_options(request):
    if not passkeys.signed_in_recently(request):
        return _passkey_error(_sign_in_again_to_add(), status=403)
    return JsonResponse(passkeys.registration_options(request))


def _sign_in_again_to_add():
    return _("لإضافة مفتاح مرور، ادخل إلى حسابك من جديد أولًا: نتأكد بذلك أنك صاحبه.")


@never_cache
@login_required
@require_POST
def passkey_register(request):
    if not passkeys.signed_in_recently(request):
        return _passkey_error(_sign_in_again_to_add(), status=403)
    body = _json_body(request)
    try:
        passkey = passkeys.register(
            request, credential=body.get("credential"), name=body.get("name")
        )
    except passkeys.Refused as refused:
        return _passkey_error(refused.message)
    messages.success(
        request, _("أضفنا مفتاح المرور «%(name)s».") % {"name": passkey.name}
    )
    return JsonResponse({"redirect": reverse("accounts:profile")})


@never_cache
@require_POST
def passkey_login_options(request):
    try:
        throttling.check((throttling.LOGIN_PER_IP, throttling.client_ip(request)))
    except throttling.Throttled as throttled:
        return _passkey_throttled(throttled)
    return JsonResponse(passkeys.authentication_options(request))


@never_cache
@require_POST
def passkey_login(request):
    """Sign in with a passkey: as the password login does (rate limits on
    failures, the pending save or follow), and past the admin's second
    factor too (the passkey verified its owner)."""
    ip = throttling.client_ip(request)
    try:
        throttling.check((throttling.LOGIN_PER_IP, ip))
    except throttling.Throttled as throttled:
        return _passkey_throttled(throttled)
    body = _json_body(request)
    try:
        passkey = passkeys.authenticate(request, credential=body.get("credential"))
    except passkeys.Refused as refused:
        limits = [(throttling.LOGIN_PER_IP, ip)]
        if refused.passkey is not None:
            email = refused.passkey.user.email.lower()
            limits.append((throttling.LOGIN_PER_ACCOUNT_AND_IP, f"{email} {ip}"))
        throttling.hit(*limits)
        return _passkey_error(refused.message)
    user = passkey.user
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    passkeys.pass_second_factor(request, passkey)
    throttling.reset(
        (throttling.LOGIN_PER_ACCOUNT_AND_IP, f"{user.email.lower()} {ip}")
    )
    next_url = body.get("next")
    if not (isinstance(next_url, str) and pending.is_safe_next(request, next_url)):
        next_url = resolve_url(settings.LOGIN_REDIRECT_URL)
    _announce(request, pending.complete(request, next_url))
    return JsonResponse({"redirect": next_url})


def _own_passkey(request, pk):
    # Someone else's id is a 404, like an unknown one.
    return get_object_or_404(Passkey, pk=pk, user=request.user)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def passkey_rename(request, pk):
    passkey = _own_passkey(request, pk)
    form = PasskeyNameForm(
        request.POST if request.method == "POST" else None, instance=passkey
    )
    if form.is_valid():
        form.save()
        messages.success(request, _("غيّرنا اسم مفتاح المرور."))
        return redirect("accounts:profile")
    return render(
        request, "accounts/passkey_rename.html", {"form": form, "passkey": passkey}
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def passkey_remove(request, pk):
    passkey = _own_passkey(request, pk)
    if request.method == "POST":
        passkey.delete()
        messages.success(
            request, _("حذفنا مفتاح المرور «%(name)s».") % {"name": passkey.name}
        )
        return redirect("accounts:profile")
    return render(request, "accounts/passkey_remove.html", {"passkey": passkey})
