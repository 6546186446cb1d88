"""Several editors on one story without lost work (issue 15).

Two guards, each useful alone:

- the version check (conflicts.py): every save moves Article.version on; a
  change form carries the version it was opened at, and a save from an older
  one is refused with who saved since, when, and what changed, the editor's
  own text kept in the form;
- the soft lock (locks.py): while a change form is open, other editors see
  who has it, on the form and in the change list. It only warns; the version
  check is what protects the text.
"""

from django.utils import timezone
from django.utils.formats import date_format


def clock(moment):
    """A time as editors say it: "14:05" today, "3 مايو 14:05" on other days."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return date_format(local, "H:i")
    return date_format(local, "j F H:i")
