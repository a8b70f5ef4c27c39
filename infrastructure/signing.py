"""The service's Ed25519 signing key: it signs ledger checkpoints and seals ledger rows.

The key is the 32-byte private seed, configured as OVERSIGHT_SIGNING_KEY (base64) or kept in
`<data_dir>/signing.key` (mode 0600, made on first use). Its public half is what anyone
outside the system needs to check an exported checkpoint.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from infrastructure.key_files import decode_base64_key, read_or_create_key_file

SEED_BYTES = 32
KEY_FILE_NAME = "signing.key"
# Ledger rows are sealed with a key derived from the seed, never with the seed itself.
SEAL_KEY_CONTEXT = b"oversight ledger seal v1"


class SigningKeyError(ValueError):
    """The signing key is missing, malformed or of the wrong length."""


def decode_signing_key(text: str) -> bytes:
    """A configured seed: base64 (standard or URL-safe, padded or not) of exactly 32 bytes."""
    return decode_base64_key(
        text,
        SEED_BYTES,
        SigningKeyError,
        setting="OVERSIGHT_SIGNING_KEY",
        hint=" (the Ed25519 private seed)",
    )


def read_or_create_signing_key(data_dir: Path) -> bytes:
    """The seed kept in `<data_dir>/signing.key`, made (32 random bytes, mode 0600) if absent."""
    return read_or_create_key_file(data_dir / KEY_FILE_NAME, SEED_BYTES, SigningKeyError)


def key_id_of(public_raw: bytes) -> str:
    """A short name of a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


class PublicKey:
    """An Ed25519 public key: checks signatures, names itself, prints itself."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self._key = Ed25519PublicKey.from_public_bytes(raw)
        self.key_id = key_id_of(raw)

    @classmethod
    def from_base64(cls, text: str) -> PublicKey:
        try:
            raw = base64.b64decode(text, validate=True)
            return cls(raw)
        except (ValueError, binascii.Error) as error:
            raise SigningKeyError("not a base64 Ed25519 public key of 32 bytes") from error

    @property
    def base64(self) -> str:
        return base64.b64encode(self.raw).decode()

    @property
    def pem(self) -> str:
        return self._key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def verifies(self, signature: bytes, message: bytes) -> bool:
        """Whether `signature` is this key's signature of `message`."""
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


class SigningKey:
    """The private key: signs checkpoints and derives the key that seals ledger rows."""

    def __init__(self, seed: bytes) -> None:
        if len(seed) != SEED_BYTES:
            raise SigningKeyError(f"an Ed25519 seed has {SEED_BYTES} bytes")
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public = PublicKey(
            self._key.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
        )
        self.seal_key = hmac.new(seed, SEAL_KEY_CONTEXT, hashlib.sha256).digest()

    @classmethod
    def generate(cls) -> SigningKey:
        """A fresh random key (tests, and an attacker's key in tests)."""
        return cls(secrets.token_bytes(SEED_BYTES))

    @property
    def key_id(self) -> str:
        return self.public.key_id

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)
