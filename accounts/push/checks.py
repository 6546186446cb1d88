"""Configuration mistakes that would make every push fail."""

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core import checks
from py_vapid import Vapid, VapidException
from py_vapid.utils import b64urlencode


@checks.register(checks.Tags.security)
def check_vapid(app_configs, **kwargs):
    private, public = settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY
    if not private and not public:
        return []  # push is off
    if not (private and public):
        return [
            checks.Error(
                "Only one of VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY is set.",
                hint="Set both (manage.py generate_vapid_keys), or neither.",
                id="push.E001",
            )
        ]
    try:
        vapid = Vapid.from_string(private)
        vapid.sign({"aud": "https://push.example", "sub": settings.VAPID_SUBJECT})
    except (VapidException, ValueError) as error:
        return [
            checks.Error(
                f"The VAPID private key or subject is unusable: {error}",
                hint="VAPID_SUBJECT must be a mailto: or https: address.",
                id="push.E002",
            )
        ]
    derived = b64urlencode(
        vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )
    if derived != public.rstrip("="):
        return [
            checks.Error(
                "VAPID_PUBLIC_KEY is not the public half of VAPID_PRIVATE_KEY.",
                hint="Browsers would subscribe with a key no alert is signed with.",
                id="push.E003",
            )
        ]
    return []
