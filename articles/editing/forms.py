from django import forms
from django.utils.translation import gettext_lazy as _


class EditLockForm(forms.Form):
    """What an open change form sends to the lock endpoints."""

    page = forms.RegexField(
        regex=r"^[0-9a-f]{32}$",
        error_messages={
            "required": _("رقم الصفحة مفقود؛ أعد تحميل صفحة التحرير."),
            "invalid": _("رقم الصفحة غير صالح؛ أعد تحميل صفحة التحرير."),
        },
    )
    # The version the form was opened at (heartbeats only): the answer says
    # whether someone has saved the story since.
    version = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        error_messages={
            "invalid": _("رقم النسخة غير صالح."),
            "min_value": _("رقم النسخة غير صالح."),
            "max_value": _("رقم النسخة غير صالح."),
        },
    )
