"""What commands and queries answer: plain data, shaped for the viewer's role (§3)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from domain.actor import Actor
from domain.attachment import listed_entries
from domain.case import Case, CaseAction
from domain.deadlines import Deadline
from domain.privacy import complainant_for, identity_stand_ins, with_stand_ins

_View = TypeVar("_View")


def view_of(view: type[_View], record: Any, **worded_otherwise: Any) -> _View:
    """A `view` (a dataclass) of `record`: each field is the record's attribute of the same
    name, but for `worded_otherwise`, the fields the view takes from elsewhere."""
    same = {
        name: getattr(record, name)
        for name in (f.name for f in fields(view))  # type: ignore[arg-type]
        if name not in worded_otherwise
    }
    return view(**same, **worded_otherwise)


@dataclass(frozen=True)
class CaseView:
    """A case as one viewer may see it, with the global position of its last event."""

    id: UUID
    tracking_number: str
    kind: str
    channel: str
    status: str
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
    acknowledge_deadline: Deadline | None
    deadline: Deadline | None
    clock_stopped: bool
    pending_extension: dict[str, Any] | None
    result: dict[str, Any] | None
    answered_at: datetime | None
    satisfaction: str | None
    callbacks: list[dict[str, Any]]
    closed_at: datetime | None
    reopenings: int
    merged_into: str | None
    duplicates: list[str]
    notes: list[dict[str, Any]]
    supervisions: list[dict[str, Any]]
    version: int
    position: int | None
    # {rule, staff, window, points, status: proposed|confirmed|dismissed, ...} or None.
    proposed_deduction: dict[str, Any] | None = None
    # {evaluation, window, rating, comment, rated_at, added_at}: the bad ratings on the case.
    bad_ratings: list[dict[str, Any]] = field(default_factory=list)
    # Reminders sent by hand (人工催办): at, message, department, role, name.
    reminders: list[dict[str, Any]] = field(default_factory=list)
    # The service item of the catalogue the case is about (事项, §16), if named.
    item: str | None = None
    # {type: "visit", ref: <the visit's id>} when an inspection visit found it (§16).
    source: dict[str, str] | None = None
    # Evidence files (附件, §17): id, name, content_type, size, sha256, attached_at, by.
    attachments: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, case: Case, viewer: Actor, position: int | None) -> CaseView:
        stand_ins = identity_stand_ins(viewer, case.kind.value, case.complainant)

        def told(value: Any) -> Any:
            return with_stand_ins(value, stand_ins)

        return view_of(
            cls,
            case,
            kind=case.kind.value,
            channel=case.channel.value,
            status=case.status.value,
            summary=told(case.summary),
            details=told(case.details),
            complainant=complainant_for(viewer, case.kind.value, case.complainant),
            registered_at=case.created_on,
            updated_at=case.modified_on,
            pending_extension=told(case.pending_extension),
            result=told(case.result),
            callbacks=told(list(case.callbacks)),
            duplicates=list(case.duplicates),
            notes=told(list(case.notes)),
            supervisions=told(list(case.supervisions)),
            position=position,
            proposed_deduction=told(case.proposed_deduction),
            bad_ratings=told(list(case.bad_ratings)),
            reminders=told(list(case.hand_reminders)),
            attachments=listed_entries(case, viewer),
        )


@dataclass(frozen=True)
class RegisteredCase:
    """A newly registered case, with the access code that is shown only this once."""

    case: CaseView
    access_code: str


@dataclass(frozen=True)
class HistoryEntry:
    """One event in a record's history, in words an inspector can read."""

    version: int
    type: str
    at: datetime
    actor: dict[str, Any] | None
    reason: str | None
    request_id: str | None
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TimelineStep:
    """One event of a case as the case page tells it: what (`event`, e.g. `Case.Assigned`),
    when, who (the person's name when a person acted, and their role), why, and whether it
    is an internal note."""

    event: str
    at: datetime
    actor_name: str | None
    actor_role: str | None
    text: str | None
    internal: bool = False


@dataclass(frozen=True)
class CaseFile:
    """What the case page shows one viewer: the case, the actions open to them now, and the
    timeline of who did what, when and why."""

    case: CaseView
    actions: tuple[CaseAction, ...]
    timeline: list[TimelineStep]
    # Office time left before each deadline while it binds (negative once past), else None.
    acknowledge_seconds_left: int | None = None
    seconds_left: int | None = None
