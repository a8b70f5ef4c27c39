"""The shapes of deadline computations at the HTTP edge."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from interfaces.choices import TaskKind
from interfaces.http.schemas.cases import DeadlinePublic


class DeadlineComputation(BaseModel):
    """The deadlines a task assigned at `start` would get, and how they were computed."""

    kind: TaskKind
    start: datetime
    urgent: bool
    acknowledge_due_at: datetime
    due_at: datetime | None
    provisional: bool
    explanation: str
    acknowledge_deadline: DeadlinePublic
    deadline: DeadlinePublic | None
