"""The `oversight` command refuses text the record cannot hold — in its options and in the
YAML files it imports — and files PyYAML refuses, with one line `error: …` on stderr and
exit 2, recording nothing."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from domain.actor import Role
from interfaces.bootstrap import Container
from tests.e2e.conftest import position
from tests.e2e.test_cli import OVERSIGHT, run
from tests.factories import issued_token, registered_case
from tests.support import command_environment
from tests.unit.test_imported_file_edges import CALENDAR, CATALOGUE, DIRECTORY


def _refused(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    for part in expected:
        assert part in lines[0], result.stderr


@pytest.fixture
def token_id(container: Container) -> str:
    return str(issued_token(container.supervision, Role.OPERATOR, name="值班").id)


@pytest.fixture
def case_id(container: Container) -> str:
    return str(registered_case(container.supervision))


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (("token", "create", "--role", "operator", "--name", "值班{}"), "--name"),
        (("token", "create", "--role", "department", "--department", "tax{}"), "--department"),
        (("token", "revoke", "{token}", "--reason", "遗失{}"), "--reason"),
        (("privacy", "erase", "{case}", "--reason", "申请{}"), "--reason"),
        (("privacy", "erase", "{case}", "--reason", "申请", "--by", "inspector{}"), "--by"),
    ],
    ids=["token name", "token department", "revocation reason", "erasure reason", "eraser"],
)
@pytest.mark.parametrize(("character", "described"), [("\x1b", "U+001B"), ("\x07", "U+0007")])
def test_an_option_holding_a_control_character_is_refused_recording_nothing(
    database_url: str,
    container: Container,
    token_id: str,
    case_id: str,
    command: tuple[str, ...],
    option: str,
    character: str,
    described: str,
) -> None:
    args = [
        part.format(character, token=token_id, case=case_id) if "{" in part else part
        for part in command
    ]
    before = position(container)

    result = run(database_url, *args)

    _refused(result, f"{option}: the character {described} at position")
    assert position(container) == before


def test_an_option_that_is_not_utf8_is_refused_as_a_lone_surrogate(
    database_url: str, container: Container
) -> None:
    before = position(container)

    result = subprocess.run(  # noqa: S603 -- our own console script with fixed arguments
        [OVERSIGHT, "token", "create", "--role", "operator", "--name", b"\xe5\x80\xbc\xff"],
        env=command_environment(database_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    _refused(result, "--name: the character U+DCFF at position 2 cannot be recorded")
    assert position(container) == before


@pytest.mark.parametrize(
    ("command", "text", "spoilt", "where"),
    [
        (("directory", "import"), DIRECTORY, ("张伟", '"张\\e伟"'), "staff[0] (id 'S1'): field"),
        (("rules", "load"), CATALOGUE, ("迟到早退", '"迟到\\0"'), "(code 'lateness'): field"),
        (("calendar", "load", "2027"), CALENDAR, ("国务院办公厅通知", '"通知\\x1f"'), "`source`"),
    ],
    ids=["directory", "catalogue", "calendar"],
)
def test_an_imported_file_holding_a_control_character_is_refused_recording_nothing(
    database_url: str,
    container: Container,
    tmp_path: Path,
    command: tuple[str, ...],
    text: str,
    spoilt: tuple[str, str],
    where: str,
) -> None:
    path = tmp_path / "import.yaml"
    path.write_text(text.replace(*spoilt), encoding="utf-8")
    before = position(container)

    result = run(database_url, *command, str(path))

    _refused(result, str(path), where, "cannot be recorded")
    assert position(container) == before


@pytest.mark.parametrize(
    ("command", "text"),
    [
        (("directory", "import"), DIRECTORY),
        (("rules", "load"), CATALOGUE),
        (("calendar", "load", "2027"), CALENDAR),
    ],
    ids=["directory", "catalogue", "calendar"],
)
@pytest.mark.parametrize(
    ("spoil", "complaint"),
    [
        (lambda text: text.encode().replace(b"\n", b"\n\x07", 1), "special characters"),
        (lambda text: text.encode() + b"# \xff\xfe\n", "not UTF-8"),
        (lambda text: text.replace("\n  -", "\n\t-", 1).encode(), "cannot start any token"),
        (lambda text: (text + "when: 0000-00-00\n").encode(), "year 0 is out of range"),
    ],
    ids=["raw BEL", "not UTF-8", "tab indent", "impossible date"],
)
def test_a_file_pyyaml_refuses_is_one_line_and_exit_2_not_a_traceback(
    database_url: str,
    container: Container,
    tmp_path: Path,
    command: tuple[str, ...],
    text: str,
    spoil: Callable[[str], bytes],
    complaint: str,
) -> None:
    path = tmp_path / "import.yaml"
    path.write_bytes(spoil(text))
    before = position(container)

    result = run(database_url, *command, str(path))

    _refused(result, str(path), complaint)
    assert position(container) == before
