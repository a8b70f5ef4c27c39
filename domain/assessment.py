"""The Assessment aggregate (千人千题, DESIGN §16): one test session of the hall's staff.

An inspector records a session once it is marked: its title, the day it was held, the pass
mark and each staff member's score. Scores and the pass mark are whole points from 0 to 100;
a score below the pass mark fails, and the staff member owes a retest (补考) from then until
a later session's result of theirs passes (`standing`): a later failure keeps it due.
"Later" is by the day a session was held, then by the order sessions were recorded in.

A session is recorded whole, in one event, and never changed: a mistaken session is
corrected by the next one. Each result keeps the staff member's name and department as the
directory had them that day, so a move or a departure does not rewrite past results.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain.actor import Actor
from domain.directory import StaffMember
from domain.errors import Forbidden, Invalid, NotFound
from domain.text import require_storable

MAX_TITLE = 100
MAX_RESULTS = 1_000
SCORE_MIN = 0
SCORE_MAX = 100


class AssessmentNotFound(NotFound):
    """No session has this id (or none the reader may see)."""

    code = "assessment_not_found"


class AssessmentNotYours(Forbidden):
    """A department reads the sessions its own staff sat, and no other."""

    code = "assessment_not_yours"


class AssessmentTitleRequired(Invalid):
    """A session has a title of at most MAX_TITLE characters, of text the record can hold."""

    code = "assessment_title_required"


class AssessmentResultsRequired(Invalid):
    """A session records at least one result, and at most MAX_RESULTS."""

    code = "assessment_results_required"


class AssessmentScoreOutOfRange(Invalid):
    """Scores and the pass mark are whole points from SCORE_MIN to SCORE_MAX."""

    code = "assessment_score_out_of_range"


class AssessmentDateInFuture(Invalid):
    """A session is recorded once held: its day is not after today."""

    code = "assessment_date_in_future"


class AssessedStaffUnknown(Invalid):
    """Every result names a staff member the directory lists as active."""

    code = "assessment_staff_unknown"

    def __init__(self, staff: Sequence[str]) -> None:
        super().__init__(f"the directory lists no active staff {', '.join(staff)}")
        self.staff = tuple(staff)


class AssessedTwice(Invalid):
    """A staff member has one result in a session."""

    code = "assessment_staff_repeated"

    def __init__(self, staff: Sequence[str]) -> None:
        super().__init__(f"a staff member has one result per session: {', '.join(staff)}")
        self.staff = tuple(staff)


@dataclass(frozen=True)
class AssessmentResult:
    """A staff member's score in one session, with their name and department that day."""

    staff: str
    name: str
    department: str
    score: int
    passed: bool


@dataclass(frozen=True)
class ResultLine:
    """A result as the standing of a staff member is worked out from: the session it was
    scored in, when that session was held and where it stands in the record."""

    assessment_id: Any
    title: str
    held_on: date
    position: int
    pass_mark: int
    result: AssessmentResult


@dataclass(frozen=True)
class Standing:
    """A staff member's latest result and whether a retest is due (补考), with the session
    whose failure first made it due (None when none is due)."""

    latest: ResultLine
    retest_due: bool
    due_since: ResultLine | None


def _in_range(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AssessmentScoreOutOfRange(f"{what} is a whole number of points")
    if not SCORE_MIN <= value <= SCORE_MAX:
        raise AssessmentScoreOutOfRange(
            f"{what} is {value}: it must be from {SCORE_MIN} to {SCORE_MAX}"
        )
    return value


def _checked_title(title: str) -> str:
    title = (title or "").strip()
    if not title or len(title) > MAX_TITLE:
        raise AssessmentTitleRequired(f"a session needs a title of at most {MAX_TITLE} characters")
    require_storable(title, AssessmentTitleRequired, "the title cannot be kept")
    return title


def _checked_results(
    results: Sequence[tuple[str, int]], staff: dict[str, StaffMember | None]
) -> list[dict[str, Any]]:
    if not results or len(results) > MAX_RESULTS:
        raise AssessmentResultsRequired(
            f"a session records from 1 to {MAX_RESULTS} results, one per staff member"
        )
    seen: set[str] = set()
    repeated = [staff_id for staff_id, _ in results if staff_id in seen or seen.add(staff_id)]
    if repeated:
        raise AssessedTwice(list(dict.fromkeys(repeated)))
    active = {
        staff_id: member
        for staff_id, _ in results
        if (member := staff.get(staff_id)) is not None and member.active
    }
    unknown = [staff_id for staff_id, _ in results if staff_id not in active]
    if unknown:
        raise AssessedStaffUnknown(unknown)
    checked = []
    for staff_id, score in results:
        member = active[staff_id]
        _in_range(score, f"{staff_id}'s score")
        checked.append(
            {
                "staff": staff_id,
                "name": member.name,
                "department": member.department,
                "score": score,
            }
        )
    return checked


class Assessment(Aggregate):
    """A test session (千人千题): its title, day, pass mark and each staff member's score."""

    TOPIC = "oversight:Assessment"

    class Event(Aggregate.Event):
        TOPIC = "oversight:Assessment.Event"
        actor: Actor

    class Recorded(Event, Aggregate.Created):
        TOPIC = "oversight:Assessment.Recorded"
        title: str
        held_on: str  # YYYY-MM-DD
        pass_mark: int
        results: list[dict[str, Any]]

    def __init__(
        self, title: str, held_on: str, pass_mark: int, results: list[dict[str, Any]], actor: Actor
    ) -> None:
        self.title = title
        self.held_on = date.fromisoformat(held_on)
        self.pass_mark = pass_mark
        self.results = tuple(
            AssessmentResult(**result, passed=result["score"] >= pass_mark) for result in results
        )
        self.recorded_by = actor

    @classmethod
    def record(
        cls,
        *,
        assessment_id: Any,
        title: str,
        held_on: date,
        pass_mark: int,
        results: Sequence[tuple[str, int]],
        staff: dict[str, StaffMember | None],
        today: date,
        by: Actor,
        at: datetime,
    ) -> Assessment:
        """Record a marked session (录入成绩); `staff`: the directory's entry of each staff
        member named (None: not listed), `today`: the office day it is recorded on."""
        title = _checked_title(title)
        if held_on > today:
            raise AssessmentDateInFuture(
                f"the session is dated {held_on.isoformat()}, after today {today.isoformat()}"
            )
        pass_mark = _in_range(pass_mark, "the pass mark")
        checked = _checked_results(results, staff)
        return cls._create(
            cls.Recorded,
            id=assessment_id,
            title=title,
            held_on=held_on.isoformat(),
            pass_mark=pass_mark,
            results=checked,
            actor=by,
            timestamp=at,
        )

    @property
    def failed(self) -> tuple[AssessmentResult, ...]:
        """The results below the pass mark."""
        return tuple(result for result in self.results if not result.passed)


def standings(lines: Iterable[ResultLine]) -> dict[str, Standing]:
    """Each staff member's standing from their results: the latest (by the day held, then
    the order recorded), and whether a retest is due — the latest failed — since which of
    the unbroken run of failures that ends it."""
    by_staff: dict[str, list[ResultLine]] = {}
    for line in sorted(lines, key=lambda line: (line.held_on, line.position)):
        by_staff.setdefault(line.result.staff, []).append(line)
    answer = {}
    for staff_id, own in by_staff.items():
        latest, due_since = own[-1], None
        for line in reversed(own):
            if line.result.passed:
                break
            due_since = line
        answer[staff_id] = Standing(
            latest=latest, retest_due=not latest.result.passed, due_since=due_since
        )
    return answer
