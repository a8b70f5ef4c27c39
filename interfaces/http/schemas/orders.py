"""The shapes of rectification order requests and answers at the HTTP edge (§7)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field, computed_field

from application.rectification import OrderView
from domain.labels import described, label
from domain.rectification import MAX_ORDER_WORKING_DAYS, OrderSourceType, OrderStatus
from interfaces.http.schemas.cases import (
    DIRECTORY_ID,
    JSON_NUMBER,
    DeadlinePublic,
    HistoryEntryPublic,
    Strict,
    deadline_task_fields,
)
from interfaces.http.schemas.office_time import OfficeTime, Recorded

# The working days of an order's term, a JSON integer.
WorkingDays = Annotated[int, Field(ge=1, le=MAX_ORDER_WORKING_DAYS), JSON_NUMBER]


class OrderSource(Strict):
    """What led to the order: a case, an inspection, an evaluation, or something else."""

    type: OrderSourceType = Field(description=f"整改来源: {described('order_source')}")
    ref: str | None = Field(
        default=None, max_length=200, description="e.g. the case's tracking number"
    )


class OrderCreate(Strict):
    """A rectification order to issue (下发整改通知)."""

    department: str = Field(pattern=DIRECTORY_ID, description="the department that must rectify")
    window: str | None = Field(default=None, pattern=DIRECTORY_ID)
    staff: str | None = Field(default=None, pattern=DIRECTORY_ID)
    problem: str = Field(min_length=1, max_length=2_000)
    requirements: str = Field(min_length=1, max_length=5_000)
    working_days: WorkingDays | None = Field(
        default=None,
        description="working days to rectify; the deadline policy's default (10) if left out",
    )
    source: OrderSource


class RectificationReportCreate(Strict):
    """What the department did to rectify (整改报告)."""

    measures: str = Field(min_length=1, max_length=10_000)
    evidence: str | None = Field(default=None, max_length=5_000)


class AcceptBody(Strict):
    """The inspector's acceptance of a reported rectification (验收通过)."""

    note: str | None = Field(default=None, max_length=2_000)


class RejectBody(Strict):
    """The inspector's rejection of a report (验收不通过), with a new term."""

    reasons: str = Field(min_length=1, max_length=2_000)
    working_days: WorkingDays


class OrderPublic(BaseModel):
    """A rectification order; `position` is the global position of its last event."""

    id: UUID
    tracking_number: str
    status: OrderStatus = Field(description=f"状态: {described('order_status')}")
    department: str
    window: str | None
    staff: str | None
    problem: str
    requirements: str
    source: Recorded
    working_days: int
    issued_at: OfficeTime
    issued_by: str
    updated_at: OfficeTime
    acknowledged_at: OfficeTime | None
    acknowledge_due_at: OfficeTime | None
    due_at: OfficeTime | None
    acknowledge_deadline: DeadlinePublic | None
    deadline: DeadlinePublic | None
    clock_stopped: bool
    pending_extension: Recorded | None
    reports: list[Recorded]
    rejections: list[Recorded]
    reported_at: OfficeTime | None
    closed_at: OfficeTime | None
    verdict_note: str | None
    supervisions: list[Recorded]
    version: int
    position: int | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        return label("order_status", self.status)

    @classmethod
    def of(cls, view: OrderView) -> OrderPublic:
        fields = deadline_task_fields(cls, view)
        fields["source"] = {"type": view.source_type, "ref": view.source_ref}
        return cls(**fields)


class OrderHistory(BaseModel):
    """Every event of an order, oldest first."""

    items: list[HistoryEntryPublic]
