"""Text as we store and serve it: without control characters.

(Arabic spelling and slugs: articles/text.py.)
"""

import re

from django.db import models
from django.db.models.signals import pre_save

# XML 1.0 cannot carry them: a headline with U+000B made every RSS feed a 500
# and the news sitemap invalid XML. C0 controls other than tab, newline and
# carriage return; also DEL and C1 (U+0080–U+009F), which XML allows but no
# writer means (they come pasted from other programs and old encodings).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_control_characters(text: str) -> str:
    """`text` without control characters; tabs and line breaks stay."""
    return CONTROL_CHARACTERS.sub("", text)


def strip_control_characters_on_save(app_config) -> None:
    """Clean every text field of `app_config`'s models whenever one is saved.

    Called from AppConfig.ready(). A pre_save receiver rather than save()
    overrides: it reaches models we don't write (taggit's) and every way in
    (admin, forms, commands, the shell). queryset.update() and raw SQL still
    bypass it, so whatever writes XML cleans its text too."""
    for model in app_config.get_models():
        pre_save.connect(_clean_text_fields, sender=model)


def _clean_text_fields(sender, instance, **kwargs):
    for field in sender._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(instance, field.attname)
            if isinstance(value, str):
                setattr(instance, field.attname, strip_control_characters(value))
