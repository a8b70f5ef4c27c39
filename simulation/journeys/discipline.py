"""Deductions' journeys: an inspector's patrol or unannounced visit finds a breach and
deducts for it; a few deductions are revoked on appeal."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from domain.actor import Actor
from domain.calendar import OFFICE_TZ
from domain.scorecard import DeductionRequest, SourceType
from simulation.mixes import (
    REVOCATION_SHARE,
    STAFF_FINDINGS,
    UNANNOUNCED_VISIT_SHARE,
    WINDOW_FINDING_SHARE,
    WINDOW_FINDINGS,
)
from simulation.texts import REVOCATION_REASONS
from simulation.world import World


class DisciplineJourneys(World):
    """What inspectors do with the double-hundred scores: deduct, and revoke on appeal."""

    def _patrol_finding(self) -> None:
        """An inspector's patrol or unannounced visit finds a breach and deducts for it."""
        source = (
            SourceType.UNANNOUNCED_VISIT
            if self.rng.random() < UNANNOUNCED_VISIT_SHARE
            else SourceType.PATROL
        )
        staff: str | None = None
        window: str | None = None
        if self.rng.random() < WINDOW_FINDING_SHARE:
            windows = list(self._windows.values())
            chosen = self.rng.choices(
                windows, weights=[0.2 + self._sloppiness(w.department) for w in windows]
            )[0]
            window = chosen.id
            codes = WINDOW_FINDINGS
        else:
            staff = self.rng.choices(
                list(self._staff_risk), weights=list(self._staff_risk.values())
            )[0]
            codes = STAFF_FINDINGS
        rules = [self._rules[code] for code in codes if code in self._rules]
        if not rules:
            return
        rule = self.rng.choice(rules)
        occurred_at = self._now - timedelta(minutes=self.rng.randint(2, 40))
        what = "暗访" if source is SourceType.UNANNOUNCED_VISIT else "巡查"
        self._deduct(
            DeductionRequest(
                rule=rule.code,
                staff=staff,
                window=window,
                occurred_at=occurred_at,
                evidence=f"{what}发现：{rule.name_zh}（{occurred_at.astimezone(OFFICE_TZ):%H:%M}，现场拍照留存）",
                source_type=source,
                source_ref=None,
                points=None,
            ),
            self._inspector(),
        )

    def _deduct(self, request: DeductionRequest, inspector: Actor) -> None:
        answer = self.supervision.record_deduction(request, inspector)
        self._maybe_revoke(answer.id)

    def _maybe_revoke(self, deduction_id: UUID) -> None:
        if self.rng.random() < REVOCATION_SHARE:
            self._at(self._office_time_later(1, 5), self._revoke, deduction_id)

    def _revoke(self, deduction_id: UUID) -> None:
        self.supervision.revoke_deduction(
            deduction_id, reason=self.rng.choice(REVOCATION_REASONS), by=self._inspector()
        )
