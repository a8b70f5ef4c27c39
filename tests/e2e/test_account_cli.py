"""`oversight account …` on a database of the test's own."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from interfaces.cli import cli
from tests.e2e.test_cli import run
from tests.support import command_environment


@pytest.fixture
def directory(database_url: str) -> str:
    assert run(database_url, "directory", "import", "--sample").returncode == 0
    return database_url


def test_create_prints_the_one_time_password_alone_on_the_last_line(directory: str) -> None:
    created = run(
        directory, "account", "create", "wang.fang", "--role", "operator", "--name", "王芳"
    )
    assert created.returncode == 0, created.stderr
    password = created.stdout.splitlines()[-1]
    assert len(password) >= 10
    assert " " not in password

    dept = run(
        directory,
        "account",
        "create",
        "deeds",
        "--role",
        "department",
        "--department",
        "real-estate-registration",
        "--name",
        "不动产登记窗口",
    )
    assert dept.returncode == 0, dept.stderr

    listed = run(directory, "account", "list")
    assert listed.returncode == 0
    header, *rows = listed.stdout.splitlines()
    assert header.split("\t")[:3] == ["username", "name", "role"]
    assert [row.split("\t")[:4] for row in rows] == [
        ["wang.fang", "王芳", "operator", "-"],
        ["deeds", "不动产登记窗口", "department", "real-estate-registration"],
    ]


def test_reset_and_disable_name_the_account(directory: str) -> None:
    run(directory, "account", "create", "wang.fang", "--role", "operator", "--name", "王芳")
    reset = run(directory, "account", "reset-password", "wang.fang")
    assert reset.returncode == 0, reset.stderr
    assert len(reset.stdout.splitlines()[-1]) >= 10
    disabled = run(directory, "account", "disable", "wang.fang")
    assert disabled.returncode == 0
    assert "wang.fang" in disabled.stdout
    listed = run(directory, "account", "list").stdout.splitlines()[1].split("\t")
    assert listed[4] == "disabled"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--role", "superuser", "--name", "王芳"], "--role must be one of"),
        (["--role", "system", "--name", "王芳"], "--role must be one of"),
        (["--role", "department", "--name", "王芳"], "names its department"),
        (["--role", "department", "--department", "nowhere", "--name", "王芳"], "nowhere"),
        (["--role", "operator", "--name", "王\x1b芳"], "U+001B"),
        (["--role", "operator", "--name", "  "], "display name is required"),
    ],
)
def test_a_refused_account_gets_one_line_and_a_non_zero_exit(
    directory: str, args: list[str], says: str
) -> None:
    refused = run(directory, "account", "create", "fresh", *args)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1
    assert refused.stderr.startswith("error: ")
    assert says in refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_bad_username_taken_username_or_unknown_account_gets_one_line(directory: str) -> None:
    run(directory, "account", "create", "taken", "--role", "operator", "--name", "甲")
    for args in (
        ["create", "taken", "--role", "inspector", "--name", "乙"],
        ["create", "Wang Fang", "--role", "operator", "--name", "王芳"],
        ["reset-password", "nobody"],
        ["disable", "nobody"],
    ):
        refused = run(directory, "account", *args)
        assert refused.returncode == 2, args
        assert refused.stderr.count("\n") == 1


def test_a_name_holding_nul_is_refused_in_one_line(directory: str) -> None:
    # An argv cannot hold NUL; the command is run in this process to pass it anyway.
    result = CliRunner().invoke(
        cli,
        ["account", "create", "wang.fang", "--role", "operator", "--name", "王\x00芳"],
        env=command_environment(directory),
    )
    assert result.exit_code == 2
    assert result.output.strip().startswith("error: display name: the character U+0000")
