"""Saving over someone else's work: notice it, say who and when, show what
changed since the editor opened the story.

The version an editor opened is found in the story's history (simple_history
records Article.version with every save), so the comparison is between what
they saw and what is there now, not between their form and the story. The
history has no bylines, tags or related stories: the form carries those as it
opened them (a signed snapshot, see opened_relations).
"""

import difflib
import html
import re
from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.db import models, transaction
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from ..history import display_value
from ..models import Article
from . import clock

# Where one paragraph of the rich-text body ends and the next begins.
BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote)\s*>|<br\s*/?>", re.IGNORECASE)
# Rich text compared paragraph by paragraph; other fields as whole values.
RICH_TEXT_FIELDS = {"body"}


@dataclass(frozen=True)
class FieldChange:
    """One field that differs between the opened version and the current one."""

    label: str
    before: str = ""
    after: str = ""
    # For rich text: ("removed" | "added", paragraph) in reading order, or
    # one ("format", note) when only the markup changed.
    paragraphs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class EditConflict:
    """A save from an older version than the story's current one."""

    opened_version: int
    current_version: int
    saved_by: tuple[str, ...]
    saved_at: datetime
    changes: tuple[FieldChange, ...]
    # False when the opened version is no longer in the history.
    compared: bool

    @property
    def message(self) -> str:
        return _(
            "لم تُحفظ تعديلاتك: عدّل %(names)s هذه القصة في %(time)s بعد أن "
            "فتحتَها. ما كتبتَه باقٍ في النموذج أدناه؛ راجع ما تغيّر قبل أن تحفظ."
        ) % {"names": quote_names(self.saved_by), "time": clock(self.saved_at)}


def quote_names(names) -> str:
    """«أ»، «ب»: people named in a sentence."""
    return "، ".join(f"«{name}»" for name in names)


def find_conflict(
    article_pk: int,
    opened_version: int,
    *,
    overwrite_version: int | None = None,
    opened_relations: str = "",
) -> EditConflict | None:
    """The conflict a save from `opened_version` would cause, or None.

    `overwrite_version` is the version whose differences the editor has seen
    and chosen to save over; a newer save since then is a new conflict.
    `opened_relations` is the form's snapshot of the story's bylines, tags
    and related stories when it was opened.
    Inside a transaction (the admin's change view) the row stays locked
    until it commits, so no other save lands between this check and the
    write. SQLite has no row locks; its single writer leaves only the window
    between this read and the save's write.
    """
    rows = Article.objects.filter(pk=article_pk)
    if transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update()
    current = rows.first()
    if current is None or current.version in (opened_version, overwrite_version):
        return None
    return describe(current, opened_version, read_relations(opened_relations))


def describe(
    current: Article, opened_version: int, opened_relations: dict | None = None
) -> EditConflict:
    """Who saved `current` since `opened_version`, when, and what changed."""
    history = current.history.order_by("-history_date", "-history_id")
    saved_by, saved_at = saves_since(current, opened_version)
    opened = history.filter(version=opened_version).first()
    changes = list(compare(opened, current)) if opened else []
    if opened_relations is not None:
        changes += compare_relations(opened_relations, relations(current))
    return EditConflict(
        opened_version=opened_version,
        current_version=current.version,
        saved_by=saved_by,
        saved_at=saved_at,
        changes=tuple(changes),
        compared=opened is not None,
    )


# The story's many-to-many fields, as an editor reads them.
RELATIONS = {
    "authors": Article._meta.get_field("authors").verbose_name,
    "tags": Article._meta.get_field("tags").verbose_name,
    "related": Article._meta.get_field("related").verbose_name,
}
RELATIONS_SALT = "articles.editing.opened-relations"


def relations(article: Article) -> dict[str, list[str]]:
    """Bylines in their order, tags, and related headlines in their order."""
    return {
        "authors": [
            a.name
            for a in article.authors.order_by(
                "articleauthor__position", "articleauthor__id"
            )
        ],
        "tags": sorted(article.tags.names()),
        "related": [
            link.to_article.headline
            for link in article.related_links.select_related("to_article")
        ],
    }


def opened_relations(article: Article) -> str:
    """The snapshot an article form carries from when it was opened."""
    return signing.dumps(relations(article), salt=RELATIONS_SALT, compress=True)


def read_relations(value: str) -> dict | None:
    """The snapshot back, or None when missing or not ours."""
    if not value:
        return None
    try:
        snapshot = signing.loads(value, salt=RELATIONS_SALT)
    except signing.BadSignature:
        return None
    return snapshot if isinstance(snapshot, dict) else None


def compare_relations(before: dict, after: dict):
    for name, label in RELATIONS.items():
        old, new = before.get(name, []), after[name]
        if old != new:
            yield FieldChange(str(label), "، ".join(old) or "—", "، ".join(new) or "—")


def saves_since(current: Article, opened_version: int):
    """Names of who saved after `opened_version` (latest first) and when the
    latest save was."""
    later = list(
        current.history.filter(version__gt=opened_version)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:20]
    )
    names = []
    for record in later:
        name = str(record.history_user) if record.history_user else _("محرر آخر")
        if name not in names:
            names.append(name)
    saved_at = later[0].history_date if later else current.updated_at
    return tuple(names) or (_("محرر آخر"),), saved_at


def compared_fields():
    """The article's fields an editor sets in the form."""
    return [
        field
        for field in Article._meta.concrete_fields
        if field.editable and not field.primary_key
    ]


def compare(before, after):
    """FieldChanges for every compared field that differs."""
    for field in compared_fields():
        old, new = _value(before, field), _value(after, field)
        if old == new:
            continue
        label = str(field.verbose_name)
        if field.name in RICH_TEXT_FIELDS:
            yield FieldChange(label, paragraphs=paragraph_diff(old, new))
        else:
            yield FieldChange(label, _shown(field, old), _shown(field, new))


def paragraphs(markup: str) -> list[str]:
    """The plain text of rich-text markup, one string per paragraph."""
    text = html.unescape(strip_tags(BLOCK_END.sub("\n", markup or "")))
    return [line.strip() for line in text.splitlines() if line.strip()]


def paragraph_diff(before: str, after: str) -> tuple[tuple[str, str], ...]:
    """Removed and added paragraphs, in reading order; unchanged ones left out.

    Markup-only changes (a word made bold) leave the text equal: said so."""
    old, new = paragraphs(before), paragraphs(after)
    rows = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            rows += [("removed", text) for text in old[i1:i2]]
            rows += [("added", text) for text in new[j1:j2]]
    return tuple(rows) or (("format", _("تغيّر التنسيق وحده، لا النص.")),)


def _value(obj, field):
    value = getattr(obj, field.attname)
    if isinstance(field, models.FileField):
        # A FieldFile on the article, a plain path in the history.
        return getattr(value, "name", value) or ""
    return value


def _shown(field, value) -> str:
    """As the history page shows it (labels, local dates, نعم/لا, "—")."""
    if field.is_relation and value is not None:
        related = field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    return str(display_value(field, value))
