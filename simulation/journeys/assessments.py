"""Staff assessments' journey (千人千题, §16): at the end of a campaign an inspector records a
session the hall's staff sat two weeks before, the riskiest two of them failing, and a retest
of those two a few days ago, in which one passes and the other fails again: so the demo shows
results, a retest done and a retest still due."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date

from application.supervision import Supervision
from domain.directory import StaffMember
from simulation.world import INSPECTORS

SITTERS = 12
PASS_MARK = 60


def play_assessments(
    supervision: Supervision,
    rng: random.Random,
    staff: Sequence[StaffMember],
    risk: Mapping[str, float],
    days: Sequence[date],
) -> None:
    """Record the session and its retest; `days`: the campaign's days, the last one today."""
    if not staff or not days:
        return
    sitters = sorted(
        rng.sample(sorted(staff, key=lambda m: m.id), min(SITTERS, len(staff))), key=lambda m: m.id
    )
    failing = sorted(sitters, key=lambda m: (-risk.get(m.id, 0.0), m.id))[:2]
    scores = {m.id: rng.randint(42, 58) if m in failing else rng.randint(65, 98) for m in sitters}
    inspector = INSPECTORS[0]
    supervision.record_assessment(
        title="政务服务知识千人千题测试",
        held_on=days[max(0, len(days) - 15)],
        pass_mark=PASS_MARK,
        results=[(member.id, scores[member.id]) for member in sitters],
        by=inspector,
    )
    retest = [(failing[0].id, rng.randint(45, 58))]
    if len(failing) > 1:
        retest.append((failing[1].id, rng.randint(70, 90)))
    supervision.record_assessment(
        title="千人千题补考",
        held_on=days[max(0, len(days) - 4)],
        pass_mark=PASS_MARK,
        results=retest,
        by=inspector,
    )
