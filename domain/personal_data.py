"""Which fields of which events hold a complainant's personal data, and what stands in for
them once their key is erased (DESIGN §10: erasure is deleting a key).

The event store seals these fields under a data key of their own case; everything else in
an event stays readable, so projections, the audit feed and the ledger work without keys.
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
    "oversight:Case.Registered": ("complainant",),
}


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


def erased() -> dict[str, Any]:
    """A fresh copy of the placeholder of erased personal data."""
    return dict(ERASED)


def is_placeholder(value: object) -> bool:
    """Whether a personal field holds a placeholder (erased or unavailable) instead of data."""
    return isinstance(value, Mapping) and (
        dict(value) == dict(ERASED) or dict(value) == dict(UNAVAILABLE)
    )
