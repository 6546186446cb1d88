"""Image work in the background worker (django.tasks), never in a request.

An upload is checked cheaply in the request (articles/images.py
validate_image_upload) and its original stored privately; decoding it and
encoding the renditions happen here, within the pixel budget and the time
limit (IMAGE_RENDER_SECONDS). Until then the picture shows nowhere public.
"""

from django.db import transaction
from django.tasks import task

from .images import make_photo_renditions, make_renditions
from .models import Author, Picture


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
