"""The three keys of the service (access codes, personal data, signing) are kept and given alike."""

from __future__ import annotations

import base64
import stat
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from infrastructure.key_files import decode_base64, read_or_create_key_file, replace_key_file
from infrastructure.personal_data_keys import (
    MasterKeyError,
    decode_master_key,
    read_or_create_master_key,
)
from infrastructure.secrets import (
    AccessCodeKeyError,
    decode_access_code_key,
    read_or_create_access_code_key,
)
from infrastructure.signing import SigningKeyError, decode_signing_key, read_or_create_signing_key

KEY = bytes(range(200, 232))

DATA_FOLDER_KEYS = [
    pytest.param(read_or_create_access_code_key, "access-code.key", id="access code key"),
    pytest.param(read_or_create_master_key, "master.key", id="master key"),
    pytest.param(read_or_create_signing_key, "signing.key", id="signing key"),
]
DECODERS = [
    pytest.param(decode_access_code_key, AccessCodeKeyError, id="access code key"),
    pytest.param(decode_master_key, MasterKeyError, id="master key"),
    pytest.param(decode_signing_key, SigningKeyError, id="signing key"),
]


@pytest.mark.parametrize(("read_or_create", "name"), DATA_FOLDER_KEYS)
def test_a_key_in_the_data_folder_is_made_once_readable_by_its_owner_only(
    tmp_path: Path, read_or_create: Callable[[Path], bytes], name: str
) -> None:
    data_dir = tmp_path / "data"

    first = read_or_create(data_dir)

    assert read_or_create(data_dir) == first
    assert len(first) == 32
    assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600
    assert [path.name for path in data_dir.iterdir()] == [name]


@pytest.mark.parametrize(("read_or_create", "name"), DATA_FOLDER_KEYS)
def test_a_key_file_cut_short_is_refused_not_used(
    tmp_path: Path, read_or_create: Callable[[Path], bytes], name: str
) -> None:
    (tmp_path / name).write_bytes(bytes(16))

    with pytest.raises(ValueError, match=name):
        read_or_create(tmp_path)


def test_processes_starting_at_once_all_read_the_one_key_made(tmp_path: Path) -> None:
    path = tmp_path / "data" / "some.key"

    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = list(pool.map(lambda _: read_or_create_key_file(path, 32, ValueError), range(32)))

    assert len(set(keys)) == 1
    assert [p.name for p in path.parent.iterdir()] == ["some.key"]


def test_a_replaced_key_file_holds_the_new_key_and_nothing_is_left_beside_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "master.key"
    read_or_create_key_file(path, 32, ValueError)

    replace_key_file(path, KEY)

    assert path.read_bytes() == KEY
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["master.key"]


@pytest.mark.parametrize(
    "text",
    [
        base64.b64encode(KEY).decode(),
        base64.urlsafe_b64encode(KEY).decode().rstrip("="),
        # As pasted from a terminal or a secret store that wraps lines.
        f"  {base64.b64encode(KEY).decode()[:20]}\n{base64.b64encode(KEY).decode()[20:]}\n",
    ],
    ids=["standard", "url-safe unpadded", "wrapped"],
)
@pytest.mark.parametrize(("decode", "error"), DECODERS)
def test_a_key_given_as_text_is_read_the_same_way_for_every_key(
    text: str, decode: Callable[[str], bytes], error: type[ValueError]
) -> None:
    assert decode(text) == KEY


@pytest.mark.parametrize(
    "text",
    ["", "not base64!", base64.b64encode(bytes(31)).decode(), "AAAA\x00AAAA", "é" * 44],
    ids=["empty", "not base64", "too short", "NUL", "not ASCII"],
)
@pytest.mark.parametrize(("decode", "error"), DECODERS)
def test_a_key_given_as_text_that_is_not_one_is_refused_naming_its_setting(
    text: str, decode: Callable[[str], bytes], error: type[ValueError]
) -> None:
    with pytest.raises(error, match="OVERSIGHT_"):
        decode(text)


def test_text_that_is_not_base64_decodes_to_nothing() -> None:
    assert decode_base64("*" * 44) == b""
    assert decode_base64("AAA=A") == b""
