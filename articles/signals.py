"""Invalidate cached pages whenever reader-visible content changes.

A signal is the one place that catches every path (admin forms, bulk actions
that save, seed_demo, shell), which a cache must not miss. Each handler names
the surrogate keys of the pages the change shows on (articles.cache).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from .cache import (
    BREAKING,
    CORRECTIONS,
    FRONT,
    LATEST,
    SECTIONS,
    article_keys,
    invalidate,
    key,
    site_page_key,
)
from .models import (
    Article,
    ArticleAuthor,
    Author,
    Correction,
    FrontPagePin,
    LiveUpdate,
    RelatedArticle,
    Section,
    SitePage,
    Tag,
)


@receiver(pre_save, sender=Article)
def remember_breaking(sender, instance, update_fields=None, **kwargs):
    # Unmarking a story takes it off the breaking strip: post_save sees only
    # the new state, so note the stored one (one small query per save).
    if instance._state.adding:
        instance._was_breaking = False
    elif update_fields is not None and "is_breaking" not in update_fields:
        instance._was_breaking = instance.is_breaking
    else:
        stored = Article.objects.filter(pk=instance.pk, is_breaking=True)
        instance._was_breaking = stored.exists()


@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
def article_changed(sender, instance, **kwargs):
    # Publishing puts the story on its tags' and authors' lists too.
    tag_ids = instance.tags.through.objects.filter(content_object_id=instance.pk)
    author_ids = ArticleAuthor.objects.filter(article_id=instance.pk)
    keys = article_keys(
        instance,
        tag_ids=tag_ids.values_list("tag_id", flat=True),
        author_ids=author_ids.values_list("author_id", flat=True),
    )
    # The corrections page names the story and shows it only while it is
    # public: a new headline or a withdrawal changes it too.
    if Correction.objects.filter(article_id=instance.pk).exists():
        keys.add(CORRECTIONS)
    # The strip every page fetches: its headline, link or place in it moved.
    if instance.is_breaking or getattr(instance, "_was_breaking", False):
        keys.add(BREAKING)
    invalidate(keys)


@receiver(m2m_changed, sender=Article.tags.through)
def tags_changed(sender, instance, action, pk_set, **kwargs):
    if action.startswith("post_") and isinstance(instance, Article):
        invalidate(article_keys(instance, tag_ids=pk_set or ()))


@receiver(post_save, sender=ArticleAuthor)
@receiver(post_delete, sender=ArticleAuthor)
def byline_changed(sender, instance, **kwargs):
    invalidate(
        {f"article-{instance.article_id}", f"list-author-{instance.author_id}", LATEST}
    )


@receiver(post_save, sender=Correction)
@receiver(post_delete, sender=Correction)
def correction_changed(sender, instance, **kwargs):
    # The story shows its notes; the corrections page and feed list them;
    # the story's new updated time is in the sitemaps and feeds (latest).
    invalidate({f"article-{instance.article_id}", CORRECTIONS, LATEST})


@receiver(post_save, sender=LiveUpdate)
@receiver(post_delete, sender=LiveUpdate)
def live_update_changed(sender, instance, **kwargs):
    # The live page and the document its open pages poll, and the story's
    # time (Last-Modified; the sitemaps show it when they next expire: a
    # list key here would re-render the home page at every update). One
    # waiting for an editor changes nothing readers see.
    if instance.status == LiveUpdate.Status.PUBLISHED:
        Article.objects.filter(pk=instance.article_id).update(updated_at=timezone.now())
        invalidate({f"article-{instance.article_id}"})


@receiver(post_save, sender=RelatedArticle)
@receiver(post_delete, sender=RelatedArticle)
def related_changed(sender, instance, **kwargs):
    invalidate({f"article-{instance.from_article_id}"})


@receiver(post_save, sender=FrontPagePin)
@receiver(post_delete, sender=FrontPagePin)
def pin_changed(sender, instance, **kwargs):
    # Pins place stories on the home page alone, section heads included (in
    # its section blocks, not on the section's own page). A pin that starts
    # or ends by the clock purges nothing: the home page expires then
    # (`changes_at`, articles.cache.public_page).
    invalidate({FRONT})


@receiver(post_save, sender=Section)
@receiver(post_delete, sender=Section)
def section_changed(sender, instance, **kwargs):
    # Every page's menu names every section; the home page's blocks and the
    # feeds name them too.
    invalidate({key(instance), SECTIONS, LATEST})


@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Tag)
@receiver(post_save, sender=Author)
@receiver(post_delete, sender=Author)
def label_changed(sender, instance, **kwargs):
    invalidate({key(instance), LATEST})


@receiver(post_save, sender=SitePage)
@receiver(post_delete, sender=SitePage)
def site_page_changed(sender, instance, **kwargs):
    # Only the page itself shows its text: the footer's links name the pages
    # in words of the interface, not their titles.
    invalidate({site_page_key(instance.slug)})
