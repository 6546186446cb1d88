from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from newsroom.text import strip_control_characters_on_save


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("الحسابات")

    def ready(self):
        strip_control_characters_on_save(self)
        from django.contrib.auth.signals import user_logged_in

        from . import export, passkeys

        export.register_export_part(passkeys.EXPORT_PART)
        user_logged_in.connect(passkeys.note_sign_in, dispatch_uid="passkeys")
