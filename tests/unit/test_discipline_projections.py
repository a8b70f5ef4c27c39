"""The deductions and directory_subjects projections as pure functions: row and event to row."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from application.projections import Row
from application.projections.deductions import DeductionsProjection
from application.projections.directory_subjects import DirectorySubjectsProjection
from application.supervision import Supervision
from domain.actor import Actor
from domain.directory import DIRECTORY_ID, Department, DirectorySpec, StaffMember, Window
from domain.scorecard import DeductionRequest, SourceType
from infrastructure.conduct_file import default_conduct_rules
from tests.support import DIRECTORY_ADMIN


def replay(projection: Any, events: list[tuple[str, Any]]) -> dict[Any, Row]:
    """Run a projection over (topic, event) pairs as the runner does, with rows in memory."""
    rows: dict[Any, Row | None] = {}
    for position, (topic, event) in enumerate(events, start=1):
        if topic.startswith(projection.topic_prefix):
            key = projection.key_of(event)
            rows[key] = projection.project(rows.get(key), event, position)
    return {key: row for key, row in rows.items() if row is not None}


def all_events(app: Supervision) -> list[tuple[str, Any]]:
    notifications = app.recorder.select_notifications(start=1, limit=10_000)
    return [(n.topic, app.mapper.to_domain_event(n)) for n in notifications]


def test_a_deduction_on_two_cards_is_two_rows_and_a_revocation_marks_both(
    supervision: Supervision, inspector: Actor
) -> None:
    supervision.load_conduct_rules(default_conduct_rules(), DIRECTORY_ADMIN)
    late_evening = datetime(2026, 10, 31, 15, 30, tzinfo=UTC)  # 23:30 in the centre
    answer = supervision.record_deduction(
        DeductionRequest(
            "harsh_attitude",
            "S0001",
            None,
            late_evening,
            "录像",
            SourceType.CASE,
            "HL20261031-0007",
            None,
        ),
        inspector,
    )
    supervision.revoke_deduction(answer.id, reason="申诉成立", by=inspector)

    rows = replay(DeductionsProjection(), all_events(supervision))

    assert sorted((r["subject_kind"], r["subject_id"]) for r in rows.values()) == [
        ("staff", "S0001"),
        ("window", "W-A01"),
    ]
    for row in rows.values():
        assert row["month"] == "2026-10"
        assert row["occurred_on"] == date(2026, 10, 31)
        assert (row["window_id"], row["staff_id"]) == ("W-A01", "S0001")
        assert (row["rule"], row["points"], row["source_type"]) == ("harsh_attitude", 5, "case")
        assert row["source_ref"] == "HL20261031-0007"
        assert row["revoked"] is True
        assert row["revoke_reason"] == "申诉成立"


def test_the_directory_read_table_follows_joins_moves_and_departures(
    supervision: Supervision,
) -> None:
    spec = DirectorySpec(
        departments=(Department("taxation", "税务局", "Taxation Bureau"),),
        windows=(
            Window("W-1", "综合办税窗口", "taxation", "税务服务专区"),
            Window("W-2", "发票窗口", "taxation", "税务服务专区"),
        ),
        staff=(StaffMember("S1", "张伟", "taxation", window="W-1", post="A"),),
    )
    supervision.import_directory(spec, DIRECTORY_ADMIN)
    moved = StaffMember("S1", "张伟", "taxation", window="W-2", post="A")
    supervision.import_directory(
        DirectorySpec(spec.departments, spec.windows[1:], (moved,)), DIRECTORY_ADMIN
    )

    rows = replay(DirectorySubjectsProjection(), all_events(supervision))

    assert rows["staff:S1"]["window_id"] == "W-2"
    assert rows["staff:S1"]["active"] is True
    assert rows["window:W-1"]["active"] is False
    assert rows["department:taxation"]["name"] == "税务局"
    assert rows["window:W-A01"]["active"] is False  # the sample directory was replaced
    assert all(key.split(":")[0] in {"department", "window", "staff"} for key in rows)
    assert DIRECTORY_ID not in rows
