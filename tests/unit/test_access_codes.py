"""Access codes: readable over the phone, hashed with a server key and a salt of their own."""

from __future__ import annotations

import base64
import re
import stat
from pathlib import Path

import pytest

from infrastructure.secrets import (
    ACCESS_CODE_ALPHABET,
    AccessCodeKeyError,
    RandomSecrets,
    decode_access_code_key,
    normalise_access_code,
    read_or_create_access_code_key,
)
from infrastructure.settings import Settings

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


@pytest.fixture
def secrets() -> RandomSecrets:
    return RandomSecrets(KEY)


def test_an_access_code_is_two_groups_of_five_from_an_alphabet_without_look_alikes(
    secrets: RandomSecrets,
) -> None:
    codes = {secrets.new_access_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", code)
        assert set(code.replace("-", "")) <= set(ACCESS_CODE_ALPHABET)
    assert not set("0O1IL") & set(ACCESS_CODE_ALPHABET)
    assert len(ACCESS_CODE_ALPHABET) == 31


def test_the_code_typed_in_lower_case_or_with_spaces_still_matches(
    secrets: RandomSecrets,
) -> None:
    code = secrets.new_access_code()
    hashed = secrets.hash_access_code(code)
    bare = code.replace("-", "")
    for typed in (code, code.lower(), f" {bare[:5]} {bare[5:]} ", bare, f"{code.lower()}"):
        assert secrets.access_code_matches(typed, hashed), typed
    assert normalise_access_code("ab-c d") == "ABCD"


def test_another_code_does_not_match(secrets: RandomSecrets) -> None:
    hashed = secrets.hash_access_code("K7M2P-9QXRT")
    assert not secrets.access_code_matches("K7M2P-9QXRU", hashed)
    assert not secrets.access_code_matches("", hashed)


def test_a_hash_is_the_hmac_scheme_with_a_fresh_salt_each_time(secrets: RandomSecrets) -> None:
    first = secrets.hash_access_code("K7M2P-9QXRT")
    second = secrets.hash_access_code("K7M2P-9QXRT")
    assert first != second
    scheme, salt, digest = first.split("$")
    assert scheme == "hmac-sha256"
    assert len(base64.urlsafe_b64decode(salt + "==")) == 16
    assert len(base64.urlsafe_b64decode(digest + "=")) == 32


def test_a_different_key_does_not_verify(secrets: RandomSecrets) -> None:
    hashed = secrets.hash_access_code("K7M2P-9QXRT")
    assert not RandomSecrets(OTHER_KEY).access_code_matches("K7M2P-9QXRT", hashed)


def test_a_different_salt_does_not_verify(secrets: RandomSecrets) -> None:
    scheme, _salt, digest = secrets.hash_access_code("K7M2P-9QXRT").split("$")
    other_salt = base64.urlsafe_b64encode(b"\x00" * 16).decode().rstrip("=")
    assert not secrets.access_code_matches("K7M2P-9QXRT", f"{scheme}${other_salt}${digest}")


def test_the_hash_contains_neither_the_code_nor_the_key(secrets: RandomSecrets) -> None:
    code = "K7M2P-9QXRT"
    hashed = secrets.hash_access_code(code)
    for text in (code, normalise_access_code(code), code.lower()):
        assert text not in hashed
    for encoded in (
        KEY.hex(),
        base64.b64encode(KEY).decode().rstrip("="),
        base64.urlsafe_b64encode(KEY).decode().rstrip("="),
    ):
        assert encoded not in hashed
    assert KEY.decode("latin-1") not in hashed


@pytest.mark.parametrize(
    "hashed",
    ["", "garbage", "scrypt$16384$8$1$c2FsdA$ZGlnZXN0", "hmac-sha256$$", "hmac-sha256$%%$%%"],
)
def test_a_malformed_or_foreign_hash_never_matches(secrets: RandomSecrets, hashed: str) -> None:
    assert not secrets.access_code_matches("K7M2P-9QXRT", hashed)


def test_a_key_shorter_than_32_bytes_is_refused() -> None:
    with pytest.raises(AccessCodeKeyError):
        RandomSecrets(b"x" * 31)


def test_a_configured_key_may_be_hex_or_base64() -> None:
    assert decode_access_code_key(KEY.hex()) == KEY
    assert decode_access_code_key(base64.b64encode(KEY).decode()) == KEY
    assert decode_access_code_key(base64.urlsafe_b64encode(KEY).decode().rstrip("=")) == KEY
    for short in ("abcd", base64.b64encode(b"x" * 31).decode(), "not a key at all!"):
        with pytest.raises(AccessCodeKeyError):
            decode_access_code_key(short)


def test_settings_refuse_a_key_that_does_not_decode() -> None:
    assert Settings(access_code_key=KEY.hex()).access_code_key is not None
    with pytest.raises(ValueError, match="access_code_key"):
        Settings(access_code_key="too-short")


def test_without_a_configured_key_one_is_made_once_in_the_data_folder(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    key = read_or_create_access_code_key(data_dir)
    path = data_dir / "access-code.key"
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_or_create_access_code_key(data_dir) == key
    assert sorted(p.name for p in data_dir.iterdir()) == ["access-code.key"]


def test_a_truncated_key_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "access-code.key").write_bytes(b"short")
    with pytest.raises(AccessCodeKeyError):
        read_or_create_access_code_key(tmp_path)
