"""Deductions a department proposes with a substantiated result, decided by an inspector."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from application.cases import CaseVerbs
from application.discipline import DisciplineVerbs
from application.views import CaseView
from domain.actor import Actor
from domain.calendar import OFFICE_TZ
from domain.case import Case
from domain.scorecard import DeductionRequest, SourceType

PROPOSED_DEDUCTION_NAMESPACE: UUID = uuid5(NAMESPACE_URL, "oversight:proposed-deduction")


def proposed_deduction_id(case_id: UUID, result_version: int) -> UUID:
    """The id under which the deduction proposed with one result of a case is recorded: the
    same on every retry, another for a later result of a reopened case."""
    return uuid5(PROPOSED_DEDUCTION_NAMESPACE, f"{case_id}/{result_version}")


class ProposalVerbs(DisciplineVerbs, CaseVerbs):
    """Confirm (record on the scorecards) or dismiss a deduction proposed with a result."""

    def confirm_proposed_deduction(self, case_id: UUID, by: Actor) -> CaseView:
        """Record the proposed deduction on the scorecards, then mark it confirmed on the case.

        Two saves: the deduction (under an id derived from the case's, so a retry gets the
        first answer and records nothing twice), then the confirmation on the case.
        """
        case = self._case(case_id)
        proposal = case.proposal_to_decide()
        deduction_id = proposed_deduction_id(case.id, int(proposal["result_version"]))
        self.record_deduction(_request(case, proposal), by, deduction_id=deduction_id)
        case.confirm_proposed_deduction(deduction_id=deduction_id, by=by, at=self.time_source.now())
        return self._answer(case, by)

    def dismiss_proposed_deduction(self, case_id: UUID, *, reason: str, by: Actor) -> CaseView:
        """Dismiss the proposed deduction, with the reason (不予扣分)."""
        return self._on_case(case_id, by, Case.dismiss_proposed_deduction, reason=reason)


def _request(case: Case, proposal: dict[str, object]) -> DeductionRequest:
    points = proposal.get("points")
    return DeductionRequest(
        rule=str(proposal["rule"]),
        staff=_text_or_none(proposal.get("staff")),
        window=_text_or_none(proposal.get("window")),
        # The act happened before the complaint about it: its registration is the best
        # moment on record, and it stays the same on a retry.
        occurred_at=case.created_on,
        evidence=(
            f"工单 {case.tracking_number}：承办部门办理结果认定投诉属实，"
            f"建议扣分（{_in_office_time(proposal['proposed_at'])}）"
        ),
        source_type=SourceType.CASE,
        source_ref=case.tracking_number,
        points=points if isinstance(points, int) else None,
    )


def _in_office_time(recorded: object) -> str:
    """A moment the case recorded, as people at the centre read a clock (and answers say)."""
    return datetime.fromisoformat(str(recorded)).astimezone(OFFICE_TZ).isoformat()


def _text_or_none(value: object) -> str | None:
    return str(value) if value else None
