"""Values a browser keeps for the service and hands back unchanged: signed with a server key.

The pages keep two such values in cookies: the per-visitor form token (CSRF, double submit)
and a flash message waiting for the next page. A signature tells the service that it made the
value itself: a cookie planted by another site or a sibling domain does not verify.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

_KEY_LABEL = b"oversight cookie signing v1"
_NONCE_BYTES = 24


class CookieSigner:
    """Signs text for a cookie and tells a value it signed from any other.

    The key is derived from a server key (the access-code key), so every process that shares
    that key verifies the others' values.
    """

    def __init__(self, server_key: bytes) -> None:
        self._key = hmac.new(server_key, _KEY_LABEL, hashlib.sha256).digest()

    def sign(self, text: str) -> str:
        """`<text as unpadded URL-safe base64>.<signature>`: safe in a cookie and a form."""
        payload = _encode(text.encode("utf-8"))
        return f"{payload}.{self._signature(payload)}"

    def unsign(self, signed: str) -> str | None:
        """The text a value signed here holds; None for anything else."""
        payload, dot, signature = signed.rpartition(".")
        expected = self._signature(payload).encode("ascii")
        # Bytes: a cookie may hold any character, and compare_digest takes only ASCII text.
        if not dot or not hmac.compare_digest(signature.encode("utf-8", "replace"), expected):
            return None
        try:
            return _decode(payload).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None

    def new_token(self) -> str:
        """A fresh random value, signed: a visitor's form token."""
        return self.sign(secrets.token_urlsafe(_NONCE_BYTES))

    def _signature(self, payload: str) -> str:
        return _encode(hmac.new(self._key, payload.encode("ascii", "replace"), "sha256").digest())


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
