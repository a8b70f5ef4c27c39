"""Superior departments and escalation (提级督办, DESIGN §15).

A department's superior (上级主管部门) reads the boards of the departments below it, directly
or through others, read only. Work still overdue 5 working days after supervision is
escalated by the deadline clock (domain/task.py, `Escalated`) to the direct superior, which
may then direct its subordinate: a supervision note and a new due date (`Directed`).
"""

from __future__ import annotations

from uuid import UUID

from application.cases import CaseVerbs
from application.rectification import OrderView, RectificationVerbs
from application.views import CaseView
from domain.actor import Actor, Role
from domain.case import Case
from domain.rectification import RectificationOrder


class EscalationVerbs(RectificationVerbs, CaseVerbs):
    """What a superior department reads and directs."""

    def direct_case(self, case_id: UUID, *, note: str, working_days: int, by: Actor) -> CaseView:
        """The superior directs an escalated case (下达督办意见): a note and a new due date."""
        return self._on_case(
            case_id,
            by,
            Case.direct,
            note=note,
            working_days=working_days,
            policy=self.policy,
            calendar=self.calendar,
        )

    def direct_order(self, order_id: UUID, *, note: str, working_days: int, by: Actor) -> OrderView:
        """The superior directs an escalated rectification order, as it does a case."""
        return self._on_order(
            order_id,
            by,
            RectificationOrder.direct,
            note=note,
            working_days=working_days,
            policy=self.policy,
            calendar=self.calendar,
        )

    def subordinates(self, department_id: str) -> tuple[str, ...]:
        """The active departments below this one, directly or through others."""
        return self.directory().subordinates_of(department_id)

    def may_read_board(self, viewer: Actor, department_id: str) -> bool:
        """Whether `viewer` reads this department's board: the centre's staff read every
        board, a department its own and, read only, those of every department below it."""
        if viewer.role is not Role.DEPARTMENT:
            return True
        own = viewer.department
        return own == department_id or (own is not None and department_id in self.subordinates(own))
