"""The directory_subjects read table: departments, windows and staff as the directory says.

Scores, lists and reports join the deductions with it, so the read side can name every
window and staff member (and score the ones nothing was deducted from) without loading the
Directory aggregate on each request.
"""

from __future__ import annotations

from typing import Any

from application.projections import Row
from domain.directory import Directory

DEPARTMENT, WINDOW, STAFF = "department", "window", "staff"

# The Directory's field names as the table's columns.
_COLUMNS = {"window": "window_id"}

_ADDED = {
    Directory.DepartmentAdded: DEPARTMENT,
    Directory.WindowOpened: WINDOW,
    Directory.StaffJoined: STAFF,
}
_CHANGED = {
    Directory.DepartmentChanged: DEPARTMENT,
    Directory.WindowChanged: WINDOW,
    Directory.StaffChanged: STAFF,
}
_REMOVED = {
    Directory.DepartmentRetired: DEPARTMENT,
    Directory.WindowClosed: WINDOW,
    Directory.StaffLeft: STAFF,
}


def subject_key(kind: str, entry_id: str) -> str:
    return f"{kind}:{entry_id}"


def _entry_of(event: Any) -> tuple[str, str] | None:
    for kind, field in ((DEPARTMENT, "department_id"), (WINDOW, "window_id"), (STAFF, "staff_id")):
        entry_id = getattr(event, field, None)
        if isinstance(entry_id, str):
            return kind, entry_id
    return None


def _added(kind: str, e: Any) -> Row:
    return {
        "kind": kind,
        "name": e.name,
        "name_en": getattr(e, "name_en", None),
        "department": getattr(e, "department", None),
        "window_id": getattr(e, "window", None),
        "zone": getattr(e, "zone", None),
        "post": getattr(e, "post", None),
        "active": True,
    }


class DirectorySubjectsProjection:
    """Keeps `directory_subjects` current from the Directory's events."""

    name = "directory_subjects"
    table = "directory_subjects"
    key = "key"
    topic_prefix = "oversight:Directory."

    def key_of(self, event: Any) -> Any:
        entry = _entry_of(event)
        return subject_key(*entry) if entry else "directory:"

    def project(self, row: Row | None, event: Any, position: int) -> Row | None:
        entry = _entry_of(event)
        if entry is None:
            return row  # the directory's own creation: no row
        kind, entry_id = entry
        kind_of = type(event)
        if kind_of in _ADDED:
            row = {**_added(kind, event), "key": subject_key(kind, entry_id), "id": entry_id}
        elif row is None:
            return None  # unreachable in order: an entry's changes follow its addition
        elif kind_of in _CHANGED:
            row = {**row, **{_COLUMNS.get(k, k): v for k, v in event.changes.items()}}
        elif kind_of in _REMOVED:
            row = {**row, "active": False}
        else:
            return row
        row["updated_at"] = event.timestamp
        row["last_position"] = position
        return row
