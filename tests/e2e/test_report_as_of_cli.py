"""`oversight report monthly --as-of`: the report as the record stood at an instant (§14),
read after the command has brought the audit feed (the time index) and the read tables up to
the log, and refused with a message when the instant is not one the record can answer at."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import Container
from tests.e2e.test_cli import run_november_report
from tests.factories import a_deduction
from tests.support import SettableTimeSource

INSPECTOR = Actor("inspector-li", Role.INSPECTOR)
HAN = "S0001"
# Between the deduction (10:00 on 27 November) and its revocation (12:00).
BEFORE_THE_REVOCATION = "2026-11-27T11:00:00+08:00"


def record_a_deduction(container: Container, staff: str, day: int) -> Any:
    return container.supervision.record_deduction(
        a_deduction(
            rule="harsh_attitude",
            staff=staff,
            occurred_at=datetime(2026, 11, day, 10, 0, tzinfo=OFFICE_TZ),
            evidence="暗访录像",
        ),
        INSPECTOR,
    )


@pytest.fixture
def revoked_at_noon(container: Container, time_source: SettableTimeSource) -> None:
    """韩蕾's deduction, recorded at 10:00 and revoked at 12:00 on 27 November; no worker
    has run, so the command catches the read side up itself."""
    container.supervision.load_conduct_rules(default_conduct_rules(), Actor("admin", Role.ADMIN))
    recorded = record_a_deduction(container, HAN, 3)
    time_source.advance(hours=2)
    container.supervision.revoke_deduction(recorded.id, reason="申诉成立", by=INSPECTOR)


def report(database_url: str, output: Path, *args: str) -> Any:
    """The November report the command writes as JSON with these further arguments."""
    result = run_november_report(database_url, output, "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout, json.loads(output.read_text(encoding="utf-8"))


def han_score(answer: Any) -> int:
    (han,) = [s for d in answer["departments"] for s in d["staff"] if s["id"] == HAN]
    return int(han["score"])


def test_the_report_as_of_before_a_revocation_counts_the_deduction_and_says_as_of_when(
    database_url: str, tmp_path: Path, revoked_at_noon: None
) -> None:
    said, then = report(database_url, tmp_path / "then.json", "--as-of", BEFORE_THE_REVOCATION)
    _, now = report(database_url, tmp_path / "now.json")

    assert han_score(then) == 95
    assert (then["as_of"], then["as_of_requested"]) == (BEFORE_THE_REVOCATION, True)
    assert f"2026-11 as of {BEFORE_THE_REVOCATION}," in said
    assert han_score(now) == 100
    assert now["as_of_requested"] is False
    assert datetime.fromisoformat(now["as_of"]) > datetime.fromisoformat(BEFORE_THE_REVOCATION)


def test_the_csv_report_as_of_an_instant_is_the_same_bytes_after_more_is_recorded(
    database_url: str,
    tmp_path: Path,
    container: Container,
    revoked_at_noon: None,
    time_source: SettableTimeSource,
) -> None:
    first, again = tmp_path / "first.csv", tmp_path / "again.csv"
    asked = ("--format", "csv", "--as-of", "2026-11-27")
    written = run_november_report(database_url, first, *asked)
    time_source.set(datetime(2026, 11, 28, 12, 0, tzinfo=OFFICE_TZ))
    record_a_deduction(container, "S0010", 28)

    rewritten = run_november_report(database_url, again, *asked)

    assert (written.returncode, rewritten.returncode) == (0, 0), rewritten.stderr
    assert again.read_bytes() == first.read_bytes()
    assert "数据截至,2026-11-27T23:59:59.999999+08:00,指定时点的记录" in first.read_text(
        "utf-8-sig"
    )


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("yesterday", "ISO 8601"),
        ("2026-11-27T10:00:00", "offset"),
        ("2026-11-27T10:00:00+08:00\x7f", "ISO 8601"),
        ("9" * 100, "ISO 8601"),
        ("1999-12-31", "before the year 2000"),
        ("2099-01-01T00:00:00+08:00", "future"),
        ("2099-01-01", "still to come"),
        ("2026-10-31", "2026-11 has not begun"),
    ],
    ids=[
        "word",
        "no offset",
        "delete",
        "huge",
        "too early",
        "future instant",
        "future day",
        "before the month began",
    ],
)
def test_an_as_of_the_record_cannot_answer_at_is_refused_with_a_message(
    database_url: str, tmp_path: Path, as_of: str, message: str
) -> None:
    output = tmp_path / "r.xlsx"

    result = run_november_report(database_url, output, "--as-of", as_of)

    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not output.exists()
