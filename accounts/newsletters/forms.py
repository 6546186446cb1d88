from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Newsletter


def _is_sane_pk(value) -> bool:
    # SQLite overflows on integers past 64 bits; refuse them before the query.
    return str(value).isdigit() and len(str(value)) <= 18


class SafeModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that answers junk ids with a form error, never a 500."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not _is_sane_pk(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)

    def bound_data(self, data, initial):
        # Widgets (the admin autocomplete) re-query the submitted value when
        # the form is shown again; a junk id must not reach that query either.
        if data in self.empty_values or not _is_sane_pk(data):
            return initial
        return super().bound_data(data, initial)


class NewsletterChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Newsletter.objects.active())
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("النشرات البريدية"))
        kwargs.setdefault(
            "error_messages",
            {
                "invalid_choice": _("اختر من النشرات المعروضة فقط."),
                "invalid_pk_value": _("اختر من النشرات المعروضة فقط."),
                "invalid_list": _("اختر من النشرات المعروضة فقط."),
            },
        )
        super().__init__(**kwargs)

    def _check_values(self, value):
        for pk in value:
            if not _is_sane_pk(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_cadence_display()})"


def newsletter_choices_field(**kwargs) -> NewsletterChoiceField:
    """The "which newsletters?" field for the sign-up form.

    Use: ``newsletters = newsletter_choices_field()`` on the form, then call
    ``subscribe(user=user, newsletters=form.cleaned_data["newsletters"],
    source="signup")`` once the user exists.
    """
    kwargs.setdefault(
        "help_text",
        _("تصلك بعد تأكيد بريدك الإلكتروني، ويمكنك إلغاؤها في أي وقت."),
    )
    return NewsletterChoiceField(**kwargs)


class SubscriptionsForm(forms.Form):
    """The reader's lists on /account/newsletters/: checked means subscribed."""

    newsletters = NewsletterChoiceField()
