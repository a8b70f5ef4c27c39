"""`oversight demo`: a simulated campaign in a new database, read back through the read side."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from infrastructure.worker import WORKER_LOCK_KEY
from tests.e2e.test_cli import run_with as run_oversight
from tests.support import command_environment

# A demonstration writes weeks of work: it may take longer than the other commands.
DEMO_SECONDS = 300
# Days that hold a working day whatever today is (the longest run of days off is nine, the
# Spring Festival of 2026): the centre registers no case on a day off, and a demo that made
# none leaves a store that a second demo need not refuse.
DAYS_WITH_CASES = "10"


def run(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_with(command_environment(database_url), *args)


def run_with(
    env: dict[str, str], *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return run_oversight(env, *args, cwd=cwd, timeout=DEMO_SECONDS)


def test_a_small_demo_fills_the_read_tables_it_points_to(database_url: str, tmp_path: Path) -> None:
    demo = run(database_url, "demo", "--days", "10", "--scale", "0.1", "--seed", "3")

    assert demo.returncode == 0, demo.stderr
    assert " cases (" in demo.stdout
    assert "GET /departments/taxation/board" in demo.stdout
    with psycopg.connect(database_url) as connection:
        cases, still_open = connection.execute(
            "SELECT count(*), count(*) FILTER (WHERE status NOT IN ('closed', 'merged')) "
            "FROM case_list"
        ).fetchone()  # type: ignore[misc]
        (ratings,) = connection.execute("SELECT count(*) FROM evaluation_list").fetchone()  # type: ignore[misc]
    assert cases > 0
    assert still_open > 0
    assert ratings > 0
    month = f"{datetime.now(UTC):%Y-%m}"
    output = tmp_path / "report.json"
    report = run(
        database_url,
        "report",
        "monthly",
        "--month",
        month,
        "--format",
        "json",
        "--output",
        str(output),
    )
    assert report.returncode == 0, report.stderr
    assert len(json.loads(output.read_text())["departments"]) == 30


def test_a_second_demo_on_the_same_database_is_refused_before_anything_is_drawn(
    database_url: str,
) -> None:
    first = run(database_url, "demo", "--days", DAYS_WITH_CASES, "--scale", "0.05")
    assert first.returncode == 0, first.stderr

    again = run(database_url, "demo", "--days", DAYS_WITH_CASES, "--scale", "0.05")

    assert again.returncode == 2
    assert again.stderr.splitlines() == [again.stderr.strip()]  # one line
    assert again.stderr.startswith("error: the database DATABASE_URL names holds cases already")
    assert "`oversight demo --data-dir .oversight-demo`" in again.stderr
    assert "simulating" not in again.stderr
    assert again.stdout == ""


def test_the_demo_waits_for_no_worker_it_would_race(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as worker:
        worker.execute("SELECT pg_advisory_lock(%s)", (WORKER_LOCK_KEY,))

        demo = run(database_url, "demo", "--days", "1", "--scale", "0.1")

    assert demo.returncode == 2
    assert "a worker is running on this database" in demo.stderr


@pytest.fixture
def data_folder() -> Iterator[Path]:
    """A path for a new data folder, made by the command under test and removed afterwards.

    Not under pytest's temporary root: run as root, the embedded server runs as another OS
    user, which must be able to reach the folder (tests/conftest.py says why).
    """
    parent = Path(tempfile.mkdtemp(prefix="oversight-demo-test-"))
    try:
        yield parent / "demo-data"
    finally:
        shutil.rmtree(parent, ignore_errors=True)


def embedded_environment(**extra: str) -> dict[str, str]:
    """A command's environment without DATABASE_URL: the data folder's embedded database."""
    env = command_environment("")
    del env["DATABASE_URL"]
    return {**env, **extra}


@pytest.mark.slow
def test_a_demo_fills_the_new_data_folder_it_is_given_which_oversight_data_dir_then_names(
    data_folder: Path,
) -> None:
    demo = run_with(
        embedded_environment(),
        "demo",
        "--days",
        DAYS_WITH_CASES,
        "--scale",
        "0.05",
        "--data-dir",
        str(data_folder),
    )

    assert demo.returncode == 0, demo.stderr
    assert (data_folder / "pgdata" / "PG_VERSION").is_file()
    assert f"`OVERSIGHT_DATA_DIR={data_folder} oversight serve`" in demo.stdout
    again = run_with(
        embedded_environment(OVERSIGHT_DATA_DIR=str(data_folder)), "demo", "--days", "2"
    )
    assert again.returncode == 2
    assert f"error: the database in {data_folder} holds cases already" in again.stderr
    assert "`oversight demo --data-dir .oversight-demo`" in again.stderr


def test_a_data_folder_is_refused_beside_a_database_url(
    database_url: str, data_folder: Path
) -> None:
    demo = run(database_url, "demo", "--days", "2", "--data-dir", str(data_folder))

    assert demo.returncode == 2
    assert "DATABASE_URL is set" in demo.stderr
    assert not data_folder.exists()


# (A NUL cannot reach a command: the system takes its arguments as C strings.)
@pytest.mark.parametrize("folder", ["demo\x01data", "demo\x1bdata", "demo\ndata"])
def test_a_data_folder_named_with_a_control_character_is_refused(
    folder: str, tmp_path: Path
) -> None:
    demo = run_with(
        embedded_environment(), "demo", "--days", "2", "--data-dir", folder, cwd=tmp_path
    )

    assert demo.returncode == 2
    assert demo.stderr.startswith("error: --data-dir: the character U+00")
    assert "cannot be in a folder's name" in demo.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_data_folder_that_is_a_file_is_refused(tmp_path: Path) -> None:
    taken = tmp_path / "notes.txt"
    taken.write_text("not a folder")

    demo = run_with(embedded_environment(), "demo", "--days", "2", "--data-dir", str(taken))

    assert demo.returncode == 2
    assert "is a file" in demo.stderr
    assert taken.read_text() == "not a folder"
