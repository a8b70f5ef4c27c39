"""The command line as a newcomer first meets it: its help, and what a command prints
besides its answer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer

from interfaces.cli import cli
from tests.e2e.test_cli import OVERSIGHT, run
from tests.support import command_environment

# What serves and stores: the help needs none of it.
SERVICE_MODULES = ("fastapi", "eventsourcing", "asyncpg", "pgserver", "psycopg", "openpyxl")


def command_paths() -> list[list[str]]:
    """Every command and group of `oversight`, as the words that name it."""
    paths: list[list[str]] = []

    def walk(command: object, words: list[str]) -> None:
        paths.append(words)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*words, name])

    walk(typer.main.get_command(cli), [])
    return paths


def help_of_every_command() -> tuple[dict[str, str], list[str]]:
    """Each command's help as printed, and the service modules printing it loaded, from a
    fresh interpreter."""
    script = """
import contextlib, io, json, sys
from interfaces.cli import cli
import typer
texts = {}
for words in json.loads(sys.argv[1]):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            typer.main.get_command(cli).main([*words, "--help"], prog_name="oversight")
        except SystemExit:
            pass
    texts[" ".join(words)] = out.getvalue()
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(sys.argv[2])))
print(json.dumps({"texts": texts, "loaded": loaded}))
"""
    done = subprocess.run(  # noqa: S603 -- this interpreter with a fixed script
        [sys.executable, "-c", script, json.dumps(command_paths()), json.dumps(SERVICE_MODULES)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, "COLUMNS": "100"},
    )
    answer = json.loads(done.stdout)
    return answer["texts"], answer["loaded"]


def test_help_shows_no_type_of_a_flag_and_no_date_pattern() -> None:
    texts, _ = help_of_every_command()

    assert len(texts) > 20
    for command, text in texts.items():
        assert "Usage: oversight" in text, command
        assert "<bool>" not in text, command
        assert "%Y" not in text, command
    assert "--start DATETIME" in texts["deadline"]
    assert "--month YYYY-MM" in texts["report monthly"]


def test_help_loads_none_of_the_service() -> None:
    _, loaded = help_of_every_command()

    assert loaded == []


def test_the_help_of_the_console_script_goes_to_standard_output_alone() -> None:
    shown = subprocess.run(  # noqa: S603 -- our own console script with fixed arguments
        [OVERSIGHT, "--help"], capture_output=True, text=True, timeout=120, check=False
    )

    assert shown.returncode == 0
    assert shown.stdout.startswith("Usage: oversight")
    assert shown.stderr == ""


def test_token_list_prints_a_header_row_first(database_url: str) -> None:
    run(database_url, "token", "create", "--role", "operator", "--name", "wang")

    listed = run(database_url, "token", "list")

    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split("\t") == ["id", "role", "department", "holder", "issued", "status"]
    assert len(lines) == 2


def test_an_empty_token_list_prints_its_header_row_alone(database_url: str) -> None:
    listed = run(database_url, "token", "list")

    assert listed.stdout.splitlines() == ["id\trole\tdepartment\tholder\tissued\tstatus"]


@pytest.fixture
def new_data_folder() -> Iterator[Path]:
    """A new data folder, outside pytest's temporary root (tests/conftest.py says why)."""
    parent = Path(tempfile.mkdtemp(prefix="oversight-quiet-test-"))
    try:
        yield parent / "data"
    finally:
        shutil.rmtree(parent, ignore_errors=True)


def embedded_run(data_folder: Path, log_level: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A command on the data folder's embedded server, as on a machine with no login session
    (no XDG_RUNTIME_DIR)."""
    env = command_environment("", log_level=log_level)
    del env["DATABASE_URL"]
    env.pop("XDG_RUNTIME_DIR", None)
    env["OVERSIGHT_DATA_DIR"] = str(data_folder)
    return subprocess.run(  # noqa: S603 -- our own console script with fixed arguments
        [OVERSIGHT, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.slow
def test_a_command_on_the_embedded_server_says_nothing_of_its_start_but_at_debug(
    new_data_folder: Path,
) -> None:
    first = embedded_run(new_data_folder, "INFO", "token", "list")
    again = embedded_run(new_data_folder, "INFO", "token", "list")
    debug = embedded_run(new_data_folder, "DEBUG", "token", "list")

    assert first.returncode == 0, first.stderr
    for done in (first, again, debug):
        assert "RuntimeDirWarning" not in done.stderr
        assert "XDG_RUNTIME_DIR" not in done.stderr
    assert "embedded_postgres_started" not in first.stderr
    assert again.stderr == ""
    assert "embedded_postgres_started" in debug.stderr
