"""Verbs of appeals (申诉, §15): a department appeals a deduction; the inspectors decide."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from application.base import ConcurrentChange, OversightApplication
from application.queries import Page
from application.views import view_of
from domain.actor import Actor, Role
from domain.appeal import (
    Appeal,
    AppealNotFound,
    DeductionAlreadyAppealed,
    NotAppealDepartment,
    appeal_id_for,
    appeal_window_closes,
    check_appealable,
)
from domain.deadlines import Deadline
from domain.errors import DomainError, Forbidden
from domain.scorecard import Deduction, DeductionNotFound, Scorecard


class AppealsForInspectors(Forbidden):
    """Appeals are decided, and supervised, by discipline inspectors (§3)."""

    code = "role_not_allowed"


@dataclass(frozen=True)
class AppealView:
    """An appeal as its readers see it, with the global position of its last event."""

    id: UUID
    deduction_id: UUID
    department: str
    status: str
    reasons: str
    evidence: str | None
    deduction: dict[str, Any]
    filed_at: datetime
    filed_by: str
    deadline: Deadline | None
    overdue: bool
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None
    supervisions: list[dict[str, Any]]
    version: int
    position: int | None

    @classmethod
    def of(cls, appeal: Appeal, position: int | None) -> AppealView:
        return view_of(
            cls,
            appeal,
            status=appeal.status.value,
            deduction=dict(appeal.deduction),
            filed_at=appeal.created_on,
            filed_by=appeal.filed_by.principal,
            overdue=appeal.due_missed_for is not None,
            supervisions=list(appeal.supervisions),
            position=position,
        )


class AppealVerbs(OversightApplication):
    """Appeal a deduction; uphold or grant an appeal; supervise one decided late."""

    def _deduction_and_cards(self, deduction_id: UUID) -> tuple[Deduction, list[Scorecard]]:
        deduction = self._load_as(
            deduction_id,
            Deduction,
            lambda: DeductionNotFound(f"there is no deduction {deduction_id}"),
        )
        return deduction, [self.repository.get(card_id) for card_id in deduction.card_ids]

    def _appeal(self, appeal_id: UUID) -> Appeal:
        return self._load_as(
            appeal_id, Appeal, lambda: AppealNotFound(f"there is no appeal {appeal_id}")
        )

    def appeal_deduction(
        self, deduction_id: UUID, *, reasons: str, evidence: str | None, by: Actor
    ) -> AppealView:
        """Appeal a deduction within 5 working days of its recording (申诉), once."""
        deduction, cards = self._deduction_and_cards(deduction_id)
        entry = cards[0].deductions[str(deduction_id)]
        appeal = Appeal.file(
            deduction=deduction,
            departments={card.deductions[str(deduction_id)]["department"] for card in cards},
            summary=_summary(deduction, cards, entry),
            reasons=reasons,
            evidence=evidence,
            calendar=self.calendar,
            by=by,
            at=self.time_source.now(),
        )
        try:
            position = self._commit(deduction, appeal)
        except ConcurrentChange:
            if self._load_or_none(appeal_id_for(deduction_id)) is not None:
                raise DeductionAlreadyAppealed(
                    f"deduction {deduction_id} was already appealed"
                ) from None
            raise
        return AppealView.of(appeal, position)

    def appealable_until(self, deduction_id: UUID, by: Actor) -> datetime | None:
        """Until when `by` may appeal the deduction, or None when they may not (now)."""
        try:
            deduction, cards = self._deduction_and_cards(deduction_id)
            window = appeal_window_closes(deduction.created_on, self.calendar)
            departments = {card.deductions[str(deduction_id)]["department"] for card in cards}
            check_appealable(deduction, departments, by, self.time_source.now(), window)
        except DomainError:
            return None
        return window.due_at

    def get_appeal(self, appeal_id: UUID, viewer: Actor) -> AppealView:
        """One appeal: the appealing department reads its own, inspectors read all."""
        appeal = self._readable(
            self._appeal(appeal_id),
            viewer,
            lambda: NotAppealDepartment("this appeal is not your department's"),
        )
        return AppealView.of(appeal, position=None)

    def uphold_appeal(self, appeal_id: UUID, *, reason: str, by: Actor) -> AppealView:
        """Uphold the deduction (维持扣分): it stands, with the reason."""
        _require_inspector(by)
        appeal = self._appeal(appeal_id)
        appeal.uphold(reason=reason, by=by, at=self.time_source.now())
        return AppealView.of(appeal, self._commit(appeal))

    def grant_appeal(self, appeal_id: UUID, *, reason: str, by: Actor) -> AppealView:
        """Grant the appeal (撤销扣分): the decision and the deduction's revocation, on the
        deduction and every card carrying it, are one save."""
        _require_inspector(by)
        appeal = self._appeal(appeal_id)
        deduction, cards = self._deduction_and_cards(appeal.deduction_id)
        now = self.time_source.now()
        if appeal.grant(reason=reason, deduction=deduction, by=by, at=now):
            for card in cards:
                card.revoke(deduction.id, reason=reason, by=by, at=now)
        return AppealView.of(appeal, self._commit(appeal, deduction, *cards))

    def supervise_appeal(self, appeal_id: UUID, *, note: str, by: Actor) -> AppealView:
        """Supervise an appeal whose decision deadline passed (督办)."""
        _require_inspector(by)
        appeal = self._appeal(appeal_id)
        appeal.supervise(note=note, by=by, at=self.time_source.now())
        return AppealView.of(appeal, self._commit(appeal))


def _require_inspector(actor: Actor) -> None:
    if actor.role is not Role.INSPECTOR:
        raise AppealsForInspectors("appeals are decided by discipline inspectors")


def _summary(deduction: Deduction, cards: list[Scorecard], entry: dict[str, Any]) -> dict[str, Any]:
    """What the appealed deduction cost, as the appeal keeps it for its readers."""
    return {
        "rule": entry["rule"],
        "rule_name": entry["rule_name"],
        "points": entry["points"],
        "occurred_at": entry["occurred_at"],
        "staff": entry.get("staff"),
        "window": entry.get("window"),
        "month": cards[0].month,
        "recorded_at": deduction.created_on.isoformat(),
    }


# Reading the list -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AppealFilter:
    """Which appeals a list shows: by state and appealing department (None: any)."""

    status: str | None = None
    department: str | None = None
    overdue: bool | None = None


@dataclass(frozen=True)
class AppealSummary:
    """One appeal as the lists show it, with the deduction it contests."""

    id: UUID
    deduction_id: UUID
    status: str
    department: str
    reasons: str
    evidence: str | None
    rule: str
    rule_name: str
    points: int
    staff: str | None
    window: str | None
    month: str
    occurred_at: datetime
    filed_at: datetime
    due_at: datetime | None
    overdue: bool
    decided_at: datetime | None
    decision_reason: str | None
    position: int


class AppealQueries(Protocol):
    """The appeal list, read from the read side."""

    async def list_appeals(
        self,
        criteria: AppealFilter,
        *,
        limit: int,
        cursor: str | None,
        after: int | None,
    ) -> Page: ...
