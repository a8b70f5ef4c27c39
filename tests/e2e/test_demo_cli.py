"""`oversight demo`: a simulated campaign in a new database, read back through the read side."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from infrastructure.worker import WORKER_LOCK_KEY
from tests.support import command_environment

OVERSIGHT = shutil.which("oversight") or str(Path(sys.executable).with_name("oversight"))


def run(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 -- our own console script with fixed arguments
        [OVERSIGHT, *args],
        env=command_environment(database_url),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


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
        database_url, "report", "monthly", "--month", month, "--format", "json",
        "--output", str(output),
    )  # fmt: skip
    assert report.returncode == 0, report.stderr
    assert len(json.loads(output.read_text())["departments"]) == 30


def test_a_second_demo_on_the_same_database_is_refused(database_url: str) -> None:
    first = run(database_url, "demo", "--days", "7", "--scale", "0.05")
    assert first.returncode == 0, first.stderr

    again = run(database_url, "demo", "--days", "7", "--scale", "0.05")

    assert again.returncode == 2
    assert "holds cases already" in again.stderr
    assert "Traceback" not in again.stderr


def test_the_demo_waits_for_no_worker_it_would_race(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as worker:
        worker.execute("SELECT pg_advisory_lock(%s)", (WORKER_LOCK_KEY,))

        demo = run(database_url, "demo", "--days", "1", "--scale", "0.1")

    assert demo.returncode == 2
    assert "a worker is running on this database" in demo.stderr
