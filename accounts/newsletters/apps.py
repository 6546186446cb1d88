from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from newsroom.text import strip_control_characters_on_save


class NewslettersConfig(AppConfig):
    name = "accounts.newsletters"
    label = "newsletters"
    verbose_name = _("النشرات البريدية")

    def ready(self):
        from accounts.export import register_export_part
        from accounts.forms import register_signup_extension

        from . import feedback  # noqa: F401 - connects the providers' reports
        from .export import EXPORT_PARTS
        from .signup import newsletter_signup

        register_signup_extension(newsletter_signup)
        for part in EXPORT_PARTS:
            register_export_part(part)
        strip_control_characters_on_save(self)
