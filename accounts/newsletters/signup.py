"""Newsletter choices on the sign-up form (an accounts SignupExtension)."""

from collections.abc import Mapping
from typing import Any

from .forms import newsletter_choices_field
from .models import Subscription
from .services import subscribe


class NewsletterSignup:
    """Adds the "which newsletters?" boxes; subscribes once the account exists.

    The subscriptions wait for the reader to verify their address (double
    opt-in); accounts.services.mark_email_verified confirms them.
    """

    def contribute_to_form(self, form) -> None:
        field = newsletter_choices_field()
        if field.queryset.exists():  # no empty "newsletters" box without lists
            form.fields["newsletters"] = field

    def apply(self, *, user, cleaned_data: Mapping[str, Any]) -> None:
        chosen = cleaned_data.get("newsletters") or []
        if chosen:
            subscribe(user=user, newsletters=chosen, source=Subscription.Source.SIGNUP)


newsletter_signup = NewsletterSignup()
