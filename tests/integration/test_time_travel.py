"""Reads as the record stood at a past instant (§14): row versions, record time."""

from __future__ import annotations

from datetime import datetime

from domain.calendar import OFFICE_TZ
from domain.scorecard import SourceType
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import Container
from tests.factories import ADMIN, a_deduction
from tests.integration.read_side import INSPECTOR
from tests.support import SettableTimeSource, run_worker_once


async def test_a_deduction_revoked_later_still_counts_as_of_before_its_revocation(
    reading: Container, time_source: SettableTimeSource
) -> None:
    reading.supervision.load_conduct_rules(default_conduct_rules(), ADMIN)
    answer = reading.supervision.record_deduction(
        a_deduction(
            rule="harsh_attitude",
            occurred_at=datetime(2026, 11, 3, 10, 15, tzinfo=OFFICE_TZ),
            evidence="暗访录像",
            source_type=SourceType.UNANNOUNCED_VISIT,
        ),
        INSPECTOR,
    )
    before_revocation = time_source.advance(hours=1)
    time_source.advance(hours=1)
    reading.supervision.revoke_deduction(answer.id, reason="申诉成立", by=INSPECTOR)
    run_worker_once(reading)

    past = await reading.record_time.past(before_revocation)
    then = await reading.scores.as_of(past.position).blue_list(
        datetime(2026, 11, 3).date(), department=None, after=past.position
    )
    now = await reading.scores.blue_list(datetime(2026, 11, 3).date(), department=None, after=None)

    assert then.caught_up
    assert then.position == past.position
    assert [line.id for line in then.items] == [answer.id]
    assert not now.items
