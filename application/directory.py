"""Verbs on the centre's directory: departments, windows and staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar
from uuid import UUID

from application.base import OversightApplication
from domain.actor import Actor
from domain.appeal import Appeal
from domain.case import Case
from domain.directory import (
    DIRECTORY_ID,
    Department,
    DepartmentNotFound,
    Directory,
    DirectorySpec,
    Leaving,
    StaffMember,
    Window,
)
from domain.rectification import RectificationOrder
from domain.reorganisation import handovers

# The events that name a task's department, window or staff member: every open task that
# names an entry an import takes out of service was named so by one of them.
_NAMING_TOPICS = (
    Case.Registered.TOPIC,
    Case.Assigned.TOPIC,
    Case.HandedToSuccessor.TOPIC,
    RectificationOrder.Issued.TOPIC,
    RectificationOrder.HandedToSuccessor.TOPIC,
    Appeal.Filed.TOPIC,
    Appeal.HandedToSuccessor.TOPIC,
)
_PAGE = 500


@dataclass(frozen=True)
class DirectoryImport:
    """What an import recorded."""

    changes: int
    position: int
    # Open cases and orders of retired departments handed to their successors.
    handed_over: int = 0


class DirectoryVerbs(OversightApplication):
    """Importing and consulting the directory."""

    def import_directory(self, spec: DirectorySpec, by: Actor) -> DirectoryImport:
        """Record what changed between the directory on record and `spec` (idempotent)."""
        now = self.time_source.now()
        directory = self._load_or_none(DIRECTORY_ID) or Directory.create(by, now)
        leaving = directory.leaving(spec)
        # Refuses, before anything is recorded, when open work would be left behind.
        handed = handovers(leaving, self._open_work_naming(leaving)) if leaving else []
        changes = directory.reconcile(spec, by, now)
        for task, successor in handed:
            task.hand_to_successor(successor=successor, by=by, at=now)
        if not directory.pending_events:
            return DirectoryImport(changes=0, position=self.recorder.max_notification_id() or 0)
        tasks = [task for task, _ in handed]
        return DirectoryImport(
            changes=changes, position=self._commit(directory, *tasks), handed_over=len(tasks)
        )

    def _open_work_naming(self, leaving: Leaving) -> list[Case | RectificationOrder | Appeal]:
        """The open cases, orders and appeals that name a department, window or staff member
        leaving, as the event store holds them (not the read tables, which may lag behind)."""
        names = {*leaving.departments, *leaving.windows, *leaving.staff}
        candidates: set[UUID] = set()
        start: int | None = None
        while page := self.recorder.select_notifications(
            start=start, limit=_PAGE, topics=_NAMING_TOPICS, inclusive_of_start=False
        ):
            for notification in page:
                event = self.mapper.to_domain_event(notification)
                named = (
                    getattr(event, field, None)
                    for field in ("department", "to_department", "window", "staff")
                )
                if names.intersection(n for n in named if isinstance(n, str)):
                    candidates.add(notification.originator_id)
            start = page[-1].id
        found = (self._load_or_none(candidate) for candidate in sorted(candidates))
        return [
            task
            for task in found
            if isinstance(task, Case | RectificationOrder | Appeal) and task.held_by is not None
        ]

    def directory(self) -> Directory:
        """The directory as recorded (empty before the first import), to read, not change."""
        found = self._shared_or_none(DIRECTORY_ID)
        return (
            found if found is not None else Directory.create(Actor.system(), self.time_source.now())
        )

    def require_department_in_service(self, department: str | None) -> None:
        """Refuse an account or token of a retired department (`department_retired`)."""
        self.directory().require_in_service(department)

    def list_departments(self) -> tuple[Department, ...]:
        """The active departments."""
        return self.directory().departments

    def get_department(self, department_id: str) -> Department:
        """One department of the directory, retired or not (its contacts for staff, §17)."""
        department = self.directory().department(department_id)
        if department is None:
            raise DepartmentNotFound(f"there is no department {department_id}")
        return department

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
