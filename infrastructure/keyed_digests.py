"""Keyed digests (HMAC-SHA-256) of values the service must recognise but not keep: a
client's network, a complainant's phone number.

Each kind has its own key, derived from the server key (the access-code key) under its own
label, so every process sharing that key computes the same digests, a digest of one kind
says nothing about another, and without the server key no digest can be tried against a
list of guesses.
"""

from __future__ import annotations

import hashlib
import hmac

_PHONE_LABEL = b"oversight phone digest v1"
DIGEST_HEX_CHARS = 32  # 128 bits: no two values share a digest in practice


def derived_key(server_key: bytes, label: bytes) -> bytes:
    """The key of one kind of digest, derived from the server key."""
    return hmac.new(server_key, label, hashlib.sha256).digest()


def keyed_digest(key: bytes, value: str) -> str:
    """The value's digest under a derived key, as hexadecimal text."""
    data = value.encode("utf-8", "backslashreplace")
    return hmac.new(key, data, hashlib.sha256).hexdigest()[:DIGEST_HEX_CHARS]


class PhoneDigests:
    """Digests of phone numbers' digits: the same line gives the same digest, so a caller's
    earlier cases are found without the read side holding their number."""

    def __init__(self, server_key: bytes) -> None:
        self._key = derived_key(server_key, _PHONE_LABEL)

    def __call__(self, digits: str) -> str:
        return keyed_digest(self._key, digits)
