"""Work in the background worker (django.tasks), never in a request.

Images: an upload is checked cheaply in the request (articles/images.py
validate_image_upload) and its original stored privately; decoding it and
encoding the renditions happen here, within the pixel budget and the time
limit (IMAGE_RENDER_SECONDS). Until then the picture shows nowhere public.

Views: the counts the beacon keeps in the cache are written to the database
a few minutes after reading begins, by a task the beacon queues (at most one
waiting at a time), so "most read" stays fresh with no cron.
"""

from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from .images import make_photo_renditions, make_renditions
from .models import Author, Picture
from .popularity import flush_view_counts

FLUSH_VIEWS_AFTER = timedelta(minutes=3)
_FLUSH_QUEUED = "views:flush-queued"


@task
def render_picture(picture_id: int) -> str:
    """Make a library picture's renditions; its error code if none could be."""
    picture = Picture.objects.filter(pk=picture_id).first()
    if picture is None:
        return "missing"
    make_renditions(picture)
    return picture.rendition_error


@task
def render_author_photo(author_id: int) -> str:
    """Make an author's portrait renditions; its error code if none could be."""
    author = Author.objects.filter(pk=author_id).first()
    if author is None or not author.photo:
        return "missing"
    make_photo_renditions(author)
    return author.photo_rendition_error


def render_picture_later(picture):
    """Queue `picture`'s renditions for when the current transaction commits
    (the worker must find the row and its file)."""
    transaction.on_commit(lambda: render_picture.enqueue(picture.pk))


def render_author_photo_later(author):
    """Queue `author`'s portrait renditions for after the commit."""
    transaction.on_commit(lambda: render_author_photo.enqueue(author.pk))


@task
def flush_views() -> int:
    """Write the cached view counts to the database."""
    return flush_view_counts()


def flush_views_soon() -> None:
    """Queue a flush for FLUSH_VIEWS_AFTER from now, unless one is waiting.
    Only with a backend that can wait (db_worker); otherwise pages flush
    every few hundred views and `flush_view_counts` is there to run."""
    if not flush_views.get_backend().supports_defer:
        return
    if cache.add(_FLUSH_QUEUED, 1, timeout=int(FLUSH_VIEWS_AFTER.total_seconds())):
        flush_views.using(run_after=timezone.now() + FLUSH_VIEWS_AFTER).enqueue()
