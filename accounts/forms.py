from collections.abc import Mapping
from typing import Any, Protocol

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
)
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import login_codes, second_factor, throttling
from .mail import send_password_reset
from .models import Passkey

User = get_user_model()


# Sign-up extensions ------------------------------------------------------
class SignupExtension(Protocol):
    """Something another app adds to sign-up (e.g. newsletter choices).

    Register one from that app's AppConfig.ready() with
    register_signup_extension(). `contribute_to_form` adds fields to a fresh
    SignupForm; `apply` runs inside the transaction that creates a NEW
    account (never for an address that already had one).
    """

    def contribute_to_form(self, form: forms.Form) -> None: ...

    def apply(self, *, user, cleaned_data: Mapping[str, Any]) -> None: ...


_signup_extensions: list[SignupExtension] = []


def register_signup_extension(extension: SignupExtension) -> None:
    if extension not in _signup_extensions:
        _signup_extensions.append(extension)


def signup_extensions() -> tuple[SignupExtension, ...]:
    return tuple(_signup_extensions)


# Forms ----------------------------------------------------------------------
class SignupForm(forms.Form):
    name = forms.CharField(
        label=_("الاسم"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("البريد الإلكتروني"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
    )
    password = forms.CharField(
        label=_("كلمة المرور"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("ثمانية أحرف على الأقل، لا تكون شائعة ولا أرقامًا فقط."),
    )
    consent = forms.BooleanField(
        error_messages={"required": _("نحتاج إلى موافقتك لإنشاء الحساب.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The consent line links the pages it names; the account records
        # which version of the terms it accepted (services.register_reader).
        self.fields["consent"].label = format_html(
            gettext(
                'أوافق على <a href="{terms_url}">شروط الاستخدام</a> وعلى أن يحفظ '
                "الموقع بياناتي لإدارة حسابي كما تشرح "
                '<a href="{privacy_url}">سياسة الخصوصية</a>.'
            ),
            terms_url=reverse("articles:page", kwargs={"slug": "terms"}),
            privacy_url=reverse("articles:page", kwargs={"slug": "privacy"}),
        )
        for extension in signup_extensions():
            extension.contribute_to_form(self)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("اكتب اسمك."), code="required")
        return name

    def clean_email(self):
        return User._default_manager.normalize_email(self.cleaned_data["email"])

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            # The validators compare the password with the name and address.
            candidate = User(name=cleaned.get("name", ""), email=cleaned.get("email"))
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class ThrottledLoginMixin:
    """Django's authentication, rate-limited on failures: per IP, per account
    from one IP, and with a backoff per account from everywhere (see
    accounts/throttling.py). For the readers' and the admin's login forms."""

    def _limits(self, email):
        ip = throttling.client_ip(self.request) if self.request else ""
        return (
            (throttling.LOGIN_PER_IP, ip),
            (throttling.LOGIN_PER_ACCOUNT_AND_IP, f"{email.lower()} {ip}"),
        )

    def clean(self):
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not email or not password:
            return self.cleaned_data
        limits = self._limits(email)
        try:
            throttling.check(*limits)
            throttling.LOGIN_BACKOFF.check(email)
        except throttling.Throttled as throttled:
            raise forms.ValidationError(throttled.message, code="throttled") from None
        self.user_cache = authenticate(self.request, username=email, password=password)
        if self.user_cache is None:
            throttling.hit(*limits)
            throttling.LOGIN_BACKOFF.fail(email)
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        throttling.reset(limits[1])
        throttling.LOGIN_BACKOFF.forget(email)
        return self.cleaned_data


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    """The readers' login form."""

    username = forms.EmailField(
        label=_("البريد الإلكتروني"),
        max_length=254,
        widget=forms.EmailInput(
            attrs={
                "autofocus": True,
                # "webauthn": the browser may offer passkeys here too
                # (static/js/passkeys.js, conditional mediation).
                "autocomplete": "username webauthn",
                "dir": "ltr",
            }
        ),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "البريد الإلكتروني أو كلمة المرور غير صحيحين. تذكّر أن كلمة المرور "
            "تفرّق بين الأحرف الكبيرة والصغيرة."
        ),
        "inactive": _("هذا الحساب معطّل."),
    }


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The back office's login form, with the readers' limits (staff accounts
    are the ones worth guessing)."""


class SecondFactorForm(forms.Form):
    """A code from the authenticator app or, where allowed, a recovery code;
    accounts.second_factor checks it."""

    code = forms.CharField(
        label=_("الرمز"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "autocapitalize": "off",
                "spellcheck": "false",
                "dir": "ltr",
            }
        ),
    )

    def __init__(self, *args, allow_recovery_code=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.allow_recovery_code = allow_recovery_code
        if not allow_recovery_code:
            self.fields["code"].widget.attrs["inputmode"] = "numeric"

    def clean_code(self):
        code = second_factor.normalize_code(self.cleaned_data["code"])
        if second_factor.TOTP_CODE.fullmatch(code):
            return code
        if self.allow_recovery_code and second_factor.RECOVERY_CODE.fullmatch(code):
            return code
        if self.allow_recovery_code:
            message = _(
                "اكتب الرمز المكوَّن من ستة أرقام كما يظهر في تطبيق المصادقة، "
                "أو رمز استرداد من ثمانية أحرف."
            )
        else:
            message = _("اكتب الرمز المكوَّن من ستة أرقام كما يظهر في تطبيق المصادقة.")
        raise forms.ValidationError(message, code="invalid")


class LoginCodeRequestForm(forms.Form):
    """Where to e-mail a sign-in code (accounts.views.login_code)."""

    email = forms.EmailField(
        label=_("البريد الإلكتروني"),
        max_length=254,
        widget=forms.EmailInput(
            attrs={"autofocus": True, "autocomplete": "email", "dir": "ltr"}
        ),
    )

    def clean_email(self):
        return User._default_manager.normalize_email(self.cleaned_data["email"])


_LOGIN_CODE_HELP = _("اكتب الرمز المكوَّن من ستة أرقام كما وصلك في الرسالة.")


class LoginCodeForm(forms.Form):
    """The six digits of an e-mailed code, as typed: Arabic-Indic digits,
    spaces and dashes are fine (accounts.login_codes checks it)."""

    code = forms.CharField(
        label=_("الرمز"),
        max_length=64,
        error_messages={"required": _LOGIN_CODE_HELP, "max_length": _LOGIN_CODE_HELP},
        widget=forms.TextInput(
            attrs={
                "class": "code-input",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "autocapitalize": "off",
                "spellcheck": "false",
                "dir": "ltr",
            }
        ),
    )

    def clean_code(self):
        code = second_factor.normalize_code(self.cleaned_data["code"])
        if not login_codes.CODE.fullmatch(code):
            raise forms.ValidationError(_LOGIN_CODE_HELP, code="invalid")
        return code


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset form: same answer for any address, rate-limited."""

    email = forms.EmailField(
        label=_("البريد الإلكتروني"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
    )

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"]
        try:
            throttling.check_and_hit(
                (throttling.RESET_PER_IP, throttling.client_ip(self.request)),
                (throttling.RESET_PER_EMAIL, email.lower()),
            )
        except throttling.Throttled as throttled:
            raise forms.ValidationError(throttled.message, code="throttled") from None
        return email

    def save(self, **kwargs):
        # Whether the address has an account is for the worker to find out:
        # the answer, and how long it takes, are the same for any address.
        send_password_reset(email=self.cleaned_data["email"])


class ThrottledPasswordChangeForm(PasswordChangeForm):
    def clean_old_password(self):
        limit = ((throttling.PASSWORD_CHECK_PER_ACCOUNT, str(self.user.pk)),)
        try:
            throttling.check(*limit)
        except throttling.Throttled as throttled:
            raise forms.ValidationError(throttled.message, code="throttled") from None
        try:
            return super().clean_old_password()
        except forms.ValidationError:
            throttling.hit(*limit)
            raise


class CurrentPasswordMixin:
    """A `password` field that must be the user's current one (rate-limited)."""

    def clean_password(self):
        password = self.cleaned_data["password"]
        limit = ((throttling.PASSWORD_CHECK_PER_ACCOUNT, str(self.user.pk)),)
        try:
            throttling.check(*limit)
        except throttling.Throttled as throttled:
            raise forms.ValidationError(throttled.message, code="throttled") from None
        if not self.user.check_password(password):
            throttling.hit(*limit)
            raise forms.ValidationError(
                _("كلمة المرور غير صحيحة."), code="password_incorrect"
            )
        return password


class ChangeEmailForm(CurrentPasswordMixin, forms.Form):
    new_email = forms.EmailField(
        label=_("البريد الإلكتروني الجديد"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
    )
    password = forms.CharField(
        label=_("كلمة المرور الحالية"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_new_email(self):
        email = User._default_manager.normalize_email(self.cleaned_data["new_email"])
        if email.lower() == self.user.email.lower():
            raise forms.ValidationError(_("هذا هو عنوانك الحالي."), code="same_email")
        return email


class DeleteAccountForm(CurrentPasswordMixin, forms.Form):
    password = forms.CharField(
        label=_("كلمة المرور"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("للتأكد من أنك صاحب الحساب."),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name"]
        widgets = {"name": forms.TextInput(attrs={"autocomplete": "name"})}

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("اكتب اسمك."), code="required")
        return name


class PasskeyNameForm(forms.ModelForm):
    """Renaming a passkey from the account page."""

    class Meta:
        model = Passkey
        fields = ["name"]

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("اكتب اسمًا للمفتاح."), code="required")
        return name
