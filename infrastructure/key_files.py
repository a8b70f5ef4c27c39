"""Keys kept in the data folder and keys given as text: how each is made, replaced and decoded.

The access code key, the personal data master key and the signing key all live either in a
setting (text) or in a file of raw bytes, mode 0600, made on first use.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path


def decode_base64(text: str) -> bytes:
    """The bytes of base64 text, standard or URL-safe, padded or not, white space ignored;
    empty when the text is not base64 (the caller says what it expected)."""
    cleaned = "".join(text.split()).replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (ValueError, binascii.Error):
        return b""


def decode_base64_key(
    text: str, size: int, refuse: type[ValueError], *, setting: str, hint: str = ""
) -> bytes:
    """A key given in `setting` as base64 of exactly `size` bytes; `refuse` saying so if not."""
    key = decode_base64(text)
    if len(key) != size:
        raise refuse(f"{setting} must be base64 of exactly {size} bytes{hint}")
    return key


def read_or_create_key_file(
    path: Path, size: int, refuse: type[ValueError], *, at_least: bool = False
) -> bytes:
    """The key in a file, first made of `size` random bytes (mode 0600) if absent; `refuse`
    when the file holds other than `size` bytes (fewer, when `at_least`).

    Several processes may start at once: the key is written to a private temporary file and
    then linked into place, which fails if another process got there first, so every process
    ends up reading the same complete key.
    """
    if not path.exists():
        temporary = _private_copy(path, secrets.token_bytes(size))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process created it first; use theirs
        finally:
            temporary.unlink(missing_ok=True)
    key = path.read_bytes()
    if at_least and len(key) < size:
        raise refuse(f"{path} holds fewer than {size} bytes")
    if not at_least and len(key) != size:
        raise refuse(f"{path} must hold exactly {size} bytes")
    return key


def replace_key_file(path: Path, key: bytes) -> None:
    """Write `key` to `path` (mode 0600) so that a crash leaves the old file or the new one."""
    temporary = _private_copy(path, key)
    try:
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _private_copy(path: Path, key: bytes) -> Path:
    """A new file beside `path`, readable by its owner only, holding `key` on disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(key)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary
