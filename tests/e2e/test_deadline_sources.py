"""`oversight deadline` and `GET /calendar/deadline` count on the calendar the service uses:
the package's years and the years an administrator loaded into the event store."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.e2e.conftest import Tokens
from tests.e2e.test_cli import run

# 2031 is a year the package does not know; its published schedule (made up for the test)
# gives Tuesday 4 and Wednesday 5 March off.
PUBLISHED_2031 = """\
year: 2031
source: 测试用虚构安排
holidays:
  - {name: 测试节, from: 2031-03-04, to: 2031-03-05}
makeup_workdays: []
"""
MONDAY_3_MARCH_2031 = "2031-03-03T10:00:00+08:00"


def load_2031(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "2031.yaml"
    path.write_text(PUBLISHED_2031, encoding="utf-8")
    loaded = run(database_url, "calendar", "load", "2031", str(path))
    assert loaded.returncode == 0, loaded.stderr


def test_the_deadline_command_counts_on_a_year_loaded_into_the_database(
    database_url: str, tmp_path: Path
) -> None:
    before = run(database_url, "deadline", "request", "--start", MONDAY_3_MARCH_2031)
    load_2031(database_url, tmp_path)

    after = run(database_url, "deadline", "request", "--start", MONDAY_3_MARCH_2031)

    assert before.returncode == 0, before.stderr
    assert "provisional:    yes" in before.stdout
    assert "acknowledge by: 2031-03-04T17:30:00+08:00" in before.stdout
    assert after.returncode == 0, after.stderr
    assert "provisional:    no" in after.stdout
    # Counting starts on the next working day, Thursday 6 March, after the two days off.
    assert "acknowledge by: 2031-03-06T17:30:00+08:00" in after.stdout
    assert "due:            2031-03-12T17:30:00+08:00" in after.stdout


def test_the_deadline_route_counts_on_a_year_loaded_into_the_database(
    database_url: str, tmp_path: Path, client: TestClient, tokens: Tokens
) -> None:
    load_2031(database_url, tmp_path)

    response = client.get(
        "/api/v1/calendar/deadline",
        params={"kind": "request", "start": MONDAY_3_MARCH_2031},
        headers=tokens.operator,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["provisional"] is False
    assert body["acknowledge_due_at"] == "2031-03-06T17:30:00+08:00"
    assert body["due_at"] == "2031-03-12T17:30:00+08:00"
