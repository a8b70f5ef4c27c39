"""Random tokens and access codes, and their one-way digests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# No 0/O, 1/I/L: the code is read out over the phone and typed by citizens.
ACCESS_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ACCESS_CODE_LENGTH = 10  # 10 × log2(31) ≈ 49.5 random bits
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


def normalise_access_code(code: str) -> str:
    """Citizens may type lower case, spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


class RandomSecrets:
    """Secrets from the operating system's random source; codes hashed with scrypt."""

    def new_access_code(self) -> str:
        code = "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))
        return f"{code[:5]}-{code[5:]}"

    def new_token(self) -> str:
        return secrets.token_urlsafe(32)

    def hash_access_code(self, code: str) -> str:
        salt = secrets.token_bytes(16)
        digest = self._scrypt(code, salt)
        return "$".join(
            ["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest)]
        )

    def access_code_matches(self, code: str, hashed: str) -> bool:
        try:
            scheme, _n, _r, _p, salt, digest = hashed.split("$")
        except ValueError:
            return False
        if scheme != "scrypt":
            return False
        return hmac.compare_digest(self._scrypt(code, _unb64(salt)), _unb64(digest))

    def token_digest(self, token: str) -> str:
        # Tokens carry 256 random bits, so a fast digest is enough to make a leak useless.
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def _scrypt(code: str, salt: bytes) -> bytes:
        return hashlib.scrypt(
            normalise_access_code(code).encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P
        )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
