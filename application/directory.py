"""Verbs on the centre's directory: departments, windows and staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from application.base import OversightApplication
from domain.actor import Actor
from domain.directory import DIRECTORY_ID, Department, Directory, DirectorySpec, StaffMember, Window


@dataclass(frozen=True)
class DirectoryImport:
    """What an import recorded."""

    changes: int
    position: int


class DirectoryVerbs(OversightApplication):
    """Importing and consulting the directory."""

    def import_directory(self, spec: DirectorySpec, by: Actor) -> DirectoryImport:
        """Record what changed between the directory on record and `spec` (idempotent)."""
        now = self.time_source.now()
        directory = self._load_or_none(DIRECTORY_ID) or Directory.create(by, now)
        changes = directory.reconcile(spec, by, now)
        if not directory.pending_events:
            return DirectoryImport(changes=0, position=self.recorder.max_notification_id() or 0)
        return DirectoryImport(changes=changes, position=self._commit(directory))

    def directory(self) -> Directory:
        """The directory as recorded (empty before the first import), to read, not change."""
        found = self._shared_or_none(DIRECTORY_ID)
        return (
            found if found is not None else Directory.create(Actor.system(), self.time_source.now())
        )

    def list_departments(self) -> tuple[Department, ...]:
        """The active departments."""
        return self.directory().departments

    def list_windows(
        self, *, department: str | None = None, matching: str | None = None
    ) -> tuple[Window, ...]:
        """The active windows, optionally of one department and whose number or name holds
        `matching` (a picker's search)."""
        return _chosen(self.directory().windows, department, matching)

    def list_staff(
        self, *, department: str | None = None, matching: str | None = None
    ) -> tuple[StaffMember, ...]:
        """The active staff, optionally of one department and whose number or name holds
        `matching`."""
        return _chosen(self.directory().staff, department, matching)


Entry = TypeVar("Entry", Window, StaffMember)


def _chosen(
    entries: tuple[Entry, ...], department: str | None, matching: str | None
) -> tuple[Entry, ...]:
    """The entries of `department` whose id or name holds `matching`, ignoring case."""
    text = (matching or "").strip().casefold()
    return tuple(
        entry
        for entry in entries
        if (department is None or entry.department == department)
        and (text in entry.id.casefold() or text in entry.name.casefold())
    )
