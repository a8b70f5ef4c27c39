"""The Case aggregate: one complaint, report, request, consultation, suggestion or praise (§5)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.actor import Actor, Role
from domain.attachment import add_to_attachments
from domain.calendar import WorkingCalendar
from domain.deadlines import Deadline, DeadlinePolicy
from domain.errors import Conflict, Forbidden, Invalid, NotFound
from domain.personal_data import personal_text
from domain.task import MAX_EXTENSION_WORKING_DAYS as MAX_EXTENSION_WORKING_DAYS
from domain.task import ClockAlreadyStopped as ClockAlreadyStopped
from domain.task import ClockNotStopped as ClockNotStopped
from domain.task import DeadlineAlreadyPassed as DeadlineAlreadyPassed
from domain.task import ExtensionAfterDeadline as ExtensionAfterDeadline
from domain.task import ExtensionAlreadyRequested as ExtensionAlreadyRequested
from domain.task import ExtensionOutOfRange as ExtensionOutOfRange
from domain.task import NoExtensionRequested as NoExtensionRequested
from domain.task import NoHandlingDeadline as NoHandlingDeadline
from domain.task import NotOverdue, Task, passes, require_reason
from domain.task import ReasonRequired as ReasonRequired

REOPEN_WINDOW = timedelta(days=30)
MAX_REOPENINGS = 2
# A client's flood of bad ratings must not grow one case without end (every step loads it
# whole); past this many the ratings still count in the window's satisfaction.
MAX_BAD_RATINGS = 100


# What a case is about (§5): the categories the intake offers; a case may name another.
# The category an operator picks for a complaint that an item promised in one trip took
# several (多次跑动): counted per item in the item metrics (§16).
SEVERAL_TRIPS = "多次跑动"

CATEGORIES = (
    "服务态度",
    "业务能力",
    "工作纪律",
    "办事效率",
    "一次性告知",
    "推诿扯皮",
    "廉洁自律",
    "流程与系统",
    "大厅环境",
    "政策及其他",
    # Cases about an item promised in at most one trip (最多跑一次) that took several (§16).
    SEVERAL_TRIPS,
)


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


class ProposalStatus(StrEnum):
    """Where a deduction a department proposed with its result stands (建议扣分)."""

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class CaseAction(StrEnum):
    """What a person may do to a case, in the order the case page offers them (§13)."""

    ASSIGN = "assign"
    ACKNOWLEDGE = "acknowledge"
    RETURN = "return"
    STOP_CLOCK = "stop_clock"
    RESUME_CLOCK = "resume_clock"
    REQUEST_EXTENSION = "request_extension"
    GRANT_EXTENSION = "grant_extension"
    REFUSE_EXTENSION = "refuse_extension"
    POST_RESULT = "post_result"
    SUPERVISE = "supervise"
    CALLBACK = "callback"
    CLOSE = "close"
    REOPEN = "reopen"
    MERGE = "merge"
    REMIND = "remind"


_CENTRE = frozenset({Role.OPERATOR, Role.INSPECTOR})
_DEPARTMENT = frozenset({Role.DEPARTMENT})
_INSPECTOR = frozenset({Role.INSPECTOR})
# Who may take each action (§3); the case's state decides the rest (`actions_open_to`).
CASE_ACTION_ROLES: dict[CaseAction, frozenset[Role]] = {
    CaseAction.ASSIGN: _CENTRE,
    CaseAction.ACKNOWLEDGE: _DEPARTMENT,
    CaseAction.RETURN: _DEPARTMENT,
    CaseAction.STOP_CLOCK: _DEPARTMENT,
    CaseAction.RESUME_CLOCK: _DEPARTMENT,
    CaseAction.REQUEST_EXTENSION: _DEPARTMENT,
    CaseAction.GRANT_EXTENSION: _INSPECTOR,
    CaseAction.REFUSE_EXTENSION: _INSPECTOR,
    CaseAction.POST_RESULT: _DEPARTMENT,
    CaseAction.SUPERVISE: _INSPECTOR,
    CaseAction.CALLBACK: _CENTRE,
    CaseAction.CLOSE: _CENTRE,
    CaseAction.REOPEN: _CENTRE,
    CaseAction.MERGE: _CENTRE,
    CaseAction.REMIND: _CENTRE,
}

OPEN_STATUSES = frozenset(
    {Status.REGISTERED, Status.ASSIGNED, Status.IN_PROGRESS, Status.ANSWERED, Status.RETURNED}
)
# Kinds whose substantiated result may propose a deduction: complaints and reports of conduct.
DEDUCTIBLE_KINDS = frozenset({Kind.COMPLAINT, Kind.REPORT})


def kind_may_propose_deduction(kind: Kind | str) -> bool:
    """Whether a result on a case of this kind may propose a deduction (建议扣分), when it
    finds the case substantiated."""
    return Kind(kind) in DEDUCTIBLE_KINDS


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


class CaseNotOverdue(NotOverdue):
    """Supervision (督办) follows a missed deadline."""

    code = "case_not_overdue"


class NotifyWithoutPhone(Invalid):
    """The complainant agreed to SMS notifications but gave no phone number to send them to."""

    code = "notify_without_phone"


class MergeIntoItself(Invalid):
    """A case cannot be merged into itself."""

    code = "merge_into_itself"


class SatisfactionRequired(Invalid):
    """A callback that reached the complainant records their satisfaction, and only then."""

    code = "satisfaction_required"


class DeductionNotProposable(Invalid):
    """Only a result that finds a complaint or report substantiated may propose a deduction,
    and it names a rule and the staff member or window it costs."""

    code = "deduction_not_proposable"


class NoProposedDeduction(Conflict):
    """There is no proposed deduction waiting for an inspector's decision."""

    code = "no_proposed_deduction"


class BadRatingAlreadyAdded(Conflict):
    """A bad rating is on a case once."""

    code = "bad_rating_already_added"


class BadRatingsFull(Conflict):
    """A case holds at most MAX_BAD_RATINGS bad ratings."""

    code = "bad_ratings_full"


_require_reason = require_reason


@dataclass(frozen=True, kw_only=True)
class Intake:
    """What was brought to the centre to register as a case (登记): who and what it is about,
    and who brought it; `source` names the inspection visit that found it, if one did."""

    kind: Kind
    channel: Channel
    summary: str
    details: str = ""
    complainant: dict[str, Any]
    department: str | None = None
    window: str | None = None
    staff: str | None = None
    category: str | None = None
    urgent: bool = False
    item: str | None = None  # the service item it is about (事项, §16)
    source: dict[str, str] | None = None


class Case(Task):
    """A case handed to a supervising department with a clock, answered and called back.

    The clock (deadlines, stopping, extensions, supervision, reminders, missed deadlines,
    recomputation) is the one every task shares: see `domain/task.py`.
    """

    TOPIC = "oversight:Case"
    _not_overdue = CaseNotOverdue

    class Event(Task.Event):
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
        # {type: "visit", ref: <the visit's id>}: a finding of an inspection visit (§16).
        source: dict[str, str] | None = None
        # {access_code: ...} when the citizen agreed to SMS (§17): what the registration SMS
        # tells them. Sealed with the complainant, so erasure destroys it too; never applied.
        notification: dict[str, str] | None = None

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
        source: dict[str, str] | None = None,
        notification: dict[str, str] | None = None,
    ) -> None:
        self._start_clock()
        self.tracking_number = tracking_number
        self.access_code_hash = access_code_hash
        self.kind = Kind(kind)
        self.channel = Channel(channel)
        self.department = department
        self.window = window
        self.staff = staff
        self.category = category
        self.urgent = urgent
        # Sealed with the complainant: once erased they read as the words that stand in.
        self.summary = personal_text(summary) or ""
        self.details = personal_text(details) or ""
        self.complainant = complainant
        self.registered_by = actor
        self.status = Status.REGISTERED
        self.assigned_department: str | None = None
        self.final = False
        self.assigned_at: datetime | None = None
        self.acknowledged_at: datetime | None = None
        self.result: dict[str, Any] | None = None
        self.proposed_deduction: dict[str, Any] | None = None
        self.answered_at: datetime | None = None
        self.callbacks: list[dict[str, Any]] = []
        self.satisfaction: str | None = None
        self.closed_at: datetime | None = None
        self.reopenings = 0
        self.returns = 0
        self.merged_into: str | None = None
        self.duplicates: list[str] = []
        self.notes: list[dict[str, Any]] = []
        self.source = source

    @classmethod
    def register(
        cls,
        intake: Intake,
        *,
        case_id: UUID,
        tracking_number: str,
        access_code_hash: str,
        by: Actor,
        at: datetime,
        access_code: str | None = None,
    ) -> Case:
        """Register what a citizen brought to the centre (登记), or what an inspection visit
        found, naming the service item it is about if it names one. A complainant with
        `notify` agreed to be told by SMS (§17): they need a phone, and the `access_code` is
        kept sealed for the first SMS."""
        if not intake.summary.strip():
            raise Invalid("a case needs a summary")
        notify = bool(intake.complainant.get("notify"))
        if notify and not intake.complainant.get("phone"):
            raise NotifyWithoutPhone("a complainant told by SMS needs a phone number")
        case = cls._create(
            cls.Registered,
            id=case_id,
            tracking_number=tracking_number,
            access_code_hash=access_code_hash,
            kind=intake.kind.value,
            channel=intake.channel.value,
            department=intake.department,
            window=intake.window,
            staff=intake.staff,
            category=intake.category,
            urgent=intake.urgent,
            summary=intake.summary,
            details=intake.details,
            complainant=intake.complainant,
            actor=by,
            timestamp=at,
            source=intake.source,
            notification={"access_code": access_code} if notify and access_code else None,
        )
        if intake.item is not None:
            case.name_item(intake.item, by=by, at=at)
        return case

    # The service item the case is about (事项, §16): named at registration, after the
    # catalogue was checked; None when the case names none.
    item: str | None = None

    class ItemNamed(Event):
        """The case is about an item of the catalogue (事项清单); its kind and category are
        carried along, so that the item metrics need no other event."""

        TOPIC = "oversight:Case.ItemNamed"
        item: str
        kind: str
        category: str | None
        department: str | None

        def apply(self, case: Case) -> None:
            case.item = self.item

    def name_item(self, item: str, *, by: Actor, at: datetime) -> None:
        """Name the service item the case is about (in the save that registers it)."""
        self.trigger_event(
            self.ItemNamed,
            item=item,
            kind=self.kind.value,
            category=self.category,
            department=self.department,
            actor=by,
            timestamp=at,
        )

    # Guards ---------------------------------------------------------------

    @property
    def label(self) -> str:
        return f"case {self.tracking_number}"

    @property
    def awaiting_acknowledgement(self) -> bool:
        return self.status is Status.ASSIGNED

    @property
    def handling(self) -> bool:
        return self.status in (Status.ASSIGNED, Status.IN_PROGRESS)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def _require_not_merged(self) -> None:
        if self.status is Status.MERGED:
            raise CaseMerged(f"case {self.tracking_number} was merged into another case")

    def _require_not_finished(self) -> None:
        self._require_not_merged()
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

    def _require_handling(self, verb: str, by: Actor) -> None:
        self._require_not_finished()
        self._require_assigned_department(by)
        if self.status is Status.ASSIGNED:
            raise CaseNotAcknowledged(
                f"case {self.tracking_number} must be acknowledged before it can be {verb}"
            )
        self._require_status(verb, Status.IN_PROGRESS)

    def _require_extension_decidable(self) -> None:
        self._require_status("decided on", Status.IN_PROGRESS)

    def _require_supervisable(self) -> None:
        self._require_status("supervised", Status.ASSIGNED, Status.IN_PROGRESS)

    def _require_remindable(self) -> str:
        self._require_not_finished()
        if self.status in (Status.REGISTERED, Status.RETURNED):
            raise CaseNotAssigned(f"case {self.tracking_number} is not assigned to a department")
        self._require_status("reminded", Status.ASSIGNED, Status.IN_PROGRESS)
        return str(self.assigned_department)

    def may_be_read_by(self, viewer: Actor) -> bool:
        """Departments read only cases assigned to them; the other staff roles read all."""
        if viewer.role is Role.DEPARTMENT:
            # The superior it stands escalated to reads it too (提级督办).
            return viewer.acts_for(self.assigned_department) or self.may_be_directed_by(viewer)
        return viewer.role in {Role.OPERATOR, Role.INSPECTOR}

    def actions_open_to(self, actor: Actor, at: datetime) -> tuple[CaseAction, ...]:
        """The actions `actor` may take on the case at `at`: their role's (§3), whose state
        checks pass now — the very checks each command makes before it records anything."""
        checks: dict[CaseAction, Callable[[], object]] = {
            CaseAction.ASSIGN: self._check_assign,
            CaseAction.ACKNOWLEDGE: lambda: self._check_acknowledge(actor),
            CaseAction.RETURN: lambda: self._check_return(actor),
            CaseAction.STOP_CLOCK: lambda: self._check_stop_clock(actor, at),
            CaseAction.RESUME_CLOCK: lambda: self._check_resume_clock(actor),
            CaseAction.REQUEST_EXTENSION: lambda: self._check_request_extension(actor, at),
            CaseAction.GRANT_EXTENSION: self._require_pending_extension,
            CaseAction.REFUSE_EXTENSION: self._require_pending_extension,
            CaseAction.POST_RESULT: lambda: self._require_handling("answered", actor),
            CaseAction.SUPERVISE: lambda: self._check_supervise(at),
            CaseAction.CALLBACK: self._check_callback,
            CaseAction.CLOSE: self._check_close,
            CaseAction.REOPEN: lambda: self._check_reopen(at),
            CaseAction.MERGE: self._require_not_finished,
            CaseAction.REMIND: lambda: self._check_remind(actor),
        }
        return tuple(
            action
            for action in CaseAction
            if actor.role in CASE_ACTION_ROLES[action] and passes(checks[action])
        )

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
            case.assigned_at = self.timestamp
            case.acknowledged_at = None
            case._hand_over(self.acknowledge_deadline, self.deadline, self.timestamp)

    def _check_assign(self) -> None:
        self._require_status("assigned", Status.REGISTERED, Status.RETURNED, Status.ASSIGNED)

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
        self._check_assign()
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

    def _check_acknowledge(self, by: Actor) -> None:
        self._require_not_finished()
        if self.status in (Status.REGISTERED, Status.RETURNED):
            raise CaseNotAssigned(f"case {self.tracking_number} is not assigned to a department")
        self._require_assigned_department(by)
        self._require_status("acknowledged", Status.ASSIGNED)

    def acknowledge(self, *, by: Actor, at: datetime) -> None:
        """The assigned department confirms it took the case (签收)."""
        self._check_acknowledge(by)
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

    def _check_return(self, by: Actor) -> None:
        self._require_not_finished()
        self._require_assigned_department(by)
        self._require_status("returned", Status.ASSIGNED, Status.IN_PROGRESS)
        if self.final:
            raise CaseArbitrated(
                f"case {self.tracking_number} was assigned as final (审定) and cannot be returned"
            )

    def return_to_sender(self, *, reason: str, by: Actor, at: datetime) -> None:
        """The department says the case is not theirs (退单); the centre decides again."""
        self._check_return(by)
        _require_reason(reason, "returning a case")
        self._record_missed_deadlines(by, at)
        self.trigger_event(self.Returned, reason=reason, actor=by, timestamp=at)

    # The clock: the shared task's events, under the case's own stable topics --------------

    class ClockStopped(Task.ClockStopped, Event):
        TOPIC = "oversight:Case.ClockStopped"

    class ClockResumed(Task.ClockResumed, Event):
        TOPIC = "oversight:Case.ClockResumed"

    class ExtensionRequested(Task.ExtensionRequested, Event):
        TOPIC = "oversight:Case.ExtensionRequested"

    class ExtensionGranted(Task.ExtensionGranted, Event):
        TOPIC = "oversight:Case.ExtensionGranted"

    class ExtensionRefused(Task.ExtensionRefused, Event):
        TOPIC = "oversight:Case.ExtensionRefused"

    class Supervised(Task.Supervised, Event):
        TOPIC = "oversight:Case.Supervised"

    class Reminded(Task.Reminded, Event):
        TOPIC = "oversight:Case.Reminded"

    class AcknowledgeDeadlineMissed(Task.AcknowledgeDeadlineMissed, Event):
        TOPIC = "oversight:Case.AcknowledgeDeadlineMissed"

    class DeadlineMissed(Task.DeadlineMissed, Event):
        TOPIC = "oversight:Case.DeadlineMissed"

    class PublicNoticeFlagged(Task.PublicNoticeFlagged, Event):
        TOPIC = "oversight:Case.PublicNoticeFlagged"

    class DeadlinesRecomputed(Task.DeadlinesRecomputed, Event):
        TOPIC = "oversight:Case.DeadlinesRecomputed"

    class RemindedByHand(Task.RemindedByHand, Event):
        TOPIC = "oversight:Case.RemindedByHand"

    class Escalated(Task.Escalated, Event):
        TOPIC = "oversight:Case.Escalated"

    class Directed(Task.Directed, Event):
        TOPIC = "oversight:Case.Directed"

    # Answer, callback, closing -------------------------------------------

    class ResultPosted(Event):
        TOPIC = "oversight:Case.ResultPosted"
        # Version 2 added `proposed_deduction`; a version 1 event proposed none.
        class_version = 2
        outcome: str
        actions: str
        answer: str
        proposed_deduction: dict[str, Any] | None = None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["proposed_deduction"] = None

        def apply(self, case: Case) -> None:
            case.status = Status.ANSWERED
            case.result = {"outcome": self.outcome, "actions": self.actions, "answer": self.answer}
            case.answered_at = self.timestamp
            case.clock_stopped_at = None
            case.pending_extension = None
            if self.proposed_deduction is not None:
                case.proposed_deduction = {
                    **self.proposed_deduction,
                    "status": ProposalStatus.PROPOSED.value,
                    "proposed_at": self.timestamp.isoformat(),
                    "proposed_by": self.actor.principal,
                    # Which result proposed it: a reopened case may propose again.
                    "result_version": self.originator_version,
                }

    def post_result(
        self,
        *,
        outcome: Outcome,
        actions: str,
        answer: str,
        by: Actor,
        at: datetime,
        proposed_deduction: dict[str, Any] | None = None,
    ) -> None:
        """The department posts what it found and did, and its answer (办理结果).

        A result that finds a complaint or report substantiated may propose a deduction
        (`{rule, staff?, window?, points?}`, staff and window defaulting to the case's) for
        an inspector to confirm or dismiss.
        """
        self._require_handling("answered", by)
        if not answer.strip():
            raise Invalid("a result needs an answer to the complainant")
        proposal = None
        if proposed_deduction is not None:
            proposal = self._proposal(outcome, proposed_deduction)
        self._record_missed_deadlines(by, at)
        self.trigger_event(
            self.ResultPosted,
            outcome=outcome.value,
            actions=actions,
            answer=answer,
            proposed_deduction=proposal,
            actor=by,
            timestamp=at,
        )

    def _proposal(self, outcome: Outcome, proposed: dict[str, Any]) -> dict[str, Any]:
        if outcome is not Outcome.SUBSTANTIATED or not kind_may_propose_deduction(self.kind):
            raise DeductionNotProposable(
                "only a result finding a complaint or report substantiated may propose a deduction"
            )
        rule = str(proposed.get("rule") or "").strip()
        if not rule:
            raise DeductionNotProposable("a proposed deduction names a rule of conduct")
        staff = proposed.get("staff") or None
        window = proposed.get("window") or None
        if staff is None and window is None:
            staff, window = self.staff, self.window
        if staff is None and window is None:
            raise DeductionNotProposable(
                f"case {self.tracking_number} names no staff member or window: "
                "the proposed deduction must name one"
            )
        points = proposed.get("points")
        if points is not None and (isinstance(points, bool) or not isinstance(points, int)):
            raise DeductionNotProposable("proposed points are a whole number")
        return {"rule": rule, "staff": staff, "window": window, "points": points}

    class ProposedDeductionConfirmed(Event):
        TOPIC = "oversight:Case.ProposedDeductionConfirmed"
        deduction_id: str

        def apply(self, case: Case) -> None:
            case._mark_proposal_decided(
                ProposalStatus.CONFIRMED, self, deduction_id=self.deduction_id
            )

    def _mark_proposal_decided(
        self, status: ProposalStatus, decision: Case.Event, **details: str
    ) -> None:
        if self.proposed_deduction is not None:
            self.proposed_deduction = {
                **self.proposed_deduction,
                "status": status.value,
                **details,
                "decided_at": decision.timestamp.isoformat(),
                "decided_by": decision.actor.principal,
            }

    def proposal_to_decide(self) -> dict[str, Any]:
        """The proposed deduction waiting for an inspector; refused if there is none."""
        self._require_not_merged()
        proposal = self.pending_proposal
        if proposal is None:
            raise NoProposedDeduction(
                f"case {self.tracking_number} has no proposed deduction waiting for a decision"
            )
        return proposal

    @property
    def pending_proposal(self) -> dict[str, Any] | None:
        """The proposed deduction waiting for an inspector, if any."""
        proposal = self.proposed_deduction
        if proposal is None or proposal["status"] != ProposalStatus.PROPOSED.value:
            return None
        return proposal

    def confirm_proposed_deduction(self, *, deduction_id: UUID, by: Actor, at: datetime) -> None:
        """An inspector confirms the deduction the department proposed; it was recorded as
        `deduction_id` on the scorecards."""
        self.proposal_to_decide()
        self.trigger_event(
            self.ProposedDeductionConfirmed,
            deduction_id=str(deduction_id),
            actor=by,
            timestamp=at,
        )

    class ProposedDeductionDismissed(Event):
        TOPIC = "oversight:Case.ProposedDeductionDismissed"
        reason: str

        def apply(self, case: Case) -> None:
            case._mark_proposal_decided(ProposalStatus.DISMISSED, self, reason=self.reason)

    def dismiss_proposed_deduction(self, *, reason: str, by: Actor, at: datetime) -> None:
        """An inspector dismisses the deduction the department proposed, with a reason."""
        self.proposal_to_decide()
        _require_reason(reason, "dismissing a proposed deduction")
        self.trigger_event(self.ProposedDeductionDismissed, reason=reason, actor=by, timestamp=at)

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

    def _check_callback(self) -> None:
        self._require_status("called back", Status.ANSWERED)

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
        self._check_callback()
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

    def _check_close(self) -> None:
        self._require_not_finished()
        praise_taken = self.kind is Kind.PRAISE and self.status is Status.IN_PROGRESS
        if self.status is not Status.ANSWERED and not praise_taken:
            raise CaseNotAnswered(
                f"case {self.tracking_number} is {self.status.value}: closing needs a posted result"
            )

    def close(self, *, by: Actor, at: datetime) -> None:
        """Close a case whose result was posted (办结); praise closes once acknowledged."""
        self._check_close()
        self.trigger_event(self.Closed, actor=by, timestamp=at)

    class Reopened(Event):
        TOPIC = "oversight:Case.Reopened"
        reason: str
        deadline: Deadline | None

        def apply(self, case: Case) -> None:
            case.status = Status.IN_PROGRESS
            case._restart_handling(self.deadline, self.timestamp)
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
        self._check_reopen(at)
        _require_reason(reason, "reopening a case")
        self.trigger_event(
            self.Reopened,
            reason=reason,
            deadline=policy.handling_deadline(self.kind.value, at, self.urgent, calendar),
            actor=by,
            timestamp=at,
        )

    def _check_reopen(self, at: datetime) -> None:
        self._require_not_merged()
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

    # Duplicates, notes ---------------------------------------------------

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
        self._require_not_merged()
        if not text.strip():
            raise Invalid("a note needs text")
        self.trigger_event(self.NoteAdded, text=text, public=public, actor=by, timestamp=at)

    # Bad ratings (差评) -------------------------------------------------------

    class BadRatingAdded(Event):
        TOPIC = "oversight:Case.BadRatingAdded"
        # The rater's words are sealed with the case's personal data: erasing it erases them.
        PERSONAL_FIELDS = ("comment",)
        evaluation: str
        window: str
        rating: int
        comment: str | None
        rated_at: datetime

        def apply(self, case: Case) -> None:
            entry = {
                "evaluation": self.evaluation,
                "window": self.window,
                "rating": self.rating,
                "comment": personal_text(self.comment),
                "rated_at": self.rated_at.isoformat(),
                "added_at": self.timestamp.isoformat(),
            }
            case._bad_ratings = [*case.bad_ratings, entry]

    @property
    def bad_ratings(self) -> list[dict[str, Any]]:
        """The bad ratings recorded on the case, in the order they were added."""
        return vars(self).get("_bad_ratings", [])

    def holds_bad_rating(self, evaluation_id: UUID) -> bool:
        """Whether this rating is recorded on the case already."""
        return any(entry["evaluation"] == str(evaluation_id) for entry in self.bad_ratings)

    def add_bad_rating(
        self,
        *,
        evaluation_id: UUID,
        window: str,
        rating: int,
        comment: str | None,
        rated_at: datetime,
        by: Actor,
        at: datetime,
    ) -> None:
        """Record a bad rating on the case: the one that opened it, or a later one of the same
        client, window and office day (同一来源当日重复差评). The status stays as it is: a
        closed case takes the rating onto its record without reopening."""
        from domain.personal_data import PersonalDataAlreadyErased

        self._require_not_merged()
        if self.holds_bad_rating(evaluation_id):
            raise BadRatingAlreadyAdded(f"rating {evaluation_id} is on this case already")
        if len(self.bad_ratings) >= MAX_BAD_RATINGS:
            raise BadRatingsFull(
                f"case {self.tracking_number} holds {MAX_BAD_RATINGS} bad ratings already"
            )
        if self.personal_data_erased:
            # The rater's words are personal data sealed under the case's erased key.
            raise PersonalDataAlreadyErased(
                f"the personal data of case {self.tracking_number} was erased: "
                "no rater's words are recorded on it again"
            )
        self.trigger_event(
            self.BadRatingAdded,
            evaluation=str(evaluation_id),
            window=window,
            rating=rating,
            comment=comment,
            rated_at=rated_at,
            actor=by,
            timestamp=at,
        )

    # Personal data ----------------------------------------------------------

    class PersonalDataErased(Event):
        TOPIC = "oversight:Case.PersonalDataErased"
        reason: str

        def apply(self, case: Case) -> None:
            from domain.personal_data import ERASED_TEXT, erased

            case.complainant = erased()
            # Gone from every answer, whether the stored event sealed them or (recorded
            # before sealing existed) holds them in plaintext.
            case.summary = case.details = ERASED_TEXT
            case._bad_ratings = [
                {**entry, "comment": ERASED_TEXT if entry["comment"] else None}
                for entry in case.bad_ratings
            ]
            case.personal_data_erased_at = self.timestamp

    @property
    def personal_data_erased(self) -> bool:
        """Whether the erasure of the complainant's personal data is on record."""
        return vars(self).get("personal_data_erased_at") is not None

    def erase_personal_data(self, *, reason: str, by: Actor, at: datetime) -> None:
        """Erase the complainant's name, phone and address for good (inspectors decide);
        the case itself goes on, in whatever state it is."""
        # Imported here so that this addition stays in one place while the module moves.
        from domain.personal_data import ErasureForInspectors, PersonalDataAlreadyErased

        if by.role is not Role.INSPECTOR:
            raise ErasureForInspectors("only a discipline inspector erases personal data")
        if self.personal_data_erased:
            raise PersonalDataAlreadyErased(
                f"the personal data of case {self.tracking_number} was erased already"
            )
        _require_reason(reason, "erasing personal data")
        self.trigger_event(self.PersonalDataErased, reason=reason, actor=by, timestamp=at)

    # Reorganisation (机构改革) -----------------------------------------------------------

    @property
    def held_by(self) -> str | None:
        """The department an open case names: the one it is assigned to, or else the one
        suggested for it (registered) or that returned it."""
        if not self.is_open:
            return None
        return self.assigned_department or self.department

    def _taken_over(self, from_department: str, to_department: str) -> None:
        if self.assigned_department == from_department:
            self.assigned_department = to_department
        if self.department == from_department:
            self.department = to_department

    class HandedToSuccessor(Task.HandedToSuccessor, Event):
        TOPIC = "oversight:Case.HandedToSuccessor"

    # Evidence files (附件, §17) -------------------------------------------------------------

    class AttachmentAdded(Event):
        TOPIC = "oversight:Case.AttachmentAdded"
        PERSONAL_FIELDS = ("name",)  # a file name can name the complainant
        attachment_id: UUID
        name: Any
        content_type: str
        size: int
        sha256: str

        def apply(self, case: Case) -> None:
            add_to_attachments(case, self)

    def add_attachment(self, *, listed: dict[str, Any], by: Actor, at: datetime) -> None:
        """List a file recorded as an `Attachment` on this record (上传附件)."""
        self.trigger_event(self.AttachmentAdded, **listed, actor=by, timestamp=at)
