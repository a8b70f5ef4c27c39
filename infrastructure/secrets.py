"""Random tokens and access codes, their one-way digests, and the server key behind the codes."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from pathlib import Path

from infrastructure.key_files import decode_base64, read_or_create_key_file

# No 0/O, 1/I/L: the code is read out over the phone and typed by citizens.
ACCESS_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ACCESS_CODE_LENGTH = 10  # 10 × log2(31) ≈ 49.5 random bits
ACCESS_CODE_SCHEME = "hmac-sha256"
SALT_BYTES = 16
MIN_KEY_BYTES = 32
KEY_FILE_NAME = "access-code.key"
_HEX = re.compile(r"^[0-9A-Fa-f]+$")


class AccessCodeKeyError(ValueError):
    """The server key for access codes is missing, malformed or too short."""


def normalise_access_code(code: str) -> str:
    """Citizens may type lower case, spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


class RandomSecrets:
    """Secrets from the operating system's random source.

    Access codes are hashed with HMAC-SHA256 under a server key (a "pepper") and a random
    salt per code. A code has ≈49.5 random bits, so a slow hash would add little against a
    thief of the read table, while the key (never in the database) makes the stolen hashes
    useless on their own; and the public status route stays cheap (docs/benchmarks.md,
    "public_status").
    """

    def __init__(self, access_code_key: bytes) -> None:
        if len(access_code_key) < MIN_KEY_BYTES:
            raise AccessCodeKeyError(
                f"the access code key must have at least {MIN_KEY_BYTES} bytes"
            )
        self._key = access_code_key

    def new_access_code(self) -> str:
        code = "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))
        return f"{code[:5]}-{code[5:]}"

    def new_token(self) -> str:
        return secrets.token_urlsafe(32)

    def hash_access_code(self, code: str) -> str:
        """`hmac-sha256$<salt>$<digest>`, both unpadded URL-safe base64."""
        salt = secrets.token_bytes(SALT_BYTES)
        return "$".join([ACCESS_CODE_SCHEME, _b64(salt), _b64(self._digest(code, salt))])

    def access_code_matches(self, code: str, hashed: str) -> bool:
        try:
            scheme, salt, digest = hashed.split("$")
            salt_bytes, digest_bytes = _unb64(salt), _unb64(digest)
        except (ValueError, binascii.Error):
            return False
        if scheme != ACCESS_CODE_SCHEME or not salt_bytes:
            return False
        return hmac.compare_digest(self._digest(code, salt_bytes), digest_bytes)

    def token_digest(self, token: str) -> str:
        # Tokens carry 256 random bits, so a fast digest is enough to make a leak useless.
        return hashlib.sha256(token.encode()).hexdigest()

    def _digest(self, code: str, salt: bytes) -> bytes:
        message = salt + normalise_access_code(code).encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()


def decode_access_code_key(text: str) -> bytes:
    """A configured key: hex or base64 (standard or URL-safe) of at least 32 bytes."""
    text = text.strip()
    key = bytes.fromhex(text) if _HEX.match(text) and len(text) % 2 == 0 else b""
    if len(key) < MIN_KEY_BYTES:
        key = decode_base64(text)
    if len(key) < MIN_KEY_BYTES:
        raise AccessCodeKeyError(
            f"OVERSIGHT_ACCESS_CODE_KEY must be hex or base64 of at least {MIN_KEY_BYTES} bytes"
        )
    return key


def read_or_create_access_code_key(data_dir: Path) -> bytes:
    """The key kept in `<data_dir>/access-code.key`, made (32 random bytes, mode 0600) if absent."""
    return read_or_create_key_file(
        data_dir / KEY_FILE_NAME, MIN_KEY_BYTES, AccessCodeKeyError, at_least=True
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
