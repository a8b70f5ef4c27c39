"""The shapes of appeal requests and answers at the HTTP edge (申诉, §15)."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application.appeals import AppealFilter, AppealView
from domain.appeal import AppealStatus
from domain.labels import described
from interfaces.http.schemas.answers import ReadOff, labelled
from interfaces.http.schemas.cases import DIRECTORY_ID, DeadlinePublic, Strict
from interfaces.http.schemas.lists import ListPage, Position
from interfaces.http.schemas.office_time import OfficeTime, Recorded

STATUS_DESCRIPTION = f"状态: {described('appeal_status')}"


class AppealCreate(Strict):
    """A department's appeal of a deduction (申诉): its reasons, and evidence if any."""

    reasons: str = Field(min_length=1, max_length=5_000, description="申诉理由")
    evidence: str | None = Field(default=None, max_length=5_000, description="证据")


class AppealLabels(BaseModel):
    """An appeal's status with its Chinese label beside it."""

    status: AppealStatus = Field(description=STATUS_DESCRIPTION)

    status_label = labelled("appeal_status", "status")


class AppealPublic(AppealLabels):
    """An appeal; `position` is the global position of its last event (after a command)."""

    id: UUID
    deduction_id: UUID
    department: str = Field(description="the appealing department")
    reasons: str
    evidence: str | None
    deduction: Recorded = Field(
        description="what the deduction cost: rule, rule_name, points, staff, window, "
        "occurred_at, month, recorded_at"
    )
    filed_at: OfficeTime
    filed_by: str
    due_at: OfficeTime | None = Field(description="when the inspectors must have decided")
    deadline: DeadlinePublic | None
    overdue: bool = Field(description="the decision deadline passed with the appeal open")
    decided_at: OfficeTime | None
    decided_by: str | None
    decision_reason: str | None
    supervisions: list[Recorded]
    version: int
    position: int | None

    @classmethod
    def of(cls, view: AppealView) -> AppealPublic:
        fields = {name: getattr(view, name) for name in cls.model_fields if hasattr(view, name)}
        fields["deadline"] = DeadlinePublic.of(view.deadline)
        fields["due_at"] = view.deadline.due_at if view.deadline else None
        return cls(**fields)


class AppealListQuery(BaseModel):
    """Filters of the appeal list; unknown parameters are refused."""

    model_config = ConfigDict(extra="forbid")

    status: AppealStatus | None = Field(default=None, description=STATUS_DESCRIPTION)
    department: str | None = Field(
        default=None, pattern=DIRECTORY_ID, description="the appealing department"
    )
    overdue: bool | None = Field(default=None, description="open past its decision deadline")
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")
    after: Position = None

    def criteria(self, department: str | None) -> AppealFilter:
        return AppealFilter(
            status=self.status.value if self.status else None,
            department=department,
            overdue=self.overdue,
        )


class AppealSummaryPublic(AppealLabels, ReadOff):
    """One line of the appeal list, with the deduction it contests."""

    id: UUID
    deduction_id: UUID
    department: str
    reasons: str
    evidence: str | None
    rule: str
    rule_name: str
    points: int
    staff: str | None
    window: str | None
    month: str
    occurred_at: OfficeTime
    filed_at: OfficeTime
    due_at: OfficeTime | None
    overdue: bool
    decided_at: OfficeTime | None
    decision_reason: str | None


class AppealList(ListPage[AppealSummaryPublic]):
    """A page of appeals, the last filed first; `next` is the following page's cursor."""


class AppealMarkPublic(AppealLabels):
    """A deduction's appeal as scores, lists and reports mark it: 申诉中 while open, then
    its outcome and the reason."""

    id: UUID
    reason: str | None = Field(description="the inspectors' reason, once decided")

    @classmethod
    def of(
        cls, appeal_id: UUID | None, status: str | None, reason: str | None
    ) -> AppealMarkPublic | None:
        if appeal_id is None or status is None:
            return None
        return cls(id=appeal_id, status=AppealStatus(status), reason=reason)
