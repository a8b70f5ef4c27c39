"""Verbs on staff assessments (千人千题, DESIGN §16): record a session, read it, and each staff
member's standing — the latest result and whether a retest (补考) is due.

Inspectors record and read every session. A department reads the sessions its staff sat,
with only its own staff's results, and which of its staff owe a retest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from application.directory import DirectoryVerbs
from application.queries import Page
from domain.actor import Actor, Role
from domain.assessment import (
    Assessment,
    AssessmentNotFound,
    AssessmentNotYours,
    AssessmentResult,
    ResultLine,
    standings,
)
from domain.scorecard import day_of


@dataclass(frozen=True)
class AssessmentSummary:
    """A session as the lists show it, its results those the reader may see (a department:
    its own staff's); `position`: where it stands in the record (a command's answer: the
    global position of its event)."""

    id: UUID
    title: str
    held_on: date
    pass_mark: int
    results: tuple[AssessmentResult, ...]
    recorded_at: datetime
    position: int | None

    @property
    def sat(self) -> int:
        return len(self.results)

    @property
    def failed(self) -> int:
        return sum(1 for result in self.results if not result.passed)

    @classmethod
    def of(
        cls, assessment: Assessment, position: int | None, department: str | None = None
    ) -> AssessmentSummary:
        return cls(
            id=assessment.id,
            title=assessment.title,
            held_on=assessment.held_on,
            pass_mark=assessment.pass_mark,
            results=shown_to(assessment.results, department),
            recorded_at=assessment.created_on,
            position=position,
        )


@dataclass(frozen=True)
class StaffStanding:
    """A staff member's latest result (as of a day) and whether a retest is due (补考), since
    which session's failure."""

    staff: str
    name: str
    department: str
    score: int
    pass_mark: int
    passed: bool
    assessment_id: UUID
    title: str
    held_on: date
    retest_due: bool
    due_since: date | None

    @classmethod
    def of(cls, lines: Iterable[ResultLine]) -> list[StaffStanding]:
        """The standing of every staff member with a result among `lines`, by department
        then staff id."""
        found = [
            cls(
                staff=staff_id,
                name=standing.latest.result.name,
                department=standing.latest.result.department,
                score=standing.latest.result.score,
                pass_mark=standing.latest.pass_mark,
                passed=standing.latest.result.passed,
                assessment_id=standing.latest.assessment_id,
                title=standing.latest.title,
                held_on=standing.latest.held_on,
                retest_due=standing.retest_due,
                due_since=standing.due_since.held_on if standing.due_since else None,
            )
            for staff_id, standing in standings(lines).items()
        ]
        return sorted(found, key=lambda standing: (standing.department, standing.staff))


def shown_to(
    results: Sequence[AssessmentResult], department: str | None
) -> tuple[AssessmentResult, ...]:
    """The results a reader may see: all of them, or a department's own staff's."""
    return tuple(r for r in results if department is None or r.department == department)


def reader_department(viewer: Actor) -> str | None:
    """The department whose staff a reader is limited to (None: an inspector sees all)."""
    return viewer.department if viewer.role is Role.DEPARTMENT else None


class AssessmentQueries(Protocol):
    """The session list and staff standings, read from the assessment_list table."""

    async def list_assessments(
        self, *, department: str | None, limit: int, cursor: str | None, after: int | None
    ) -> Page:
        """Sessions newest first (a department: those its staff sat, with their results)."""
        ...

    async def standings(
        self, *, department: str | None, as_of: date | None, after: int | None
    ) -> tuple[list[StaffStanding], int, bool]:
        """Each staff member's standing from the sessions held up to `as_of` (None: all),
        a department's own staff only if named; with the read side's position and whether it
        reached `after`."""
        ...


class AssessmentVerbs(DirectoryVerbs):
    """Record staff assessment sessions (千人千题) and read them."""

    def record_assessment(
        self,
        *,
        title: str,
        held_on: date,
        pass_mark: int,
        results: Sequence[tuple[str, int]],
        by: Actor,
    ) -> AssessmentSummary:
        """Record a marked test session (录入千人千题成绩): a result below the pass mark makes
        a retest due for that staff member."""
        directory = self.directory()
        now = self.time_source.now()
        assessment = Assessment.record(
            assessment_id=self.ids(),
            title=title,
            held_on=held_on,
            pass_mark=pass_mark,
            results=results,
            staff={staff_id: directory.staff_member(staff_id) for staff_id, _ in results},
            today=day_of(now),
            by=by,
            at=now,
        )
        return AssessmentSummary.of(assessment, self._commit(assessment))

    def get_assessment(self, assessment_id: UUID, viewer: Actor) -> AssessmentSummary:
        """One session: all its results for an inspector, a department's own staff's for a
        department (a session none of its staff sat is refused)."""
        assessment = self._load_as(
            assessment_id,
            Assessment,
            lambda: AssessmentNotFound(f"there is no assessment session {assessment_id}"),
        )
        department = reader_department(viewer)
        summary = AssessmentSummary.of(assessment, None, department)
        if department is not None and not summary.results:
            raise AssessmentNotYours("a department reads the sessions its own staff sat")
        return summary
