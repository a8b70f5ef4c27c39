"""The shapes of case requests and answers at the HTTP edge."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from application.views import CaseView, HistoryEntry, RegisteredCase
from domain.case import MAX_EXTENSION_WORKING_DAYS, Channel, Kind, Outcome, Satisfaction, Status
from domain.deadlines import Deadline
from domain.labels import described

DIRECTORY_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
PHONE = r"^\+?[0-9][0-9 -]{5,19}$"


class Strict(BaseModel):
    """Request bodies refuse fields they do not know, so typos are not silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Complainant(Strict):
    """Who brought the case; `anonymous` hides them from everyone but operators and inspectors."""

    name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, pattern=PHONE)
    address: str | None = Field(default=None, max_length=300)
    anonymous: bool = False


class CaseCreate(Strict):
    """A case to register (登记)."""

    kind: Kind = Field(description=f"诉求类型: {described('kind')}")
    channel: Channel = Field(description=f"渠道: {described('channel')}")
    department: str | None = Field(
        default=None,
        pattern=DIRECTORY_ID,
        description="the supervising department; defaults to the window's or staff member's",
    )
    window: str | None = Field(default=None, pattern=DIRECTORY_ID)
    staff: str | None = Field(default=None, pattern=DIRECTORY_ID)
    category: str | None = Field(default=None, max_length=50)
    urgent: bool = False
    summary: str = Field(min_length=1, max_length=200)
    details: str = Field(default="", max_length=10_000)
    complainant: Complainant = Field(default_factory=Complainant)


class CaseAssign(Strict):
    """Hand the case to a department (派单); `final` arbitrates (审定): no more returns."""

    department: str = Field(pattern=DIRECTORY_ID)
    urgent: bool | None = None
    final: bool = False
    note: str | None = Field(default=None, max_length=2_000)


class Reason(Strict):
    """A decision's reason in words."""

    reason: str = Field(min_length=1, max_length=2_000)


class ExtensionCreate(Strict):
    """More working days, asked before the deadline (申请延期)."""

    working_days: int = Field(ge=1, le=MAX_EXTENSION_WORKING_DAYS)
    reason: str = Field(min_length=1, max_length=2_000)


class ProposedDeductionCreate(Strict):
    """A deduction the department proposes with a substantiated result (建议扣分)."""

    rule: str = Field(min_length=1, max_length=64, description="a rule of the conduct catalogue")
    staff: str | None = Field(
        default=None, pattern=DIRECTORY_ID, description="defaults to the case's staff member"
    )
    window: str | None = Field(
        default=None, pattern=DIRECTORY_ID, description="defaults to the case's window"
    )
    points: int | None = Field(default=None, ge=1, le=100, description="the rule's if left out")


class ResultCreate(Strict):
    """What the department found and did, and its answer to the complainant (办理结果)."""

    outcome: Outcome = Field(description=f"办理结果: {described('outcome')}")
    actions: str = Field(default="", max_length=10_000)
    answer: str = Field(min_length=1, max_length=10_000)
    proposed_deduction: ProposedDeductionCreate | None = Field(
        default=None,
        description="only with a `substantiated` complaint or report; an inspector decides",
    )


class CallbackCreate(Strict):
    """The callback to the complainant (回访)."""

    reached: bool
    satisfaction: Satisfaction | None = Field(
        default=None, description=f"满意度: {described('satisfaction')}"
    )
    comment: str | None = Field(default=None, max_length=2_000)

    @model_validator(mode="after")
    def _satisfaction_when_reached(self) -> CallbackCreate:
        if self.reached != (self.satisfaction is not None):
            raise ValueError("give satisfaction when the complainant was reached, and only then")
        return self


class MergeCreate(Strict):
    """Merge this case into the first case about the same facts."""

    into: UUID


class NoteCreate(Strict):
    """A note; public ones appear on the citizen's timeline."""

    text: str = Field(min_length=1, max_length=5_000)
    public: bool = False


class SuperviseCreate(Strict):
    """An inspector's escalation of an overdue case (督办)."""

    note: str = Field(min_length=1, max_length=2_000)


class DeadlinePublic(BaseModel):
    """A deadline and how it was computed."""

    due_at: datetime
    policy: str
    unit: str
    amount: int
    counted_from: datetime
    calendar_version: str
    provisional: bool
    explanation: str

    @classmethod
    def of(cls, deadline: Deadline | None) -> DeadlinePublic | None:
        return None if deadline is None else cls(**deadline.as_dict())  # type: ignore[arg-type]


class CasePublic(BaseModel):
    """A case as the caller may see it; `position` is the global position of its last event."""

    id: UUID
    tracking_number: str
    kind: Kind
    channel: Channel
    status: Status = Field(description=f"状态: {described('status')}")
    department: str | None
    assigned_department: str | None
    window: str | None
    staff: str | None
    category: str | None
    urgent: bool
    final: bool
    summary: str
    details: str
    complainant: dict[str, Any] | None
    registered_at: datetime
    updated_at: datetime
    assigned_at: datetime | None
    acknowledged_at: datetime | None
    acknowledge_due_at: datetime | None
    due_at: datetime | None
    acknowledge_deadline: DeadlinePublic | None
    deadline: DeadlinePublic | None
    clock_stopped: bool
    pending_extension: dict[str, Any] | None
    result: dict[str, Any] | None
    answered_at: datetime | None
    satisfaction: Satisfaction | None
    callbacks: list[dict[str, Any]]
    closed_at: datetime | None
    reopenings: int
    merged_into: UUID | None
    duplicates: list[UUID]
    notes: list[dict[str, Any]]
    supervisions: list[dict[str, Any]]
    version: int
    position: int | None
    proposed_deduction: dict[str, Any] | None = Field(
        default=None,
        description=f"rule, staff, window, points, status: {described('proposal_status')}",
    )

    @classmethod
    def of(cls, view: CaseView) -> CasePublic:
        fields = {name: getattr(view, name) for name in cls.model_fields if hasattr(view, name)}
        fields["acknowledge_deadline"] = DeadlinePublic.of(view.acknowledge_deadline)
        fields["deadline"] = DeadlinePublic.of(view.deadline)
        fields["acknowledge_due_at"] = (
            view.acknowledge_deadline.due_at if view.acknowledge_deadline else None
        )
        fields["due_at"] = view.deadline.due_at if view.deadline else None
        return cls(**fields)


class CaseRegistered(CasePublic):
    """A new case, with the access code the citizen needs; it is shown only this once."""

    access_code: str

    @classmethod
    def of_registered(cls, registered: RegisteredCase) -> CaseRegistered:
        public = CasePublic.of(registered.case)
        return cls(**public.model_dump(), access_code=registered.access_code)


class HistoryEntryPublic(BaseModel):
    """One event: what happened, when, by whom, why, through which request."""

    version: int
    type: str
    at: datetime
    actor: dict[str, Any] | None
    reason: str | None
    request_id: str | None
    fields: dict[str, Any]

    @classmethod
    def of(cls, entry: HistoryEntry) -> HistoryEntryPublic:
        return cls(**vars(entry))


class CaseHistory(BaseModel):
    """Every event of a case, oldest first."""

    items: list[HistoryEntryPublic]
