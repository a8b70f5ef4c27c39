"""`oversight worker` and `oversight projections rebuild` as an operator runs them."""

from __future__ import annotations

import signal
import subprocess
import time

import psycopg

from tests.e2e.test_cli import OVERSIGHT, run
from tests.support import command_environment


def _tracked(database_url: str) -> int | None:
    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT position FROM projection_tracking WHERE name = 'case_list'"
        ).fetchone()
    return row[0] if row else None


def test_a_rebuild_replays_every_event_and_says_how_fast(database_url: str) -> None:
    run(database_url, "directory", "import", "--sample")

    rebuilt = run(database_url, "projections", "rebuild")

    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stdout.startswith("rebuilt case_list")
    assert " up to position " in rebuilt.stdout
    assert "events/s" in rebuilt.stdout
    assert _tracked(database_url) is not None


def test_the_worker_keeps_the_read_tables_and_stops_cleanly_on_sigterm(
    database_url: str,
) -> None:
    run(database_url, "directory", "import", "--sample")
    env = command_environment(database_url, "INFO")
    worker = subprocess.Popen(  # noqa: S603 -- our own console script with fixed arguments
        [OVERSIGHT, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 20
        while _tracked(database_url) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        caught_up = _tracked(database_url)
    finally:
        worker.send_signal(signal.SIGTERM)
        _, stderr = worker.communicate(timeout=30)

    assert caught_up is not None
    assert caught_up > 0
    assert worker.returncode == 0, stderr
    assert '"worker_active"' in stderr
    assert '"worker_stopped"' in stderr


def test_a_rebuild_replays_the_audit_feed_and_names_it(database_url: str) -> None:
    run(database_url, "directory", "import", "--sample")

    rebuilt = run(database_url, "projections", "rebuild")

    assert rebuilt.returncode == 0, rebuilt.stderr
    rebuilt_names = rebuilt.stdout.partition(" up to position ")[0].removeprefix("rebuilt ")
    assert "audit_events" in rebuilt_names.split(", ")
    with psycopg.connect(database_url) as connection:
        rows = connection.execute("SELECT count(*) FROM audit_events").fetchone()
        head = connection.execute("SELECT max(notification_id) FROM oversight_events").fetchone()
    assert rows == head
