"""Inspection visits' journeys (暗访巡查): now and then an inspector visits a few windows of
the hall; what the visit finds becomes a deduction made from the visit
(POST /visits/{id}/findings), so that it names the visit as its source.

Visits draw on a generator of their own, seeded from the campaign's, and their findings are
deductions, which no later journey follows: adding visits left the rest of a campaign as the
same seed played it before. (An order or a case found on a visit would be followed by the
order's or case's journeys, which draw on the campaign's generator.)
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from functools import cached_property

from domain.calendar import OFFICE_TZ
from domain.labels import label
from domain.scorecard import DeductionRequest, SourceType
from domain.visit import VisitMethod
from simulation.journeys.discipline import DisciplineJourneys
from simulation.world import INSPECTORS

# The share of working days with a visit: a couple a week, whatever the campaign's volume.
VISIT_DAY_SHARE = 0.3
VISIT_SUMMARIES = {
    VisitMethod.UNANNOUNCED: "以办事群众身份暗访窗口，观察服务态度和一次性告知落实情况",
    VisitMethod.PATROL: "例行巡查大厅窗口在岗情况和办事指南公示情况",
    VisitMethod.THIRD_PARTY: "第三方机构按月测评窗口服务质量",
}
VISIT_RULES = ("harsh_attitude", "phone_or_games", "dress_or_badge", "guide_not_posted")


class VisitJourneys(DisciplineJourneys):
    """What inspectors find on their visits, made into deductions."""

    @cached_property
    def _visit_rng(self) -> random.Random:
        # Reading the campaign's state draws nothing from it; its numbers hash alike in every
        # process (the state's last item, None, would not before Python 3.12).
        return random.Random(hash(self.rng.getstate()[1]))  # noqa: S311 -- a simulation

    def _plan_visit(self, day: date) -> None:
        """Maybe put a visit on a working day's schedule, in office hours."""
        rng = self._visit_rng
        if rng.random() >= VISIT_DAY_SHARE:
            return
        hours = self._calendar.office_hours
        opens = datetime.combine(day, hours.opens, tzinfo=hours.tz)
        self._at(opens + timedelta(minutes=rng.randint(30, 300)), self._inspection_visit)

    def _inspection_visit(self) -> None:
        """An inspector visits two or three windows; one of them has something wrong, which
        costs points."""
        rng = self._visit_rng
        inspector = rng.choice(INSPECTORS)
        method = rng.choice(list(VisitMethod))
        windows = rng.sample(sorted(self._windows), k=min(len(self._windows), rng.randint(2, 3)))
        visit = self.supervision.record_visit(
            day=self._now.astimezone(OFFICE_TZ).date(),
            method=method,
            windows=windows,
            summary=VISIT_SUMMARIES[method],
            by=inspector,
        )
        window = self._windows[rng.choice(windows)]
        rules = [self._rules[code] for code in VISIT_RULES if code in self._rules]
        if rules:
            rule = rng.choice(rules)
            staff = self._staff_at.get(window.id)
            on_staff = rule.applies_to.value != "window" and staff
            occurred_at = self._now - timedelta(minutes=rng.randint(5, 30))
            self.supervision.record_deduction_finding(
                visit.id,
                DeductionRequest(
                    rule=rule.code,
                    staff=rng.choice(staff).id if on_staff and staff else None,
                    window=None if on_staff else window.id,
                    occurred_at=occurred_at,
                    evidence=f"{label('visit_method', method)}发现：{rule.name_zh}（现场拍照留存）",
                    source_type=SourceType.VISIT,
                    source_ref=None,
                    points=None,
                ),
                inspector,
            )
