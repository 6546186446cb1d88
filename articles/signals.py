"""Invalidate shared page caches whenever reader-visible content changes.

A signal is the one place that catches every path (admin forms, bulk actions
that save, seed_demo, shell), which a cache version must not miss.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from . import models
from .cache import bump_content_version

CONTENT_MODELS = (
    models.Article,
    models.ArticleAuthor,
    models.Author,
    models.RelatedArticle,
    models.Section,
    models.Tag,
    models.TaggedArticle,
)


@receiver(post_save)
@receiver(post_delete)
def content_changed(sender, **kwargs):
    if sender in CONTENT_MODELS:
        bump_content_version()


@receiver(m2m_changed, sender=models.Article.tags.through)
def tags_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        bump_content_version()
