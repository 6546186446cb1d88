from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from newsroom.text import strip_control_characters_on_save


class NewslettersConfig(AppConfig):
    name = "accounts.newsletters"
    label = "newsletters"
    verbose_name = _("النشرات البريدية")

    def ready(self):
        from accounts.forms import register_signup_extension

        from .signup import newsletter_signup

        register_signup_extension(newsletter_signup)
        strip_control_characters_on_save(self)
