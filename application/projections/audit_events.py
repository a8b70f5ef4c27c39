"""The audit_events read table: one row per event, for the inspectors' feed (§8).

A row says where the event stands in the log, on which record, what kind of event, when,
who (principal, name, role, department) through which request, why, which staff members, windows
and departments it concerns, and what it changed — without complainants' personal data:
their name, phone and address are never copied here (the record's own history reads the
event store instead), and free text that quotes them is masked.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from application.projections import Row
from domain.actor import Actor
from domain.personal_data import personal_fields_of

PROJECTION_NAME = "audit_events"
SUBJECT_KINDS = ("staff", "window", "department")
MASK = "***"

# Which fields of an event name a subject, by kind.
_SUBJECT_FIELDS = {
    "staff": ("staff", "staff_id"),
    "window": ("window", "window_id"),
    "department": ("department", "department_id", "assigned_department"),
}
# The subjects a record is about, named when it was created (a case about a window and staff
# member, a scorecard of one of them), concern every later event of the record too.
INHERITED_KINDS = ("staff", "window")

_BOOKKEEPING = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})
# Secrets and their digests or hashes: shown to nobody, not even inspectors (the record's
# history leaves them out too). An account's password hash and second-factor secret are
# also sealed in the store (domain/account.py).
SECRET_FIELDS = frozenset({"access_code_hash", "digest", "password_hash", "secret"})
# Never copied: complainants' identity and words, secrets, and the keyed digest of the
# client a rating came from; besides these, every field an event declares personal
# (domain.personal_data) is left out.
NEVER_COPIED = SECRET_FIELDS | frozenset(
    {"complainant", "details", "comment", "phone", "address", "client"}
)
_REASON_FIELDS = ("reason", "note")
_MIN_MASKED_LENGTH = 2

Subjects = dict[str, set[str]]


def event_type_of(topic: str) -> str:
    """`Case.Acknowledged` from the stable topic `oversight:Case.Acknowledged`."""
    return topic.partition(":")[2] or topic


def record_type_of(topic: str) -> str:
    """`Case` from the stable topic `oversight:Case.Acknowledged`."""
    return event_type_of(topic).split(".", 1)[0]


def plain(value: Any) -> Any:
    """A value as JSON can hold it: moments as ISO 8601, value objects as mappings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "as_dict"):
        return plain(value.as_dict())
    if is_dataclass(value) and not isinstance(value, type):
        return plain(asdict(value))
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    return value


def no_subjects() -> Subjects:
    return {kind: set() for kind in SUBJECT_KINDS}


def subjects_named(event: Any) -> Subjects:
    """The staff members, windows and departments an event names in its fields."""
    named = no_subjects()
    fields = vars(event)
    sources = [fields]
    if isinstance(fields.get("changes"), dict):
        sources.append(fields["changes"])
    for source in sources:
        for kind, names in _SUBJECT_FIELDS.items():
            for name in names:
                value = source.get(name)
                if isinstance(value, str) and value:
                    named[kind].add(value)
        kind = source.get("subject_kind")
        if kind in named and isinstance(source.get("subject_id"), str):
            named[kind].add(source["subject_id"])
    return named


def inherited_subjects(event: Any) -> Subjects:
    """What a record's creating event says the whole record is about."""
    named = subjects_named(event)
    return {kind: named[kind] if kind in INHERITED_KINDS else set() for kind in SUBJECT_KINDS}


def personal_strings(event: Any) -> set[str]:
    """The complainant's name, phone and address an event carries, to mask in free text."""
    found: set[str] = set()
    complainant = getattr(event, "complainant", None)
    if isinstance(complainant, dict):
        for key in ("name", "phone", "address"):
            value = complainant.get(key)
            if isinstance(value, str) and len(value.strip()) >= _MIN_MASKED_LENGTH:
                found.add(value.strip())
                digits = "".join(ch for ch in value if ch.isdigit())
                if key == "phone" and len(digits) >= _MIN_MASKED_LENGTH:
                    found.add(digits)
    return found


def masked(value: Any, secrets: Collection[str]) -> Any:
    """`value` with every occurrence of the given strings replaced by ***."""
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in sorted(secrets, key=len, reverse=True):
            value = value.replace(secret, MASK)
        return value
    if isinstance(value, dict):
        return {key: masked(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item, secrets) for item in value]
    return value


def audit_row(
    event: Any,
    *,
    position: int,
    topic: str,
    inherited: Subjects | None = None,
    personal: Collection[str] = (),
) -> Row:
    """The feed's row for one decoded event."""
    actor = getattr(event, "actor", None)
    actor = actor if isinstance(actor, Actor) else None
    subjects = subjects_named(event)
    for kind, ids in (inherited or {}).items():
        subjects[kind] |= ids
    if actor is not None and actor.department:
        subjects["department"].add(actor.department)
    left_out = NEVER_COPIED | set(personal_fields_of(type(event)))
    changes = {
        name: masked(plain(value), personal)
        for name, value in vars(event).items()
        if name not in _BOOKKEEPING and name != "actor" and name not in left_out
    }
    reason = next((changes[name] for name in _REASON_FIELDS if changes.get(name)), None)
    return {
        "position": position,
        "record_id": event.originator_id,
        "record_type": record_type_of(topic),
        "version": event.originator_version,
        "event_type": event_type_of(topic),
        "at": getattr(event, "timestamp", None),
        "actor_principal": actor.principal if actor else None,
        "actor_role": actor.role.value if actor else None,
        "actor_name": actor.name if actor else None,
        "actor_department": actor.department if actor else None,
        "request_id": actor.request_id if actor else None,
        "reason": reason if isinstance(reason, str) else None,
        "staff_ids": sorted(subjects["staff"]),
        "window_ids": sorted(subjects["window"]),
        "department_ids": sorted(subjects["department"]),
        "changes": changes,
        "readable": True,
    }


def unreadable_row(
    *, position: int, record_id: UUID, version: int, topic: str, inherited: Subjects | None = None
) -> Row:
    """The row of an event that cannot be decoded (its key was erased): where and what only."""
    subjects = inherited or no_subjects()
    return {
        "position": position,
        "record_id": record_id,
        "record_type": record_type_of(topic),
        "version": version,
        "event_type": event_type_of(topic),
        "at": None,
        "actor_principal": None,
        "actor_role": None,
        "actor_name": None,
        "actor_department": None,
        "request_id": None,
        "reason": None,
        "staff_ids": sorted(subjects.get("staff", ())),
        "window_ids": sorted(subjects.get("window", ())),
        "department_ids": sorted(subjects.get("department", ())),
        "changes": {},
        "readable": False,
    }


def subject_links(row: Row) -> Iterable[tuple[str, str, int]]:
    """The (kind, id, position) entries of the index a person's history is read from."""
    for kind, column in (
        ("staff", "staff_ids"),
        ("window", "window_ids"),
        ("department", "department_ids"),
    ):
        for subject_id in row[column]:
            yield kind, subject_id, row["position"]
