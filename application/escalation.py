"""Superior departments and escalation (提级督办, DESIGN §15).

A department's superior (上级主管部门) reads the boards of the departments below it, directly
or through others, read only. Work still overdue 5 working days after supervision is
escalated by the deadline clock (domain/task.py, `Escalated`) to the direct superior, which
may then direct its subordinate: a supervision note and a new due date (`Directed`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from application.cases import CaseVerbs
from application.rectification import OrderView, RectificationVerbs
from application.views import CaseView
from domain.actor import Actor, Role
from domain.case import Case
from domain.rectification import RectificationOrder
from domain.task import NotTheSuperior, Task


class EscalationVerbs(RectificationVerbs, CaseVerbs):
    """What a superior department reads and directs."""

    def direct_case(self, case_id: UUID, *, note: str, working_days: int, by: Actor) -> CaseView:
        """The superior directs an escalated case (下达督办意见): a note and a new due date."""
        return self._on_case(
            case_id,
            by,
            self._by_the_superior(Case.direct),
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
            self._by_the_superior(RectificationOrder.direct),
            note=note,
            working_days=working_days,
            policy=self.policy,
            calendar=self.calendar,
        )

    def _by_the_superior(self, direct: Callable[..., None]) -> Callable[..., None]:
        """`direct`, refused first to anyone but the superior the directory names for the
        department holding the task: so no one else learns whether it was escalated."""

        def directed(task: Task, *, by: Actor, **arguments: Any) -> None:
            holder = getattr(task, "department", None)  # cases and orders both keep it
            superior = self.directory().superior_of(holder) if holder else None
            if not by.acts_for(superior):
                raise NotTheSuperior(f"{task.label} is not held by a department below yours")
            direct(task, by=by, **arguments)

        return directed

    def may_direct(self, task_id: UUID, viewer: Actor) -> bool:
        """Whether `viewer` may direct this case or order now (the form its page shows)."""
        task = self._load_or_none(task_id)
        return isinstance(task, Task) and task.takes_direction_from(viewer)

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
