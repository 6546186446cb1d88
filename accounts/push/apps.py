from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from newsroom.text import strip_control_characters_on_save


class PushConfig(AppConfig):
    name = "accounts.push"
    label = "push"
    verbose_name = _("التنبيهات الفورية")

    def ready(self):
        from accounts.export import register_export_part

        from . import checks  # noqa: F401 (registers them)
        from .export import EXPORT_PARTS

        for part in EXPORT_PARTS:
            register_export_part(part)
        strip_control_characters_on_save(self)
