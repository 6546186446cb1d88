from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Newsletter


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
        # Refuse non-numbers and huge numbers before they reach the database
        # (SQLite overflows on integers past 64 bits).
        for pk in value:
            if not str(pk).isdigit() or len(str(pk)) > 18:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)

    def label_from_instance(self, obj):
        return obj.name


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
