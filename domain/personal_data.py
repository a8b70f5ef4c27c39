"""Which fields of which events hold a complainant's personal data, and what stands in for
them once their key is erased (DESIGN §10: erasure is deleting a key).

The event store seals these fields under a data key of their own case; everything else in
an event stays readable, so projections, the audit feed and the ledger work without keys.
Besides the complainant, a case's summary and details are sealed, and so is a rating's
comment: people type names and phone numbers into free text, and what erasure cannot
reach stays readable for ever.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.errors import Conflict, Forbidden

# What a personal field reads as once its key is erased.
ERASED: Mapping[str, Any] = {"erased": True}
# What it reads as when its key cannot be found at all: not erased, but not readable either
# (a key table restored from an older backup than the events, for instance).
UNAVAILABLE: Mapping[str, Any] = {"unavailable": True}

# Events declare their personal fields here by stable topic (so the declaration survives a
# class moving), or with a class attribute `PERSONAL_FIELDS = ("field", ...)`. A field is
# declared whole: its value, however nested, is sealed as one.
PERSONAL_FIELDS_BY_TOPIC: Mapping[str, tuple[str, ...]] = {
    # `notification`: the access code for the registration SMS, when the citizen agreed to SMS.
    "oversight:Case.Registered": ("complainant", "summary", "details", "notification"),
    "oversight:Evaluation.Rated": ("comment",),
}
# The events that erase their record's personal data.
ERASURE_TOPICS = frozenset({"oversight:Case.PersonalDataErased"})
# What sealed free text reads as once its key is erased, or when its key cannot be found:
# the record stays usable (kind, window, status, dates), its words are gone.
ERASED_TEXT = "（已删除个人信息）"
UNAVAILABLE_TEXT = "（个人信息暂不可读）"


class PersonalDataAlreadyErased(Conflict):
    """The personal data of this case was erased already; erasure happens once."""

    code = "personal_data_already_erased"


class ErasureForInspectors(Forbidden):
    """Only discipline inspectors decide to erase a complainant's personal data."""

    code = "erasure_for_inspectors"


def personal_fields_of(event_class: type) -> tuple[str, ...]:
    """The names of the fields of events of this class that hold personal data."""
    declared = getattr(event_class, "PERSONAL_FIELDS", None)
    if declared is not None:
        return tuple(declared)
    return PERSONAL_FIELDS_BY_TOPIC.get(getattr(event_class, "TOPIC", ""), ())


def with_personal_fields_erased(event_class: type, fields: Mapping[str, Any]) -> dict[str, Any]:
    """An event's fields with each personal one read as erased: how a record whose personal
    data was erased shows its events, also those stored in plaintext before sealing existed
    (their stored bytes keep it: rewriting history would break the ledger)."""
    personal = personal_fields_of(event_class)
    return {name: erased() if name in personal else value for name, value in fields.items()}


def erased() -> dict[str, Any]:
    """A fresh copy of the placeholder of erased personal data."""
    return dict(ERASED)


def is_placeholder(value: object) -> bool:
    """Whether a personal field holds a placeholder (erased or unavailable) instead of data."""
    return isinstance(value, Mapping) and (
        dict(value) == dict(ERASED) or dict(value) == dict(UNAVAILABLE)
    )


def personal_text(value: object) -> str | None:
    """Sealed free text as readers show it: the text itself, or the words that stand in for
    it once its key is erased or cannot be found; None stays None."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping) and dict(value) == dict(ERASED):
        return ERASED_TEXT
    return UNAVAILABLE_TEXT
