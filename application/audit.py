"""The audit trail (§8): every record's history, the event feed, and the tamper-evident ledger.

Inspectors read the full history of any record straight from the event store, a person's
history and the global feed from the `audit_events` read table, and verify the ledger that
chains every stored event. This module holds what those answer and the ports that
infrastructure implements; the verbs on records are `AuditVerbs`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from application.base import OversightApplication
from application.projections.audit_events import (
    SECRET_FIELDS,
    event_type_of,
    plain,
    record_type_of,
)
from domain.actor import Actor, Role
from domain.errors import Forbidden, NotFound
from domain.labels import label
from domain.personal_data import ERASURE_TOPICS, with_personal_fields_erased

# Fields of an event that are the library's bookkeeping, not what happened.
EVENT_BOOKKEEPING = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic"}
)
REASON_FIELDS = ("reason", "note")

Progress = Callable[[int, int], None]


class AuditForInspectors(Forbidden):
    """The audit trail is for discipline inspectors (§3)."""

    code = "role_not_allowed"


class RecordNotFound(NotFound):
    """No record (aggregate) has this id."""

    code = "record_not_found"


class Problem(StrEnum):
    """What verification found wrong at the first bad position."""

    ALTERED = "altered"
    MISSING = "missing"
    INSERTED = "inserted"
    REORDERED = "reordered"
    TRUNCATED_AFTER_CHECKPOINT = "truncated_after_checkpoint"
    FORGED_CHECKPOINT = "forged_checkpoint"
    FOREIGN_CHECKPOINT = "foreign_checkpoint"


# The record's history ----------------------------------------------------------------


@dataclass(frozen=True)
class RecordHistoryEntry:
    """One event of a record, in words an inspector can read."""

    version: int
    type: str
    label: str
    at: datetime | None
    actor: dict[str, Any] | None
    reason: str | None
    request_id: str | None
    fields: dict[str, Any] = field(default_factory=dict)
    readable: bool = True


@dataclass(frozen=True)
class RecordHistory:
    """Every event of one record (case, rectification order, scorecard, directory…)."""

    id: UUID
    type: str
    entries: list[RecordHistoryEntry]


def history_entry(event: Any, topic: str) -> RecordHistoryEntry:
    """One decoded event as an inspector reads it: everything recorded but secrets."""
    actor = getattr(event, "actor", None)
    fields = {
        name: plain(value)
        for name, value in vars(event).items()
        if name not in EVENT_BOOKKEEPING and name != "actor" and name not in SECRET_FIELDS
    }
    reason = next((fields[name] for name in REASON_FIELDS if fields.get(name)), None)
    event_type = event_type_of(topic)
    return RecordHistoryEntry(
        version=event.originator_version,
        type=event_type,
        label=label("event", event_type),
        at=getattr(event, "timestamp", None),
        actor=actor.as_dict() if isinstance(actor, Actor) else None,
        reason=reason if isinstance(reason, str) else None,
        request_id=actor.request_id if isinstance(actor, Actor) else None,
        fields=fields,
    )


def unreadable_entry(version: int, topic: str) -> RecordHistoryEntry:
    """An event that cannot be decoded any more (e.g. its personal-data key was erased)."""
    event_type = event_type_of(topic)
    return RecordHistoryEntry(
        version=version,
        type=event_type,
        label=label("event", event_type),
        at=None,
        actor=None,
        reason=None,
        request_id=None,
        readable=False,
    )


class AuditVerbs(OversightApplication):
    """Reading the history of any record, for inspectors."""

    def record_history(self, record_id: UUID, viewer: Actor) -> RecordHistory:
        """Every event of any record, read from the event store (inspectors only)."""
        if viewer.role is not Role.INSPECTOR:
            raise AuditForInspectors("the full event history is for discipline inspectors")
        stored = self.recorder.select_events(record_id)
        if not stored:
            raise RecordNotFound(f"there is no record {record_id}")
        erased = any(record.topic in ERASURE_TOPICS for record in stored)
        entries = []
        for record in stored:
            try:
                event = self.mapper.to_domain_event(record)
            except Exception:  # an erased key or an unknown topic: say so and go on
                entries.append(unreadable_entry(record.originator_version, record.topic))
                continue
            entry = history_entry(event, record.topic)
            if erased:
                fields = with_personal_fields_erased(type(event), entry.fields)
                entry = replace(entry, fields=fields)
            entries.append(entry)
        return RecordHistory(id=record_id, type=record_type_of(stored[0].topic), entries=entries)


# The event feed --------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    """Which events the feed shows; None means "any"."""

    start: datetime | None = None
    end: datetime | None = None
    actor: str | None = None
    department: str | None = None
    type: str | None = None


@dataclass(frozen=True)
class AuditEvent:
    """One event of the feed, without personal data."""

    position: int
    at: datetime
    record_id: UUID
    record_type: str
    version: int
    type: str
    label: str
    actor: dict[str, Any] | None
    request_id: str | None
    reason: str | None
    subjects: dict[str, list[str]]
    changes: dict[str, Any]
    readable: bool


@dataclass(frozen=True)
class AuditPage:
    """A page of the feed, newest first, and the cursor of the next one."""

    items: list[AuditEvent]
    next: str | None
    position: int


class AuditQueries(Protocol):
    """The feed and a person's history, read from the audit_events table."""

    async def events(
        self, criteria: AuditFilter, *, limit: int, cursor: str | None
    ) -> AuditPage: ...

    async def staff_history(
        self, staff_id: str, *, limit: int, cursor: str | None
    ) -> AuditPage: ...


# The ledger ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement of the ledger's head, as exported (JSON) for keeping elsewhere."""

    number: int
    position: int
    chain_hash: str
    made_at: str
    previous: str | None
    key_id: str
    statement: str
    signature: str
    public_key: str
    hash: str

    def as_export(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "position": self.position,
            "chain_hash": self.chain_hash,
            "made_at": self.made_at,
            "previous": self.previous,
            "key_id": self.key_id,
            "hash": self.hash,
            "statement": self.statement,
            "signature": self.signature,
            "public_key": self.public_key,
        }


@dataclass(frozen=True)
class VerificationReport:
    """What verification found: all well, or the first bad position and what is wrong there."""

    ok: bool
    checked: int
    first_bad_position: int | None
    problem: Problem | None
    message: str
    checkpoints: int = 0
    unledgered: int = 0
    seconds: float = 0.0
    # Evidence files (§17): stored files checked against their recorded hashes; those
    # erased with their case's personal data; each one missing or altered, by its event.
    files_checked: int = 0
    files_erased: int = 0
    file_problems: tuple[Any, ...] = ()


@dataclass(frozen=True)
class CheckpointCheck:
    """What checking one checkpoint (perhaps from elsewhere) found."""

    ok: bool
    problem: Problem | None
    position: int | None
    message: str


@dataclass(frozen=True)
class PublicKeyText:
    """The public key that checks checkpoints, as base64 (raw 32 bytes) and PEM."""

    key_id: str
    base64: str
    pem: str


class AuditLedger(Protocol):
    """The ledger, its checkpoints and their verification."""

    def verify(self, progress: Progress | None = None) -> VerificationReport: ...

    def checkpoints(self) -> list[Checkpoint]: ...

    def make_checkpoint(self) -> Checkpoint: ...

    def check_checkpoint(self, exported: Mapping[str, Any]) -> CheckpointCheck: ...

    def public_key(self) -> PublicKeyText: ...
