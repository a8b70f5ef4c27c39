"""Reads of the record's past (§14) beyond what the read tables' versions answer: a case as it
stood at an instant, loaded from the event store at the version it then had."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import project_aggregate
from eventsourcing.persistence import PersistenceError

from application.base import storage_unavailable
from application.cases import CaseVerbs
from application.views import CaseFile, CaseView
from domain.actor import Actor
from domain.case import Case, CaseNotFound, NotAssignedDepartment


class ReadSideHistory(Protocol):
    """What the read side knows of the record's past, by log position."""

    async def version_at(self, record_id: UUID, position: int) -> int | None:
        """The version record `record_id` had once the log stood at `position`: that of the
        last of its events at or before it; None when it had none yet."""
        ...

    async def projected_to(self, position: int) -> None:
        """Wait (boundedly) until every read table that keeps history has been projected to
        `position`; `PastNotProjected` if they have not got there in time."""
        ...


class PastCaseVerbs(CaseVerbs):
    """Reading a case as it stood at an earlier version."""

    def get_case_as_of(self, case_id: UUID, viewer: Actor, version: int | None) -> CaseView:
        """One case as it stood at `version` (None: not recorded yet, so not found), as the
        viewer may see it by today's rules; personal data erased since reads as erased."""
        case, _ = self._case_as_of(case_id, viewer, version)
        return CaseView.of(case, viewer, position=None)

    def case_file_as_of(
        self, case_id: UUID, viewer: Actor, version: int | None, at: datetime
    ) -> CaseFile:
        """The case page's reading of the case as it stood at `version`, the instant `at`:
        the timeline up to then, the time then left, and no action (the past is only read)."""
        case, events = self._case_as_of(case_id, viewer, version)
        return self._case_file(case, viewer, events, (), at)

    def _case_as_of(
        self, case_id: UUID, viewer: Actor, version: int | None
    ) -> tuple[Case, list[Any]]:
        """The case at `version` as `get_case_as_of` reads it, and its events up to then."""
        not_found = CaseNotFound(f"there was no case {case_id} at that instant")
        if version is None:
            raise not_found
        try:
            events = list(self.repository.event_store.get(case_id))
        except PersistenceError as error:
            raise storage_unavailable(error) from error
        # One read of the record: the case is made from its events up to `version`.
        then = [event for event in events if event.originator_version <= version]
        case = project_aggregate(None, then)
        if not isinstance(case, Case):
            raise not_found
        refused = NotAssignedDepartment("this case is not assigned to your department")
        self._readable(case, viewer, lambda: refused)
        _erased_since(case, events[len(then) :])
        return case, then


def _erased_since(case: Case, later: list[Any]) -> None:
    """Erasure is for good (§10): a case read as it stood before its personal data was erased
    reads as erased, by the erasure event's own rule."""
    for event in later:
        if isinstance(event, Case.PersonalDataErased):
            event.apply(case)
