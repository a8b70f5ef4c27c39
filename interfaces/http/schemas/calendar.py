"""The shapes of deadline computations at the HTTP edge."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from interfaces.http.schemas.cases import DeadlinePublic
from interfaces.http.schemas.office_time import OfficeTime


class TaskKind(StrEnum):
    """What the deadline is for: a case kind, or a rectification order."""

    COMPLAINT = "complaint"
    REPORT = "report"
    REQUEST = "request"
    CONSULTATION = "consultation"
    SUGGESTION = "suggestion"
    PRAISE = "praise"
    RECTIFICATION_ORDER = "rectification_order"


class DeadlineComputation(BaseModel):
    """The deadlines a task assigned at `start` would get, and how they were computed."""

    kind: TaskKind
    start: OfficeTime
    urgent: bool
    acknowledge_due_at: OfficeTime
    due_at: OfficeTime | None
    provisional: bool
    explanation: str
    acknowledge_deadline: DeadlinePublic
    deadline: DeadlinePublic | None
