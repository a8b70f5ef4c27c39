"""The shapes of deadline computations at the HTTP edge."""

from __future__ import annotations

from pydantic import BaseModel

from interfaces.choices import TaskKind
from interfaces.http.schemas.cases import DeadlinePublic
from interfaces.http.schemas.office_time import OfficeTime


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
