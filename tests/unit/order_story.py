"""An order's default story for the tests of the RectificationOrder aggregate: the moments
it happens at on the real 2026 calendar, and a builder that takes an order up to a point of its
lifecycle."""

from __future__ import annotations

from datetime import datetime
from itertools import count
from uuid import uuid4

from domain.actor import Actor
from domain.calendar import WorkingCalendar
from domain.deadlines import DeadlinePolicy
from domain.rectification import OrderRequest, OrderSourceType, RectificationOrder
from tests.unit.case_story import Given, at

ISSUED_AT = at(11, 27, 10, 30)  # Fri
ACKNOWLEDGED_AT = at(11, 27, 14, 0)  # Fri
REPORTED_AT = at(12, 7, 11, 0)  # Mon


class GivenOrder:
    """Builds an order up to a point of its lifecycle, its events already collected."""

    def __init__(
        self,
        inspector: Actor,
        department: Actor,
        other_department: Actor,
        policy: DeadlinePolicy,
        calendar: WorkingCalendar,
    ) -> None:
        self.inspector = inspector
        self.department = department
        self.other_department = other_department
        self.policy = policy
        self.calendar = calendar
        self.numbers = count(1)

    @classmethod
    def beside(cls, cases: Given) -> GivenOrder:
        """Orders issued by the inspector of the cases' stories to the same department."""
        return cls(
            cases.inspector, cases.department, cases.other_department, cases.policy, cases.calendar
        )

    def issued(
        self,
        *,
        working_days: int | None = None,
        when: datetime = ISSUED_AT,
        collect: bool = True,
        problem: str = "窗口工作人员未落实一次性告知",
        requirements: str = "组织窗口人员学习一次性告知制度并提交整改报告",
    ) -> RectificationOrder:
        request = OrderRequest(
            department=str(self.department.department),
            window="W-A01",
            problem=problem,
            requirements=requirements,
            working_days=working_days,
            source_type=OrderSourceType.INSPECTION,
            source_ref="2026年11月巡查",
        )
        order = RectificationOrder.issue(
            request,
            order_id=uuid4(),
            tracking_number=f"ZG20261127-{next(self.numbers):04d}",
            policy=self.policy,
            calendar=self.calendar,
            by=self.inspector,
            at=when,
        )
        if collect:
            order.collect_events()
        return order

    def acknowledged(self, **options: object) -> RectificationOrder:
        order = self.issued(**options)  # type: ignore[arg-type]
        order.acknowledge(by=self.department, at=ACKNOWLEDGED_AT)
        order.collect_events()
        return order

    def report(self, order: RectificationOrder, when: datetime = REPORTED_AT) -> None:
        order.report(
            measures="已组织全体窗口人员培训，制定告知清单",
            evidence="培训签到表、告知清单",
            by=self.department,
            at=when,
        )

    def reported(self) -> RectificationOrder:
        order = self.acknowledged()
        self.report(order)
        order.collect_events()
        return order

    def reject(self, order: RectificationOrder, when: datetime, working_days: int = 5) -> None:
        order.reject(
            reasons="告知清单未覆盖全部事项",
            working_days=working_days,
            policy=self.policy,
            calendar=self.calendar,
            by=self.inspector,
            at=when,
        )
