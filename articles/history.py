"""An article's revisions as the admin's history page shows them, in Arabic.

django-simple-history lists each revision's changes as "field: old → new"
with the field's verbose name but raw values: stored choice keys ("draft"),
UTC datetimes with microseconds, True/False and None. Editors read labels,
local dates in Arabic, نعم/لا and a dash for "nothing".
"""

import datetime
from dataclasses import replace

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from simple_history.template_utils import HistoricalRecordContextHelper

EMPTY = "—"
# Every save moves them; each row of the history already carries its own date
# (version: the edit-conflict counter, articles/editing).
UNLISTED_FIELDS = {"updated_at", "version"}


def display_value(field, value):
    """`value` of model field `field` as an editor reads it."""
    if value is None or value == "":
        return EMPTY
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("نعم") if value else _("لا")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    if isinstance(field, models.TextField):
        # The body is stored as HTML; its words are what changed.
        return strip_tags(value)
    return value


class ArticleHistoryHelper(HistoricalRecordContextHelper):
    def context_for_delta_changes(self, delta):
        listed = [c for c in delta.changes if c.field not in UNLISTED_FIELDS]
        return super().context_for_delta_changes(replace(delta, changes=listed))

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if isinstance(value, list):  # many-to-many: the related objects
            return "، ".join(map(str, value)) or EMPTY
        return display_value(field, value)
