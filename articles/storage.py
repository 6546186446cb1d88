"""Where uploaded originals live: on disk outside MEDIA_ROOT, with no URL.

An original keeps everything the camera wrote (GPS position, serial number,
owner), so readers only ever get the renditions articles/images.py makes
from it; editors see it through a staff-only admin view.
"""

import os

from django.conf import settings
from django.core import checks
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, cached_property, empty

ORIGINALS = "originals"


class PrivateStorage(FileSystemStorage):
    """FileSystemStorage rooted at PRIVATE_MEDIA_ROOT whose files have no URL
    (Django's would give them one under MEDIA_URL)."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        # ValueError is what Django raises for a file without a URL.
        raise ValueError("An original upload is private: it has no URL.")


class _Originals(LazyObject):
    """storages["originals"], looked up on first use, as Django's
    default_storage is: a file field calls its storage callable once, when
    models load, and keeps what it gets."""

    def _setup(self):
        self._wrapped = storages[ORIGINALS]


_originals = _Originals()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    # Django resets default_storage when STORAGES changes (tests do change
    # it); the originals follow.
    if setting == "STORAGES":
        _originals._wrapped = empty


def originals_storage():
    """The originals' storage (the image fields' callable `storage`)."""
    return _originals


def originals_outside_media_root(app_configs, **kwargs):
    """Originals under MEDIA_ROOT would be served to anyone who guesses a name."""
    storage = originals_storage()
    if not isinstance(storage, FileSystemStorage):
        return []
    private = os.path.realpath(storage.location)
    public = os.path.realpath(settings.MEDIA_ROOT)
    if os.path.commonpath([private, public]) == public:
        return [
            checks.Warning(
                "PRIVATE_MEDIA_ROOT is inside MEDIA_ROOT: uploaded originals, "
                "with their EXIF data, can be downloaded.",
                hint="Point PRIVATE_MEDIA_ROOT outside MEDIA_ROOT.",
                id="articles.W001",
            )
        ]
    return []
