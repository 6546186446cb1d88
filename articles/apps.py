from django.apps import AppConfig, apps
from django.core import checks
from django.utils.translation import gettext_lazy as _

from newsroom.checks import evicting_cache, shared_cache
from newsroom.text import strip_control_characters_on_save

from .storage import originals_outside_media_root


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("المحتوى التحريري")

    def ready(self):
        from . import signals  # noqa: F401

        strip_control_characters_on_save(self)
        # Tags are articles.Tag, but taggit's own table takes text too.
        strip_control_characters_on_save(apps.get_app_config("taggit"))
        # The project's own checks (newsroom is a package, not an app).
        checks.register(shared_cache, checks.Tags.caches, deploy=True)
        checks.register(evicting_cache, checks.Tags.caches, deploy=True)
        checks.register(originals_outside_media_root, checks.Tags.security)
