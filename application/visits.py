"""Verbs on inspection visits (暗访巡查, DESIGN §16): record a visit, turn its findings into
records, read it.

A finding is made by the record's own verb (`record_deduction`, `issue_order`,
`register_case`), with the same rules, its `source` filled in as the visit; then the visit
notes the outcome. The two saves are not one transaction, so the link is made reliable
this way: the record is saved first and names the visit, and the visit's note is
idempotent (a record is noted once). Should the request fail between the saves, the worker's
`VisitFindingPolicy` reads the record's creation, sees the visit named as its source, and
makes the note; should both run, the second notes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from application.base import ConcurrentChange
from application.cases import CaseVerbs
from application.discipline import DisciplineVerbs
from application.queries import Page
from application.rectification import RectificationVerbs
from application.views import view_of
from domain.actor import Actor, Role
from domain.attachment import listed_entries
from domain.case import Case, Intake
from domain.directory import UnknownWindow
from domain.rectification import OrderRequest, OrderSourceType, RectificationOrder
from domain.scorecard import DeductionRequest, Scorecard, SourceType, day_of
from domain.visit import (
    FindingType,
    Visit,
    VisitMethod,
    VisitNotFound,
    VisitsForInspectorsOnly,
)

VISIT_SOURCE = "visit"
NOTE_ATTEMPTS = 5


@dataclass(frozen=True)
class Finding:
    """What one finding of a visit became: the record's type and id."""

    type: str
    record_id: UUID


@dataclass(frozen=True)
class VisitHeading:
    """What names an inspection visit wherever it is shown, in the list or on its page."""

    id: UUID
    day: date
    method: str
    windows: list[str]
    summary: str
    recorded_at: datetime
    recorded_by: str | None


@dataclass(frozen=True)
class VisitSummary(VisitHeading):
    """A visit as the lists show it; `findings` counts them by type (deduction, order,
    case); `position`: its place in the list, newest first."""

    findings: dict[str, int]
    position: int | None


@dataclass(frozen=True)
class VisitView(VisitHeading):
    """A visit with the records its findings became, in the order they were noted."""

    outcomes: list[Finding]
    version: int
    position: int | None
    # Evidence files (附件, §17): id, name, content_type, size, sha256, attached_at, by.
    attachments: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, visit: Visit, position: int | None) -> VisitView:
        return view_of(
            cls,
            visit,
            method=visit.method.value,
            windows=list(visit.windows),
            recorded_at=visit.created_on,
            recorded_by=visit.recorded_by.name,
            outcomes=[Finding(type=kind.value, record_id=found) for kind, found in visit.findings],
            position=position,
            attachments=listed_entries(visit),
        )


@dataclass(frozen=True)
class FindingAnswer:
    """A finding recorded: the visit as it now stands and the record the finding became
    (the answer of that record's own verb)."""

    visit: VisitView
    finding: Finding
    record: Any


class VisitQueries(Protocol):
    """The visit list and the month's visits, read from the visit_list table."""

    async def list_visits(self, *, limit: int, cursor: str | None, after: int | None) -> Page:
        """Visits newest first, each with its findings counted by type."""
        ...

    async def visits_of_month(self, month: str, *, department: str | None) -> list[VisitSummary]:
        """The visits of a month (by their day), oldest first."""
        ...


def visit_source(visit_id: UUID) -> dict[str, str]:
    """The `source` a record made from a finding carries: the visit."""
    return {"type": VISIT_SOURCE, "ref": str(visit_id)}


class VisitVerbs(RectificationVerbs, DisciplineVerbs, CaseVerbs):
    """Record inspection visits and make their findings into deductions, orders and cases."""

    def _visit(self, visit_id: UUID) -> Visit:
        return self._load_as(
            visit_id, Visit, lambda: VisitNotFound(f"there is no visit {visit_id}")
        )

    def record_visit(
        self, *, day: date, method: VisitMethod, windows: list[str], summary: str, by: Actor
    ) -> VisitView:
        """Record an inspection visit (登记暗访巡查): its day, method, windows and summary."""
        _require_inspector(by)
        directory = self.directory()
        departments = []
        for window_id in windows:
            window = directory.window(window_id)
            if window is None:
                raise UnknownWindow(f"there is no window {window_id!r} in the directory")
            departments.append(window.department)
        now = self.time_source.now()
        visit = Visit.record(
            visit_id=self.ids(),
            day=day,
            today=day_of(now),
            method=method,
            windows=windows,
            departments=departments,
            summary=summary,
            by=by,
            at=now,
        )
        return VisitView.of(visit, self._commit(visit))

    def get_visit(self, visit_id: UUID) -> VisitView:
        """One visit with the records its findings became."""
        return VisitView.of(self._visit(visit_id), position=None)

    # Findings -------------------------------------------------------------------------------

    def record_deduction_finding(
        self, visit_id: UUID, request: DeductionRequest, by: Actor
    ) -> FindingAnswer:
        """A finding that costs points (扣分), recorded as POST /deductions records one."""
        return self._found(
            visit_id,
            FindingType.DEDUCTION,
            lambda: self.record_deduction(
                replace(request, source_type=SourceType.VISIT, source_ref=str(visit_id)), by
            ),
            by,
        )

    def issue_order_finding(
        self, visit_id: UUID, request: OrderRequest, by: Actor
    ) -> FindingAnswer:
        """A finding to rectify (整改通知), issued as POST /rectification-orders issues one."""
        return self._found(
            visit_id,
            FindingType.ORDER,
            lambda: self.issue_order(
                replace(request, source_type=OrderSourceType.VISIT, source_ref=str(visit_id)), by
            ),
            by,
        )

    def register_case_finding(self, visit_id: UUID, intake: Intake, by: Actor) -> FindingAnswer:
        """A finding to handle as a case (工单), registered as POST /cases registers one."""
        return self._found(
            visit_id,
            FindingType.CASE,
            lambda: self.register_case(replace(intake, source=visit_source(visit_id)), by=by),
            by,
        )

    def _found(
        self, visit_id: UUID, finding_type: FindingType, make: Callable[[], Any], by: Actor
    ) -> FindingAnswer:
        """Make the record (first: it names the visit), then note it on the visit."""
        _require_inspector(by)
        self._visit(visit_id)  # an unknown visit is refused before anything is made
        record = make()
        record_id = record.case.id if finding_type is FindingType.CASE else record.id
        self.note_visit_finding(visit_id, finding_type, record_id, by)
        finding = Finding(type=finding_type.value, record_id=record_id)
        # The head of the log, past both saves: what a reader waits for to see them.
        position = self.recorder.max_notification_id()
        visit = VisitView.of(self._visit(visit_id), position=position)
        return FindingAnswer(visit=visit, finding=finding, record=record)

    def note_visit_finding(
        self, visit_id: UUID, finding_type: FindingType, record_id: UUID, by: Actor
    ) -> bool:
        """Note on the visit what a finding became, once; answer whether this call noted it
        (False: noted before, or no such visit)."""
        for _ in range(NOTE_ATTEMPTS):
            visit = self._load_or_none(visit_id)
            if not isinstance(visit, Visit):
                return False
            if not visit.note_finding(
                finding_type=finding_type, record_id=record_id, by=by, at=self.time_source.now()
            ):
                return False
            try:
                self._commit(visit)
            except ConcurrentChange:
                continue  # another finding noted at the same moment: read it again
            return True
        raise ConcurrentChange("too many findings noted on this visit at once; please retry")


class VisitFindingPolicy:
    """Every record made from a finding is noted on its visit, exactly once, even when the
    request that made it failed before noting it. One policy per kind of record: a policy
    reads one topic prefix."""

    def __init__(self, visits: VisitVerbs, *, records: str) -> None:
        self.visits = visits
        self.name = f"visit_findings_{records}"
        self.topic_prefix = {
            "deductions": "oversight:Scorecard.",
            "orders": "oversight:RectificationOrder.",
            "cases": "oversight:Case.",
        }[records]

    def handle(self, event: Any) -> int:
        found = _finding_of(event)
        if found is None:
            return 0
        visit_id, finding_type, record_id = found
        return int(self.visits.note_visit_finding(visit_id, finding_type, record_id, event.actor))


def visit_finding_policies(visits: VisitVerbs) -> list[VisitFindingPolicy]:
    """The policies that note deductions, orders and cases on the visits that found them."""
    return [VisitFindingPolicy(visits, records=r) for r in ("deductions", "orders", "cases")]


def _finding_of(event: Any) -> tuple[UUID, FindingType, UUID] | None:
    """(visit, finding type, record) when `event` creates a record whose source is a visit."""
    if isinstance(event, Scorecard.DeductionRecorded):
        source, kind, record_id = event.source, FindingType.DEDUCTION, event.deduction_id
    elif isinstance(event, RectificationOrder.Issued):
        source = {"type": event.source_type, "ref": event.source_ref}
        kind, record_id = FindingType.ORDER, event.originator_id
    elif isinstance(event, Case.Registered):
        source, kind, record_id = (
            getattr(event, "source", None),
            FindingType.CASE,
            event.originator_id,
        )
    else:
        return None
    if not source or source.get("type") != VISIT_SOURCE or not source.get("ref"):
        return None
    try:
        return UUID(str(source["ref"])), kind, record_id
    except ValueError:
        return None


def _require_inspector(actor: Actor) -> None:
    if actor.role is not Role.INSPECTOR:
        raise VisitsForInspectorsOnly("inspection visits are recorded by inspectors")
