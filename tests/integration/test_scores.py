"""Deductions and the directory projected into PostgreSQL, and scores worked out in SQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import psycopg
import pytest

from domain.calendar import OFFICE_TZ
from domain.conduct import FULL_MARKS
from domain.scorecard import SCORE_FLOOR, SourceType, SubjectKind
from infrastructure.conduct_file import default_conduct_rules
from infrastructure.directory_file import sample_directory
from infrastructure.projection_runner import ProjectionRunner
from interfaces.bootstrap import Container
from tests.factories import ADMIN, INSPECTOR, a_deduction
from tests.integration.read_side import head


@pytest.fixture
def container(container: Container) -> Container:
    """The application on the test's database, the sample directory and the default conduct
    catalogue loaded."""
    container.supervision.load_conduct_rules(default_conduct_rules(), ADMIN)
    return container


def deduct(container: Container, **overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "rule": "harsh_attitude",
        "occurred_at": datetime(2026, 11, 3, 10, 15, tzinfo=OFFICE_TZ),
        "evidence": "暗访录像",
        "source_type": SourceType.UNANNOUNCED_VISIT,
        **overrides,
    }
    return container.supervision.record_deduction(a_deduction(**fields), INSPECTOR)


def project(container: Container) -> None:
    projections, _ = container.read_side()
    for projection in projections:
        with ProjectionRunner(container.database_url, container.supervision, projection) as runner:
            runner.run_until_caught_up()


def rows(database_url: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url) as connection:
        return connection.execute(query).fetchall()


def test_a_deduction_on_two_cards_lands_as_two_rows_and_its_revocation_marks_both(
    container: Container, database_url: str
) -> None:
    answer = deduct(container)
    container.supervision.revoke_deduction(answer.id, reason="申诉成立", by=INSPECTOR)

    project(container)

    assert rows(
        database_url,
        "SELECT subject_kind, subject_id, department, window_id, staff_id, points, revoked, "
        "occurred_on::text FROM deductions ORDER BY subject_kind",
    ) == [
        ("staff", "S0001", "real-estate-registration", "W-A01", "S0001", 5, True, "2026-11-03"),
        ("window", "W-A01", "real-estate-registration", "W-A01", "S0001", 5, True, "2026-11-03"),
    ]
    counts = rows(database_url, "SELECT kind, count(*) FROM directory_subjects GROUP BY kind")
    assert sorted(counts) == [("department", 33), ("staff", 110), ("window", 61)]


def test_a_rebuild_gives_the_discipline_tables_row_for_row_what_the_incremental_run_gave(
    container: Container, database_url: str
) -> None:
    deduct(container)
    revoked = deduct(container, rule="window_unattended", staff=None, window="W-A02")
    container.supervision.revoke_deduction(revoked.id, reason="申诉成立", by=INSPECTOR)
    project(container)
    query = "SELECT * FROM {} ORDER BY 1"
    before = {t: rows(database_url, query.format(t)) for t in ("deductions", "directory_subjects")}

    report = container.rebuild_projections()

    assert {"deductions", "directory_subjects"} <= set(report.projections)
    for table, kept in before.items():
        assert rows(database_url, query.format(table)) == kept


async def test_a_staff_member_who_left_keeps_the_score_of_a_month_they_were_deducted_in(
    reading: Container,
) -> None:
    deduct(reading, rule="lateness_early_leave")
    directory = sample_directory()
    leaving = {"S0001", "S0002"}  # 韩蕾 was deducted from; 夏芳 was not
    reading.supervision.import_directory(
        replace(directory, staff=tuple(s for s in directory.staff if s.id not in leaving)), ADMIN
    )
    project(reading)

    listing = await reading.scores.scores(
        "2026-11", subject="staff", department="real-estate-registration", after=head(reading)
    )

    by_id = {s.id: s for s in listing.items}
    assert listing.caught_up is True
    assert "S0002" not in by_id
    assert (by_id["S0001"].score, by_id["S0001"].active, by_id["S0001"].name) == (98, False, "韩蕾")
    assert len(by_id) == 9


async def test_a_read_waits_for_a_write_the_read_side_has_not_seen_then_says_so(
    reading: Container,
) -> None:
    project(reading)
    reading.scores.wait_seconds = 0.2  # type: ignore[attr-defined]
    answer = deduct(reading)

    listing = await reading.scores.scores(
        "2026-11", subject=None, department=None, after=answer.position
    )

    assert listing.caught_up is False
    assert all(s.score == 100 for s in listing.items)


async def test_every_score_on_the_read_side_is_its_scorecards_score_past_the_floor_too(
    reading: Container,
) -> None:
    deduct(reading, rule="integrity")  # all that is left: 100 points
    deduct(reading, rule="quarrel_with_citizen")  # past the floor
    deduct(reading, rule="lateness_early_leave", staff="S0002")
    revoked = deduct(reading, rule="quarrel_with_citizen", staff="S0002")
    reading.supervision.revoke_deduction(revoked.id, reason="申诉成立", by=INSPECTOR)
    deduct(reading, rule="guide_not_posted", staff=None, window="W-A02")
    deduct(reading, occurred_at=datetime(2026, 10, 30, 10, tzinfo=OFFICE_TZ))  # last month
    project(reading)

    listing = await reading.scores.scores(
        "2026-11", subject=None, department="real-estate-registration", after=head(reading)
    )

    read_side = {(s.subject, s.id): (s.score, s.deducted) for s in listing.items}
    cards = {
        key: reading.supervision.scorecard(SubjectKind(key[0]), key[1], "2026-11")
        for key in read_side
    }
    assert read_side == {key: (card.score, card.deducted) for key, card in cards.items()}
    assert read_side[("staff", "S0001")] == (SCORE_FLOOR, FULL_MARKS)
    assert read_side[("staff", "S0002")] == (98, 2)
    assert read_side[("window", "W-A02")] == (98, 2)
