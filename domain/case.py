"""The Case aggregate: one complaint, report, request, consultation, suggestion or praise (§5)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.actor import Actor, Role
from domain.calendar import WorkingCalendar
from domain.deadlines import Deadline, DeadlinePolicy
from domain.errors import Conflict, Forbidden, Invalid, NotFound
from domain.task_clock import Alarm, ClockState, due_alarms, missed_by

REOPEN_WINDOW = timedelta(days=30)
MAX_REOPENINGS = 2
MAX_EXTENSION_WORKING_DAYS = 30


class Kind(StrEnum):
    """What the citizen wants (诉求类型)."""

    COMPLAINT = "complaint"
    REPORT = "report"
    REQUEST = "request"
    CONSULTATION = "consultation"
    SUGGESTION = "suggestion"
    PRAISE = "praise"


class Channel(StrEnum):
    """How the case reached the centre (渠道)."""

    HOTLINE = "hotline"
    WALK_IN = "walk_in"
    ONLINE = "online"
    LETTER = "letter"
    RATING = "rating"


class Status(StrEnum):
    """Where the case stands in its lifecycle; a stopped clock is a flag, not a status."""

    REGISTERED = "registered"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"
    RETURNED = "returned"
    MERGED = "merged"


class Outcome(StrEnum):
    """What the department found (办理结果)."""

    SUBSTANTIATED = "substantiated"
    PARTLY_SUBSTANTIATED = "partly_substantiated"
    UNSUBSTANTIATED = "unsubstantiated"
    RESOLVED = "resolved"


class Satisfaction(StrEnum):
    """What the complainant said on the callback (回访满意度)."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    NEUTRAL = "neutral"
    DISSATISFIED = "dissatisfied"
    VERY_DISSATISFIED = "very_dissatisfied"


OPEN_STATUSES = frozenset(
    {Status.REGISTERED, Status.ASSIGNED, Status.IN_PROGRESS, Status.ANSWERED, Status.RETURNED}
)


class CaseNotFound(NotFound):
    """No case has this id (or the actor may not know of it)."""

    code = "case_not_found"


class NotAssignedDepartment(Forbidden):
    """Only the department the case is assigned to may act on it or read it."""

    code = "not_assigned_department"


class CaseStatusForbids(Conflict):
    """The case's status does not allow this step."""

    code = "case_status_forbids"


class CaseNotAssigned(Conflict):
    """The step needs a case handed to a department."""

    code = "case_not_assigned"


class CaseNotAcknowledged(Conflict):
    """A result needs a case the department has acknowledged."""

    code = "case_not_acknowledged"


class CaseArbitrated(Conflict):
    """An arbitrated (final) assignment cannot be returned."""

    code = "case_arbitrated"


class ClockAlreadyStopped(Conflict):
    """The clock is already stopped."""

    code = "clock_already_stopped"


class DeadlineAlreadyPassed(Conflict):
    """The clock cannot be stopped once the deadline has passed: that would hide the delay."""

    code = "deadline_already_passed"


class ClockNotStopped(Conflict):
    """Only a stopped clock can be resumed."""

    code = "clock_not_stopped"


class NoHandlingDeadline(Conflict):
    """The case has no handling deadline to stop or extend (praise)."""

    code = "no_handling_deadline"


class ExtensionAfterDeadline(Conflict):
    """An extension must be asked before the deadline it extends."""

    code = "extension_after_deadline"


class ExtensionAlreadyRequested(Conflict):
    """An extension is already waiting for an inspector's decision."""

    code = "extension_already_requested"


class NoExtensionRequested(Conflict):
    """There is no extension request to decide."""

    code = "no_extension_requested"


class CaseNotAnswered(Conflict):
    """Closing needs a posted result."""

    code = "case_not_answered"


class CaseClosed(Conflict):
    """A closed case can only be reopened or annotated."""

    code = "case_closed"


class CaseMerged(Conflict):
    """Nothing happens to a case merged into another."""

    code = "case_merged"


class ReopenWindowExpired(Conflict):
    """A closed case can be reopened only within 30 days of closing."""

    code = "reopen_window_expired"


class ReopenLimitReached(Conflict):
    """A case can be reopened at most twice."""

    code = "reopen_limit_reached"


class CaseNotOverdue(Conflict):
    """Supervision (督办) follows a missed deadline."""

    code = "case_not_overdue"


class MergeIntoItself(Invalid):
    """A case cannot be merged into itself."""

    code = "merge_into_itself"


class ReasonRequired(Invalid):
    """This decision needs a reason in words."""

    code = "reason_required"


class SatisfactionRequired(Invalid):
    """A callback that reached the complainant records their satisfaction, and only then."""

    code = "satisfaction_required"


class ExtensionOutOfRange(Invalid):
    """An extension asks for 1 to 30 working days."""

    code = "extension_out_of_range"


def _require_reason(reason: str, what: str) -> None:
    if not reason or not reason.strip():
        raise ReasonRequired(f"{what} needs a reason")


class Case(Aggregate):
    """A case handed to a supervising department with a clock, answered and called back."""

    TOPIC = "oversight:Case"

    class Event(Aggregate.Event):
        TOPIC = "oversight:Case.Event"
        actor: Actor

    class Registered(Event, Aggregate.Created):
        TOPIC = "oversight:Case.Registered"
        tracking_number: str
        access_code_hash: str
        kind: str
        channel: str
        department: str | None
        window: str | None
        staff: str | None
        category: str | None
        urgent: bool
        summary: str
        details: str
        complainant: dict[str, Any]

    def __init__(
        self,
        tracking_number: str,
        access_code_hash: str,
        kind: str,
        channel: str,
        department: str | None,
        window: str | None,
        staff: str | None,
        category: str | None,
        urgent: bool,
        summary: str,
        details: str,
        complainant: dict[str, Any],
        actor: Actor,
    ) -> None:
        self.tracking_number = tracking_number
        self.access_code_hash = access_code_hash
        self.kind = Kind(kind)
        self.channel = Channel(channel)
        self.department = department
        self.window = window
        self.staff = staff
        self.category = category
        self.urgent = urgent
        self.summary = summary
        self.details = details
        self.complainant = complainant
        self.registered_by = actor
        self.status = Status.REGISTERED
        self.assigned_department: str | None = None
        self.final = False
        self.acknowledge_deadline: Deadline | None = None
        self.deadline: Deadline | None = None
        self.assigned_at: datetime | None = None
        self.acknowledged_at: datetime | None = None
        self.clock_stopped_at: datetime | None = None
        self.pending_extension: dict[str, Any] | None = None
        self.result: dict[str, Any] | None = None
        self.answered_at: datetime | None = None
        self.callbacks: list[dict[str, Any]] = []
        self.satisfaction: str | None = None
        self.closed_at: datetime | None = None
        self.reopenings = 0
        self.returns = 0
        self.merged_into: str | None = None
        self.duplicates: list[str] = []
        self.notes: list[dict[str, Any]] = []
        self.supervisions: list[dict[str, Any]] = []
        self.handling_started_at: datetime | None = None
        self.reminded_for: datetime | None = None
        self.acknowledge_missed_for: datetime | None = None
        self.due_missed_for: datetime | None = None
        self.supervised_at: datetime | None = None
        self.public_notice_flagged = False
        # The handling deadline as first computed, and what moved it since, in order: so a
        # deadline can be recomputed from its base when a provisional year is published.
        self.handling_base: Deadline | None = None
        self.deadline_adjustments: list[dict[str, Any]] = []

    @classmethod
    def register(
        cls,
        *,
        case_id: UUID,
        tracking_number: str,
        access_code_hash: str,
        kind: Kind,
        channel: Channel,
        department: str | None,
        window: str | None,
        staff: str | None,
        category: str | None,
        urgent: bool,
        summary: str,
        details: str,
        complainant: dict[str, Any],
        by: Actor,
        at: datetime,
    ) -> Case:
        """Register what a citizen brought to the centre (登记)."""
        if not summary.strip():
            raise Invalid("a case needs a summary")
        return cls._create(
            cls.Registered,
            id=case_id,
            tracking_number=tracking_number,
            access_code_hash=access_code_hash,
            kind=kind.value,
            channel=channel.value,
            department=department,
            window=window,
            staff=staff,
            category=category,
            urgent=urgent,
            summary=summary,
            details=details,
            complainant=complainant,
            actor=by,
            timestamp=at,
        )

    # Guards ---------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def clock_stopped(self) -> bool:
        return self.clock_stopped_at is not None

    def _require_not_finished(self) -> None:
        if self.status is Status.MERGED:
            raise CaseMerged(f"case {self.tracking_number} was merged into another case")
        if self.status is Status.CLOSED:
            raise CaseClosed(f"case {self.tracking_number} is closed")

    def _require_status(self, verb: str, *allowed: Status) -> None:
        self._require_not_finished()
        if self.status not in allowed:
            raise CaseStatusForbids(
                f"a case that is {self.status.value} cannot be {verb}; "
                f"it must be {' or '.join(s.value for s in allowed)}"
            )

    def _require_assigned_department(self, by: Actor) -> None:
        if not by.acts_for(self.assigned_department):
            raise NotAssignedDepartment(
                f"case {self.tracking_number} is not assigned to your department"
            )

    def may_be_read_by(self, viewer: Actor) -> bool:
        """Departments read only cases assigned to them; the other staff roles read all."""
        if viewer.role is Role.DEPARTMENT:
            return viewer.acts_for(self.assigned_department)
        return viewer.role in {Role.OPERATOR, Role.INSPECTOR}

    def is_overdue(self, at: datetime) -> bool:
        """Whether the deadline that currently binds the case has passed at `at`."""
        if self.status is Status.ASSIGNED and self.acknowledge_deadline is not None:
            return at >= self.acknowledge_deadline.due_at
        if self.status is Status.IN_PROGRESS and self.deadline is not None:
            return not self.clock_stopped and at >= self.deadline.due_at
        return False

    # Assignment -----------------------------------------------------------

    class Assigned(Event):
        TOPIC = "oversight:Case.Assigned"
        department: str
        urgent: bool
        final: bool
        note: str | None
        acknowledge_deadline: Deadline
        deadline: Deadline | None

        def apply(self, case: Case) -> None:
            case.status = Status.ASSIGNED
            case.assigned_department = self.department
            case.department = self.department
            case.urgent = self.urgent
            case.final = self.final
            case.acknowledge_deadline = self.acknowledge_deadline
            case.deadline = self.deadline
            case.assigned_at = self.timestamp
            case.handling_started_at = self.timestamp
            case.handling_base = self.deadline
            case.deadline_adjustments = []
            case.supervised_at = None
            case.public_notice_flagged = False
            case.acknowledged_at = None
            case.clock_stopped_at = None
            case.pending_extension = None

    def assign(
        self,
        *,
        department: str,
        urgent: bool | None,
        final: bool,
        note: str | None,
        policy: DeadlinePolicy,
        calendar: WorkingCalendar,
        by: Actor,
        at: datetime,
    ) -> None:
        """Hand the case to a department with its deadlines (派单); `final` arbitrates (审定)."""
        self._require_status("assigned", Status.REGISTERED, Status.RETURNED, Status.ASSIGNED)
        is_urgent = self.urgent if urgent is None else urgent
        self._record_missed_deadlines(by, at)
        self.trigger_event(
            self.Assigned,
            department=department,
            urgent=is_urgent,
            final=final,
            note=note,
            acknowledge_deadline=policy.acknowledge_deadline(
                self.kind.value, at, is_urgent, calendar
            ),
            deadline=policy.handling_deadline(self.kind.value, at, is_urgent, calendar),
            actor=by,
            timestamp=at,
        )

    class Acknowledged(Event):
        TOPIC = "oversight:Case.Acknowledged"

        def apply(self, case: Case) -> None:
            case.status = Status.IN_PROGRESS
            case.acknowledged_at = self.timestamp

    def acknowledge(self, *, by: Actor, at: datetime) -> None:
        """The assigned department confirms it took the case (签收)."""
        self._require_not_finished()
        if self.status in (Status.REGISTERED, Status.RETURNED):
            raise CaseNotAssigned(f"case {self.tracking_number} is not assigned to a department")
        self._require_assigned_department(by)
        self._require_status("acknowledged", Status.ASSIGNED)
        self._record_missed_deadlines(by, at)
        self.trigger_event(self.Acknowledged, actor=by, timestamp=at)

    class Returned(Event):
        TOPIC = "oversight:Case.Returned"
        reason: str

        def apply(self, case: Case) -> None:
            case.status = Status.RETURNED
            case.assigned_department = None
            case.acknowledge_deadline = None
            case.deadline = None
            case.clock_stopped_at = None
            case.pending_extension = None
            case.returns += 1

    def return_to_sender(self, *, reason: str, by: Actor, at: datetime) -> None:
        """The department says the case is not theirs (退单); the centre decides again."""
        self._require_not_finished()
        self._require_assigned_department(by)
        self._require_status("returned", Status.ASSIGNED, Status.IN_PROGRESS)
        if self.final:
            raise CaseArbitrated(
                f"case {self.tracking_number} was assigned as final (审定) and cannot be returned"
            )
        _require_reason(reason, "returning a case")
        self._record_missed_deadlines(by, at)
        self.trigger_event(self.Returned, reason=reason, actor=by, timestamp=at)

    # The clock ------------------------------------------------------------

    def _require_handling(self, verb: str, by: Actor) -> None:
        self._require_not_finished()
        self._require_assigned_department(by)
        if self.status is Status.ASSIGNED:
            raise CaseNotAcknowledged(
                f"case {self.tracking_number} must be acknowledged before it can be {verb}"
            )
        self._require_status(verb, Status.IN_PROGRESS)

    class ClockStopped(Event):
        TOPIC = "oversight:Case.ClockStopped"
        reason: str

        def apply(self, case: Case) -> None:
            case.clock_stopped_at = self.timestamp

    def stop_clock(self, *, reason: str, by: Actor, at: datetime) -> None:
        """Stop the clock while waiting on the complainant or a third party (挂起)."""
        self._require_handling("suspended", by)
        if self.deadline is None:
            raise NoHandlingDeadline(f"case {self.tracking_number} has no handling deadline")
        if self.clock_stopped:
            raise ClockAlreadyStopped(f"the clock of case {self.tracking_number} is stopped")
        if at >= self.deadline.due_at:
            raise DeadlineAlreadyPassed(
                f"the deadline of case {self.tracking_number} passed at "
                f"{self.deadline.due_at.isoformat()}; the clock can no longer be stopped"
            )
        _require_reason(reason, "stopping the clock")
        self.trigger_event(self.ClockStopped, reason=reason, actor=by, timestamp=at)

    class ClockResumed(Event):
        TOPIC = "oversight:Case.ClockResumed"
        deadline: Deadline

        def apply(self, case: Case) -> None:
            if case.clock_stopped_at is not None:
                case.deadline_adjustments.append(
                    {"resumed": True, "stopped_at": case.clock_stopped_at, "at": self.timestamp}
                )
            case.clock_stopped_at = None
            case.deadline = self.deadline

    def resume_clock(
        self, *, policy: DeadlinePolicy, calendar: WorkingCalendar, by: Actor, at: datetime
    ) -> None:
        """Restart the clock; the working time it stood still is added to the due date."""
        self._require_handling("resumed", by)
        if self.clock_stopped_at is None or self.deadline is None:
            raise ClockNotStopped(f"the clock of case {self.tracking_number} is running")
        self.trigger_event(
            self.ClockResumed,
            deadline=policy.resumed(self.deadline, self.clock_stopped_at, at, calendar),
            actor=by,
            timestamp=at,
        )

    class ExtensionRequested(Event):
        TOPIC = "oversight:Case.ExtensionRequested"
        working_days: int
        reason: str

        def apply(self, case: Case) -> None:
            case.pending_extension = {
                "working_days": self.working_days,
                "reason": self.reason,
                "requested_at": self.timestamp.isoformat(),
            }

    def request_extension(self, *, working_days: int, reason: str, by: Actor, at: datetime) -> None:
        """Ask an inspector for more time (申请延期), before the deadline passes."""
        self._require_handling("extended", by)
        if self.deadline is None:
            raise NoHandlingDeadline(f"case {self.tracking_number} has no handling deadline")
        if not 1 <= working_days <= MAX_EXTENSION_WORKING_DAYS:
            raise ExtensionOutOfRange(
                f"an extension asks for 1 to {MAX_EXTENSION_WORKING_DAYS} working days"
            )
        if at >= self.deadline.due_at:
            raise ExtensionAfterDeadline(
                f"the deadline of case {self.tracking_number} passed at "
                f"{self.deadline.due_at.isoformat()}; an extension must be asked before it"
            )
        if self.pending_extension is not None:
            raise ExtensionAlreadyRequested(
                f"case {self.tracking_number} already has an extension request waiting"
            )
        _require_reason(reason, "an extension")
        self.trigger_event(
            self.ExtensionRequested,
            working_days=working_days,
            reason=reason,
            actor=by,
            timestamp=at,
        )

    def _require_pending_extension(self) -> tuple[dict[str, Any], Deadline]:
        self._require_status("decided on", Status.IN_PROGRESS)
        if self.pending_extension is None or self.deadline is None:
            raise NoExtensionRequested(f"case {self.tracking_number} has no extension request")
        return self.pending_extension, self.deadline

    class ExtensionGranted(Event):
        TOPIC = "oversight:Case.ExtensionGranted"
        deadline: Deadline

        def apply(self, case: Case) -> None:
            if case.pending_extension is not None:
                case.deadline_adjustments.append(
                    {
                        "resumed": False,
                        "working_days": case.pending_extension["working_days"],
                        "at": self.timestamp,
                    }
                )
            case.deadline = self.deadline
            case.pending_extension = None

    def grant_extension(
        self, *, policy: DeadlinePolicy, calendar: WorkingCalendar, by: Actor, at: datetime
    ) -> None:
        """An inspector grants the requested extension (批准延期)."""
        request, deadline = self._require_pending_extension()
        self.trigger_event(
            self.ExtensionGranted,
            deadline=policy.extended(deadline, request["working_days"], calendar, at),
            actor=by,
            timestamp=at,
        )

    class ExtensionRefused(Event):
        TOPIC = "oversight:Case.ExtensionRefused"
        reason: str

        def apply(self, case: Case) -> None:
            case.pending_extension = None

    def refuse_extension(self, *, reason: str, by: Actor, at: datetime) -> None:
        """An inspector refuses the requested extension (不予延期), with a reason."""
        self._require_pending_extension()
        _require_reason(reason, "refusing an extension")
        self.trigger_event(self.ExtensionRefused, reason=reason, actor=by, timestamp=at)

    # Answer, callback, closing -------------------------------------------

    class ResultPosted(Event):
        TOPIC = "oversight:Case.ResultPosted"
        outcome: str
        actions: str
        answer: str

        def apply(self, case: Case) -> None:
            case.status = Status.ANSWERED
            case.result = {"outcome": self.outcome, "actions": self.actions, "answer": self.answer}
            case.answered_at = self.timestamp
            case.clock_stopped_at = None
            case.pending_extension = None

    def post_result(
        self, *, outcome: Outcome, actions: str, answer: str, by: Actor, at: datetime
    ) -> None:
        """The department posts what it found and did, and its answer (办理结果)."""
        self._require_handling("answered", by)
        if not answer.strip():
            raise Invalid("a result needs an answer to the complainant")
        self._record_missed_deadlines(by, at)
        self.trigger_event(
            self.ResultPosted,
            outcome=outcome.value,
            actions=actions,
            answer=answer,
            actor=by,
            timestamp=at,
        )

    class CallbackRecorded(Event):
        TOPIC = "oversight:Case.CallbackRecorded"
        reached: bool
        satisfaction: str | None
        comment: str | None

        def apply(self, case: Case) -> None:
            if self.reached:
                case.satisfaction = self.satisfaction
            case.callbacks.append(
                {
                    "reached": self.reached,
                    "satisfaction": self.satisfaction,
                    "comment": self.comment,
                    "at": self.timestamp.isoformat(),
                }
            )

    def record_callback(
        self,
        *,
        reached: bool,
        satisfaction: Satisfaction | None,
        comment: str | None,
        by: Actor,
        at: datetime,
    ) -> None:
        """The operator calls the complainant back and records their satisfaction (回访)."""
        self._require_status("called back", Status.ANSWERED)
        if reached != (satisfaction is not None):
            raise SatisfactionRequired(
                "a callback that reached the complainant records their satisfaction; "
                "one that did not reach them records none"
            )
        self.trigger_event(
            self.CallbackRecorded,
            reached=reached,
            satisfaction=satisfaction.value if satisfaction else None,
            comment=comment,
            actor=by,
            timestamp=at,
        )

    class Closed(Event):
        TOPIC = "oversight:Case.Closed"

        def apply(self, case: Case) -> None:
            case.status = Status.CLOSED
            case.closed_at = self.timestamp

    def close(self, *, by: Actor, at: datetime) -> None:
        """Close a case whose result was posted (办结); praise closes once acknowledged."""
        self._require_not_finished()
        praise_taken = self.kind is Kind.PRAISE and self.status is Status.IN_PROGRESS
        if self.status is not Status.ANSWERED and not praise_taken:
            raise CaseNotAnswered(
                f"case {self.tracking_number} is {self.status.value}: closing needs a posted result"
            )
        self.trigger_event(self.Closed, actor=by, timestamp=at)

    class Reopened(Event):
        TOPIC = "oversight:Case.Reopened"
        reason: str
        deadline: Deadline | None

        def apply(self, case: Case) -> None:
            case.status = Status.IN_PROGRESS
            case.deadline = self.deadline
            case.handling_started_at = self.timestamp
            case.handling_base = self.deadline
            case.deadline_adjustments = []
            case.supervised_at = None
            case.public_notice_flagged = False
            case.result = None
            case.answered_at = None
            case.closed_at = None
            case.satisfaction = None
            case.reopenings += 1

    def reopen(
        self,
        *,
        reason: str,
        policy: DeadlinePolicy,
        calendar: WorkingCalendar,
        by: Actor,
        at: datetime,
    ) -> None:
        """Send an answer that was not accepted back to the department (重办)."""
        if self.status is Status.MERGED:
            raise CaseMerged(f"case {self.tracking_number} was merged into another case")
        if self.status not in (Status.ANSWERED, Status.CLOSED):
            raise CaseStatusForbids(
                f"a case that is {self.status.value} cannot be reopened; "
                "it must be answered or closed"
            )
        if self.closed_at is not None and at - self.closed_at > REOPEN_WINDOW:
            raise ReopenWindowExpired(
                f"case {self.tracking_number} was closed on {self.closed_at.date().isoformat()}; "
                "it can be reopened within 30 days of closing"
            )
        if self.reopenings >= MAX_REOPENINGS:
            raise ReopenLimitReached(
                f"case {self.tracking_number} was reopened {self.reopenings} times already"
            )
        _require_reason(reason, "reopening a case")
        self.trigger_event(
            self.Reopened,
            reason=reason,
            deadline=policy.handling_deadline(self.kind.value, at, self.urgent, calendar),
            actor=by,
            timestamp=at,
        )

    # Duplicates, notes, supervision --------------------------------------

    class Merged(Event):
        TOPIC = "oversight:Case.Merged"
        into: str

        def apply(self, case: Case) -> None:
            case.status = Status.MERGED
            case.merged_into = self.into
            case.clock_stopped_at = None
            case.pending_extension = None

    def merge_into(self, target: Case, *, by: Actor, at: datetime) -> None:
        """Merge this duplicate into the first case about the same facts (重复件)."""
        if target.id == self.id:
            raise MergeIntoItself("a case cannot be merged into itself")
        self._require_not_finished()
        target._require_not_finished()
        self._record_missed_deadlines(by, at)
        self.trigger_event(self.Merged, into=str(target.id), actor=by, timestamp=at)
        target.trigger_event(
            target.DuplicateAttached, duplicate=str(self.id), actor=by, timestamp=at
        )

    class DuplicateAttached(Event):
        TOPIC = "oversight:Case.DuplicateAttached"
        duplicate: str

        def apply(self, case: Case) -> None:
            case.duplicates.append(self.duplicate)

    class NoteAdded(Event):
        TOPIC = "oversight:Case.NoteAdded"
        text: str
        public: bool

        def apply(self, case: Case) -> None:
            case.notes.append(
                {
                    "text": self.text,
                    "public": self.public,
                    "at": self.timestamp.isoformat(),
                    "by": self.actor.principal,
                }
            )

    def add_note(self, *, text: str, public: bool, by: Actor, at: datetime) -> None:
        """Add a note: public ones appear on the citizen's timeline, internal ones do not."""
        if self.status is Status.MERGED:
            raise CaseMerged(f"case {self.tracking_number} was merged into another case")
        if not text.strip():
            raise Invalid("a note needs text")
        self.trigger_event(self.NoteAdded, text=text, public=public, actor=by, timestamp=at)

    class Supervised(Event):
        TOPIC = "oversight:Case.Supervised"
        note: str

        def apply(self, case: Case) -> None:
            case.supervisions.append({"note": self.note, "at": self.timestamp.isoformat()})
            case.supervised_at = self.timestamp

    def supervise(self, *, note: str, by: Actor, at: datetime) -> None:
        """An inspector escalates a case whose deadline passed (督办)."""
        self._require_status("supervised", Status.ASSIGNED, Status.IN_PROGRESS)
        if not self.is_overdue(at):
            raise CaseNotOverdue(
                f"case {self.tracking_number} has missed no deadline; supervision follows one"
            )
        _require_reason(note, "supervision")
        self.trigger_event(self.Supervised, note=note, actor=by, timestamp=at)

    # The clock, run by the system itself -----------------------------------

    @property
    def clock_state(self) -> ClockState:
        """The facts that decide what the deadline clock must record for this case."""
        return ClockState(
            awaiting_acknowledgement=self.status is Status.ASSIGNED,
            handling=self.status in (Status.ASSIGNED, Status.IN_PROGRESS),
            acknowledge_due_at=self.acknowledge_deadline.due_at
            if self.acknowledge_deadline
            else None,
            due_at=self.deadline.due_at if self.deadline else None,
            handling_started_at=self.handling_started_at,
            clock_stopped=self.clock_stopped,
            acknowledge_missed_for=self.acknowledge_missed_for,
            due_missed_for=self.due_missed_for,
            reminded_for=self.reminded_for,
            supervised_at=self.supervised_at,
            public_notice_flagged=self.public_notice_flagged,
        )

    def _record_missed_deadlines(self, by: Actor, at: datetime) -> None:
        """A step taken after a deadline the clock has not yet seen pass records the miss first,
        so acting late never erases the fact that a deadline was missed."""
        system = Actor.system(request_id=by.request_id)
        for moment, alarm in missed_by(self.clock_state, at):
            event_class = (
                self.AcknowledgeDeadlineMissed
                if alarm is Alarm.ACKNOWLEDGE_MISSED
                else self.DeadlineMissed
            )
            self.trigger_event(event_class, due_at=moment, actor=system, timestamp=at)

    class Reminded(Event):
        TOPIC = "oversight:Case.Reminded"
        remind_at: datetime
        due_at: datetime

        def apply(self, case: Case) -> None:
            case.reminded_for = self.due_at

    class AcknowledgeDeadlineMissed(Event):
        TOPIC = "oversight:Case.AcknowledgeDeadlineMissed"
        due_at: datetime

        def apply(self, case: Case) -> None:
            case.acknowledge_missed_for = self.due_at

    class DeadlineMissed(Event):
        TOPIC = "oversight:Case.DeadlineMissed"
        due_at: datetime

        def apply(self, case: Case) -> None:
            case.due_missed_for = self.due_at

    class PublicNoticeFlagged(Event):
        TOPIC = "oversight:Case.PublicNoticeFlagged"
        notice_at: datetime
        supervised_at: datetime

        def apply(self, case: Case) -> None:
            case.public_notice_flagged = True

    def observe_clock(self, *, calendar: WorkingCalendar, by: Actor, at: datetime) -> int:
        """Record every reminder, missed deadline and notice whose moment has come; once each.

        Each event keeps the true moment it stands for, so a clock catching up after
        downtime records what happened when it happened, not when it noticed.
        """
        recorded = 0
        while alarms := due_alarms(self.clock_state, calendar, at):
            moment, alarm = alarms[0]
            state = self.clock_state
            if alarm is Alarm.REMINDER:
                event: dict[str, Any] = {"event_class": self.Reminded, "remind_at": moment}
                event["due_at"] = state.due_at
            elif alarm is Alarm.ACKNOWLEDGE_MISSED:
                event = {"event_class": self.AcknowledgeDeadlineMissed, "due_at": moment}
            elif alarm is Alarm.DEADLINE_MISSED:
                event = {"event_class": self.DeadlineMissed, "due_at": moment}
            else:
                event = {"event_class": self.PublicNoticeFlagged, "notice_at": moment}
                event["supervised_at"] = state.supervised_at
            self.trigger_event(actor=by, timestamp=at, **event)
            recorded += 1
        return recorded

    class DeadlinesRecomputed(Event):
        TOPIC = "oversight:Case.DeadlinesRecomputed"
        acknowledge_deadline: Deadline | None
        deadline: Deadline | None

        def apply(self, case: Case) -> None:
            case.acknowledge_deadline = self.acknowledge_deadline
            case.deadline = self.deadline

    def _recomputed_handling_deadline(
        self, policy: DeadlinePolicy, calendar: WorkingCalendar
    ) -> Deadline | None:
        """The base deadline recomputed, then every extension and resumption applied again."""
        if self.handling_base is None:
            return self.deadline
        deadline = policy.recomputed(self.handling_base, calendar)
        for adjustment in self.deadline_adjustments:
            if adjustment["resumed"]:
                deadline = policy.resumed(
                    deadline, adjustment["stopped_at"], adjustment["at"], calendar
                )
            else:
                deadline = policy.extended(
                    deadline, adjustment["working_days"], calendar, adjustment["at"]
                )
        return deadline

    @property
    def has_provisional_deadline(self) -> bool:
        """Whether an open deadline rests on a year whose schedule was not yet published."""
        return any(
            d is not None and d.provisional for d in (self.acknowledge_deadline, self.deadline)
        )

    def recompute_deadlines(
        self, *, policy: DeadlinePolicy, calendar: WorkingCalendar, by: Actor, at: datetime
    ) -> bool:
        """Recompute provisional deadlines on a calendar with a newly published year."""
        if self.status not in (Status.ASSIGNED, Status.IN_PROGRESS):
            return False
        acknowledge = self.acknowledge_deadline
        if acknowledge is not None:
            acknowledge = policy.recomputed(acknowledge, calendar)
        renewed = (acknowledge, self._recomputed_handling_deadline(policy, calendar))
        if renewed == (self.acknowledge_deadline, self.deadline):
            return False
        self.trigger_event(
            self.DeadlinesRecomputed,
            acknowledge_deadline=renewed[0],
            deadline=renewed[1],
            actor=by,
            timestamp=at,
        )
        return True
