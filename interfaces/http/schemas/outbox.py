"""The shapes of the notifications' outbox at the HTTP edge (§17)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application.notifications import OutboxMessage
from application.queries import Page
from domain.labels import described
from interfaces.http.schemas.answers import ReadOff

OutboxState = Literal["pending", "delivered", "dead", "erased"]


class OutboxQuery(BaseModel):
    """A page of the outbox, of one state if named; unknown parameters are refused."""

    model_config = ConfigDict(extra="forbid")

    state: OutboxState | None = Field(
        default=None, description=f"状态: {described('outbox_state')}"
    )
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")


class OutboxAttemptPublic(ReadOff):
    """One try at delivering the message."""

    attempt: int
    at: datetime
    outcome: Literal["delivered", "failed"]
    detail: str


class OutboxMessagePublic(ReadOff):
    """A notification in the outbox. A citizen's phone shows masked (`138****5678`) and
    their access code as `******`; what was sent to them is kept sealed until delivery."""

    id: UUID
    channel: Literal["sms", "email", "webhook"]
    recipient_kind: Literal["citizen", "department", "inspectors"]
    recipient: str = Field(description="a department's id, `inspectors` or `complainant`")
    masked_address: str
    subject: str
    text: str
    state: OutboxState
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None
    last_error: str | None
    record_type: str = Field(description="`Case`, `RectificationOrder` or `Appeal`")
    record_id: UUID
    case_id: UUID | None
    template: str


class OutboxMessageDetail(OutboxMessagePublic):
    """A message with every attempt at delivering it, oldest first."""

    attempt_log: list[OutboxAttemptPublic]


class OutboxList(BaseModel):
    """A page of the outbox, newest first; `next` is the cursor of the following page."""

    items: list[OutboxMessagePublic]
    next: str | None

    @classmethod
    def of(cls, page: Page) -> OutboxList:
        return cls(items=[OutboxMessagePublic.of(item) for item in page.items], next=page.next)


class CaseNotifications(BaseModel):
    """The notifications of one case, oldest first."""

    items: list[OutboxMessagePublic]

    @classmethod
    def of(cls, messages: list[OutboxMessage]) -> CaseNotifications:
        return cls(items=[OutboxMessagePublic.of(message) for message in messages])
