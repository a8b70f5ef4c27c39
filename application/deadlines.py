"""Previewing deadlines: what a task assigned at a given moment would be given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.calendar import WorkingCalendar
from domain.deadlines import Deadline, DeadlinePolicy
from domain.errors import Invalid


class NaiveStart(Invalid):
    """A start moment needs its UTC offset, e.g. 2026-11-27T09:00:00+08:00."""

    code = "start_without_timezone"


@dataclass(frozen=True)
class DeadlinePreview:
    """Both deadlines of a task, and whether any of them rests on a provisional calendar."""

    kind: str
    start: datetime
    urgent: bool
    acknowledge: Deadline
    handling: Deadline | None

    @property
    def provisional(self) -> bool:
        return self.acknowledge.provisional or bool(self.handling and self.handling.provisional)

    @property
    def explanation(self) -> str:
        parts = [self.acknowledge.explanation]
        if self.handling is not None:
            parts.append(self.handling.explanation)
        else:
            parts.append(f"A {self.kind} has no handling deadline.")
        return " ".join(parts)


def preview_deadlines(
    policy: DeadlinePolicy, calendar: WorkingCalendar, kind: str, start: datetime, urgent: bool
) -> DeadlinePreview:
    """Compute both deadlines of a task of `kind` assigned at `start`."""
    if start.tzinfo is None:
        raise NaiveStart(f"{start.isoformat()} has no UTC offset; add one, e.g. +08:00")
    return DeadlinePreview(
        kind=kind,
        start=start,
        urgent=urgent,
        acknowledge=policy.acknowledge_deadline(kind, start, urgent, calendar),
        handling=policy.handling_deadline(kind, start, urgent, calendar),
    )
