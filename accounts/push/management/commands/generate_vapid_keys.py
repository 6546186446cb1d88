"""Print a new VAPID key pair for web push, as environment variables.

Run once per site and keep the private key secret (a secrets manager, the
server's environment); changing the pair later ends every browser's
subscription, since each was made for the public key.
"""

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management.base import BaseCommand


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def generate_pair() -> tuple[str, str]:
    """(private, public): the raw P-256 keys, base64url, as browsers and
    pywebpush take them."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(private), b64url(public)


class Command(BaseCommand):
    help = "Print a new VAPID key pair (VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY)."

    def handle(self, *args, **options):
        private, public = generate_pair()
        self.stdout.write(f"VAPID_PRIVATE_KEY={private}\nVAPID_PUBLIC_KEY={public}")
