"""The shapes of rectification order requests and answers at the HTTP edge (§7)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from application.queries import OrderFilter
from application.rectification import OrderView
from domain.labels import described
from domain.rectification import MAX_ORDER_WORKING_DAYS, OrderSourceType, OrderStatus
from interfaces.http.schemas.answers import ReadOff, labelled
from interfaces.http.schemas.attachments import ATTACHMENTS_DESCRIPTION, AttachmentPublic
from interfaces.http.schemas.cases import (
    DIRECTORY_ID,
    JSON_NUMBER,
    REMINDERS_DESCRIPTION,
    Day,
    DeadlinePublic,
    HistoryEntryPublic,
    Strict,
    deadline_task_fields,
)
from interfaces.http.schemas.lists import ListPage, Position
from interfaces.http.schemas.office_time import OfficeTime, Recorded
from interfaces.http.schemas.sources import refuse_visit_source
from interfaces.http.schemas.text import QueryText

# The working days of an order's term, a JSON integer.
WorkingDays = Annotated[int, Field(ge=1, le=MAX_ORDER_WORKING_DAYS), JSON_NUMBER]


class OrderSource(Strict):
    """What led to the order: a case, an inspection, an evaluation, or something else."""

    type: OrderSourceType = Field(description=f"整改来源: {described('order_source')}")
    ref: str | None = Field(
        default=None, max_length=200, description="e.g. the case's tracking number"
    )

    @field_validator("type")
    @classmethod
    def _not_a_visit(cls, value: OrderSourceType) -> OrderSourceType:
        return refuse_visit_source(value)


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
    reminders: list[Recorded] = Field(default_factory=list, description=REMINDERS_DESCRIPTION)
    attachments: list[AttachmentPublic] = Field(
        default_factory=list, description=ATTACHMENTS_DESCRIPTION
    )

    status_label = labelled("order_status", "status")

    @classmethod
    def of(cls, view: OrderView) -> OrderPublic:
        fields = deadline_task_fields(cls, view)
        fields["source"] = {"type": view.source_type, "ref": view.source_ref}
        return cls(**fields)


class OrderHistory(BaseModel):
    """Every event of an order, oldest first."""

    items: list[HistoryEntryPublic]


class OrderListQuery(BaseModel):
    """Filters of the list of rectification orders; unknown parameters are refused."""

    model_config = ConfigDict(extra="forbid")

    status: OrderStatus | None = None
    department: str | None = Field(default=None, pattern=DIRECTORY_ID)
    window: str | None = Field(default=None, pattern=DIRECTORY_ID)
    staff: str | None = Field(default=None, pattern=DIRECTORY_ID)
    overdue: bool | None = Field(
        default=None, description="a deadline (to acknowledge or to rectify) missed, not closed"
    )
    extension_requested: bool | None = None
    q: QueryText | None = Field(
        default=None, min_length=1, max_length=100, description="text in the problem or number"
    )
    issued_from: Day | None = None
    issued_to: Day | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")
    after: Position = None

    @model_validator(mode="after")
    def _range_in_order(self) -> OrderListQuery:
        if self.issued_from and self.issued_to and self.issued_from > self.issued_to:
            raise ValueError("a date range must start before it ends")
        return self

    def criteria(self) -> OrderFilter:
        return OrderFilter(
            status=self.status.value if self.status else None,
            department=self.department,
            window=self.window,
            staff=self.staff,
            overdue=self.overdue,
            extension_requested=self.extension_requested,
            text=self.q,
            issued_from=self.issued_from,
            issued_to=self.issued_to,
        )


class OrderSummaryPublic(ReadOff):
    """One line of the list of rectification orders."""

    id: UUID
    tracking_number: str
    status: OrderStatus
    department: str
    window: str | None
    staff: str | None
    problem: str
    source_type: OrderSourceType
    source_ref: str | None
    issued_at: OfficeTime
    issued_by: str
    acknowledge_due_at: OfficeTime | None
    due_at: OfficeTime | None
    binding_deadline: str | None = Field(
        description="`acknowledge` (签收) or `handle` (整改); none once reported or closed"
    )
    working_seconds_left: int | None = Field(
        description="office time left before the binding deadline; negative once it passed"
    )
    overdue: bool
    clock_stopped: bool
    extension_requested: bool
    supervised: bool
    reports: int
    rejections: int
    closed_at: OfficeTime | None

    status_label = labelled("order_status", "status")


class OrderList(ListPage[OrderSummaryPublic]):
    """A page of rectification orders, newest first; `next` is the following page's cursor."""
