from django import forms
from django.utils.translation import gettext_lazy as _

from articles.models import Section

from .query import MAX_QUERY_LENGTH, SearchTerms, parse_query


class SearchForm(forms.Form):
    """The search page's query and filters; every field is optional.

    Invalid filters are reported and ignored, so a bad date never costs the
    reader their results.
    """

    RELEVANCE, NEWEST = "", "newest"

    q = forms.CharField(label=_("كلمات البحث"), required=False, strip=True)
    section = forms.ModelChoiceField(
        label=_("القسم"),
        queryset=Section.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("كل الأقسام"),
        error_messages={"invalid_choice": _("هذا القسم غير موجود.")},
    )
    date_from = forms.DateField(
        label=_("من تاريخ"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("اكتب التاريخ بالصيغة سنة-شهر-يوم.")},
    )
    date_to = forms.DateField(
        label=_("إلى تاريخ"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("اكتب التاريخ بالصيغة سنة-شهر-يوم.")},
    )

    sort = forms.ChoiceField(
        label=_("الترتيب"),
        choices=[(RELEVANCE, _("الأقرب إلى البحث")), (NEWEST, _("الأحدث أولًا"))],
        required=False,
        error_messages={"invalid_choice": _("لا نعرف هذا الترتيب؛ رتّبنا حسب الأقرب.")},
    )

    def clean_q(self):
        # Cut rather than reject: a pasted paragraph still gets an answer.
        return self.cleaned_data["q"][:MAX_QUERY_LENGTH]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error(
                "date_to", _("تاريخ النهاية يسبق تاريخ البداية؛ صحّح أحدهما.")
            )
        return cleaned

    def terms(self) -> SearchTerms:
        return parse_query(self.cleaned_data.get("q", ""))

    def filter(self, queryset):
        """Apply the filters that are valid; invalid ones were reported."""
        data = self.cleaned_data
        if data.get("section"):
            queryset = queryset.in_section(data["section"])
        if data.get("date_from"):
            queryset = queryset.filter(published_at__date__gte=data["date_from"])
        if data.get("date_to"):
            queryset = queryset.filter(published_at__date__lte=data["date_to"])
        return queryset
