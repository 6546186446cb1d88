"""A browser's push keys and a local push service that decrypts what we send.

The push service is a real HTTP server on 127.0.0.1 in a thread. For each
message it checks the VAPID Authorization header (the JWT's ES256 signature
against the site's public key, its audience, expiry and subject), decrypts
the body with http_ece (aes128gcm) using the private key and auth secret of
the browser the endpoint belongs to, and answers 201, or whatever status the
test chose for that endpoint (410, 404, 500).
"""

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.urls import reverse

SUBJECT = "mailto:desk@example.com"


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@dataclass
class Browser:
    """What a browser keeps for one push subscription: its P-256 key pair
    and auth secret. `json` is what PushSubscription.toJSON() gives."""

    endpoint: str
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.key.public_key().public_bytes(
                serialization.Encoding.X962,
                serialization.PublicFormat.UncompressedPoint,
            )
        )

    @property
    def json(self) -> dict:
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)},
        }

    def decrypt(self, body: bytes) -> bytes:
        return http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )


def verify_vapid(authorization: str, public_key: str, audience: str) -> dict:
    """The JWT's claims, once its signature and fields check out (RFC 8292)."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid", authorization
    parts = dict(item.strip().split("=", 1) for item in params.split(","))
    assert parts["k"] == public_key
    header, claims, signature = parts["t"].split(".")
    assert json.loads(b64url_decode(header)) == {"typ": "JWT", "alg": "ES256"}
    raw = b64url_decode(signature)
    key = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), b64url_decode(public_key)
    )
    key.verify(
        encode_dss_signature(
            int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
        ),
        f"{header}.{claims}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )
    claims = json.loads(b64url_decode(claims))
    assert claims["aud"] == audience
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    assert claims["sub"] == SUBJECT
    return claims


@dataclass
class Delivery:
    path: str
    headers: dict
    message: dict


class PushService:
    """The local push service; `browser()` makes a browser subscribed to it."""

    def __init__(self, public_key: str):
        self.public_key = public_key
        self.browsers: dict[str, Browser] = {}
        self.statuses: dict[str, int] = {}
        self.delivered: list[Delivery] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def browser(self, name: str | None = None, *, status: int = 201) -> Browser:
        name = name or f"b{len(self.browsers)}"
        browser = Browser(endpoint=f"{self.origin}/push/{name}")
        with self.lock:
            self.browsers[f"/push/{name}"] = browser
            self.statuses[f"/push/{name}"] = status
        return browser

    def messages_for(self, browser: Browser) -> list[dict]:
        path = urlsplit(browser.endpoint).path
        return [d.message for d in self.delivered if d.path == path]

    def _handler(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    status = service.receive(self.path, dict(self.headers), body)
                except Exception as error:  # recorded for the test to see
                    with service.lock:
                        service.errors.append(f"{self.path}: {error!r}")
                    status = 400
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler

    def receive(self, path, headers, body) -> int:
        headers = {name.lower(): value for name, value in headers.items()}
        with self.lock:
            browser = self.browsers[path]
            status = self.statuses[path]
        verify_vapid(headers["authorization"], self.public_key, self.origin)
        assert headers["content-encoding"] == "aes128gcm"
        assert len(body) <= 4096  # what push services accept
        assert int(headers["ttl"]) > 0
        message = json.loads(browser.decrypt(body))
        if status == 201:
            with self.lock:
                self.delivered.append(Delivery(path, headers, message))
        return status

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def post_json(client, name, data, **extra):
    """POST `data` as JSON to the push endpoint `name`, CSRF token and all."""
    token = client.get(reverse("push:token")).json()["csrf_token"]
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(
        reverse(f"push:{name}"),
        body,
        content_type="application/json",
        headers={"X-CSRFToken": token},
        **extra,
    )
