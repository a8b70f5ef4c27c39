"""Password hashes (Argon2id, argon2-cffi), TOTP codes (RFC 6238, pyotp) and one-time
passwords: maintained libraries, never hand-rolled cryptography."""

from __future__ import annotations

import secrets
from datetime import datetime

import argon2
import pyotp
from argon2.exceptions import InvalidHashError, VerificationError

# A TOTP code is accepted one 30-second step either side of now: clocks of phones drift.
TOTP_VALID_STEPS = 1
TOTP_SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends
ONE_TIME_PASSWORD_BYTES = 12  # 16 characters of URL-safe base64


class Argon2Passwords:
    """Argon2id hashes with argon2-cffi's default parameters (RFC 9106's second choice)."""

    def __init__(self, hasher: argon2.PasswordHasher | None = None) -> None:
        self._hasher = hasher or argon2.PasswordHasher()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True


class TotpCodes:
    """Six-digit codes every 30 seconds from a base32 secret (any authenticator app)."""

    def new_secret(self) -> str:
        return pyotp.random_base32(length=TOTP_SECRET_BYTES * 8 // 5)

    def verify(self, secret: str, code: str, at: datetime) -> int | None:
        totp = pyotp.TOTP(secret)
        code = code.strip()
        if not (code.isascii() and code.isdigit() and len(code) == totp.digits):
            return None
        now_step = totp.timecode(at)
        for step in range(now_step - TOTP_VALID_STEPS, now_step + TOTP_VALID_STEPS + 1):
            if secrets.compare_digest(totp.generate_otp(step), code):
                return step
        return None

    def provisioning_uri(self, secret: str, *, account: str, issuer: str) -> str:
        return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def new_one_time_password() -> str:
    """A random password an administrator hands over once (16 characters)."""
    return secrets.token_urlsafe(ONE_TIME_PASSWORD_BYTES)
