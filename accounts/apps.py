from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from newsroom.text import strip_control_characters_on_save


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("الحسابات")

    def ready(self):
        strip_control_characters_on_save(self)
