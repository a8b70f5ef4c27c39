"""A task handed to a department with a clock (DESIGN §4, §5.1): built once, for cases and orders.

`Task` holds what cases and rectification orders share: the acknowledge and handling
deadlines, the stopped clock, extensions, supervision, the reminders and missed deadlines the
system records by itself, and the recomputation of provisional deadlines. Each concrete
aggregate says which of its states await acknowledgement and which are being handled, names
its own errors, and re-declares every event class below with a stable topic of its own, e.g.

    class ExtensionGranted(Task.ExtensionGranted, Event):
        TOPIC = "oversight:RectificationOrder.ExtensionGranted"

The library derives an aggregate's event classes from its bases; one it had to derive would
take the topic of the aggregate's `Event` and clash at import, so forgetting one fails loudly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain.actor import Actor, Role
from domain.calendar import WorkingCalendar
from domain.deadlines import Deadline, DeadlinePolicy
from domain.errors import Conflict, DomainError, Forbidden, Invalid
from domain.task_clock import Alarm, ClockState, due_alarms, missed_by

MAX_EXTENSION_WORKING_DAYS = 30
# A hand reminder (人工催办) says what is wanted in a few lines, not a report.
MAX_REMINDER_MESSAGE_LENGTH = 2_000
# Who sends a reminder by hand (§15): the centre's staff, never a department.
REMINDER_SENDERS = frozenset({Role.OPERATOR, Role.INSPECTOR})
# A superior's direction gives the subordinate 1 to this many working days.
MAX_DIRECTION_WORKING_DAYS = 30


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
    """The task has no handling deadline to stop or extend (praise)."""

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


class NotOverdue(Conflict):
    """Supervision (督办) follows a missed deadline."""

    code = "not_overdue"


class ReasonRequired(Invalid):
    """This decision needs a reason in words."""

    code = "reason_required"


class ExtensionOutOfRange(Invalid):
    """An extension asks for 1 to 30 working days."""

    code = "extension_out_of_range"


class NotHeld(Conflict):
    """Only open work that a department holds can be handed to a successor."""

    code = "task_not_held"


class ReminderMessageRequired(Invalid):
    """A reminder by hand (人工催办) says in words what the department is reminded of."""

    code = "reminder_message_required"


class ReminderMessageTooLong(Invalid):
    """A reminder's message is at most 2,000 characters."""

    code = "reminder_message_too_long"


class ReminderNotAllowed(Forbidden):
    """Operators and inspectors remind a department by hand; a department does not."""

    code = "reminder_not_allowed"


class NotEscalated(Conflict):
    """Only a task escalated to a superior (提级督办) takes the superior's direction."""

    code = "not_escalated"


class NotTheSuperior(Forbidden):
    """Only the superior department the task was escalated to directs it."""

    code = "not_the_superior"


class DirectionOutOfRange(Invalid):
    """A superior's direction gives 1 to 30 working days."""

    code = "direction_out_of_range"


def passes(check: Callable[[], object]) -> bool:
    """Whether a command's own check would let it through now (the actions a page offers)."""
    try:
        check()
    except DomainError:
        return False
    return True


def require_reason(reason: str, what: str) -> None:
    """Refuse a decision whose reason is empty."""
    if not reason or not reason.strip():
        raise ReasonRequired(f"{what} needs a reason")


class Task(Aggregate):
    """Something a department must acknowledge and handle by deadlines that the system watches.

    A concrete task answers `label`, `awaiting_acknowledgement` and `handling`, guards its own
    steps (`_require_handling`, `_require_extension_decidable`, `_require_supervisable`) and
    names the error for supervising a task on time (`_not_overdue`).
    """

    # Not annotated: the library makes an aggregate class with annotations a dataclass.
    _not_overdue = NotOverdue

    class Event(Aggregate.Event):
        actor: Actor

    # What a concrete task says about itself -------------------------------------------

    @property
    def label(self) -> str:
        """How messages name this task, e.g. `case HL20261127-0042`."""
        raise NotImplementedError

    @property
    def awaiting_acknowledgement(self) -> bool:
        """Whether the department has yet to acknowledge (签收) the task."""
        raise NotImplementedError

    @property
    def handling(self) -> bool:
        """Whether the task is in the department's hands, so its deadlines bind."""
        raise NotImplementedError

    def _require_handling(self, verb: str, by: Actor) -> None:
        """Refuse unless `by` is the department and the task is acknowledged and in hand."""
        raise NotImplementedError

    def _require_extension_decidable(self) -> None:
        """Refuse unless the task is in a state where an extension can be decided."""
        raise NotImplementedError

    def _require_supervisable(self) -> None:
        """Refuse unless the task is in a state an inspector may supervise."""
        raise NotImplementedError

    # State ------------------------------------------------------------------------------

    def _start_clock(self) -> None:
        """Every clock attribute, before the task is handed to anyone (called by __init__)."""
        self.acknowledge_deadline: Deadline | None = None
        self.deadline: Deadline | None = None
        self.handling_started_at: datetime | None = None
        self.clock_stopped_at: datetime | None = None
        self.pending_extension: dict[str, Any] | None = None
        self.supervisions: list[dict[str, Any]] = []
        self.reminded_for: datetime | None = None
        self.acknowledge_missed_for: datetime | None = None
        self.due_missed_for: datetime | None = None
        self.supervised_at: datetime | None = None
        self.public_notice_flagged = False
        self.escalated = False
        self.escalated_to: str | None = None
        self.directions: list[dict[str, Any]] = []
        # The handling deadline as first computed, and what moved it since, in order: so a
        # deadline can be recomputed from its base when a provisional year is published.
        self.handling_base: Deadline | None = None
        self.deadline_adjustments: list[dict[str, Any]] = []
        # Reminders sent by hand (人工催办), oldest first: at, message, department, role, name.
        self.hand_reminders: list[dict[str, Any]] = []

    def _hand_over(
        self, acknowledge_deadline: Deadline | None, deadline: Deadline | None, at: datetime
    ) -> None:
        """The task reaches a department with fresh deadlines (applied by events)."""
        self.acknowledge_deadline = acknowledge_deadline
        self.clock_stopped_at = None
        self.pending_extension = None
        # Escalation happens once per hand-over: a reopened task is not escalated again.
        self.escalated = False
        self.escalated_to = None
        self._restart_handling(deadline, at)

    def _restart_handling(self, deadline: Deadline | None, at: datetime) -> None:
        """Handling starts again from `at` with a new deadline (applied by events)."""
        self.deadline = deadline
        self.handling_started_at = at
        self.handling_base = deadline
        self.deadline_adjustments = []
        self.supervised_at = None
        self.public_notice_flagged = False

    @property
    def clock_stopped(self) -> bool:
        return self.clock_stopped_at is not None

    def is_overdue(self, at: datetime) -> bool:
        """Whether the deadline that currently binds the task has passed at `at`."""
        if self.awaiting_acknowledgement and self.acknowledge_deadline is not None:
            return at >= self.acknowledge_deadline.due_at
        if self.handling and self.deadline is not None:
            return not self.clock_stopped and at >= self.deadline.due_at
        return False

    def working_seconds_left(
        self, calendar: WorkingCalendar, at: datetime
    ) -> tuple[int | None, int | None]:
        """Office time left at `at` before the acknowledge deadline while it binds, and before
        the handling deadline while it is being handled and its clock runs; negative once
        past, None while it does not bind (what a record's page shows as time left)."""
        acknowledge, handling = self.acknowledge_deadline, self.deadline
        return (
            calendar.working_seconds_left(at, acknowledge.due_at)
            if self.awaiting_acknowledgement and acknowledge is not None
            else None,
            calendar.working_seconds_left(at, handling.due_at)
            if self.handling and handling is not None and not self.clock_stopped
            else None,
        )

    # Stopping the clock (挂起) ------------------------------------------------------------

    def _check_stop_clock(self, by: Actor, at: datetime) -> None:
        """Refuse unless `by` may stop the clock now: in hand, running, before the deadline."""
        self._require_handling("suspended", by)
        if self.deadline is None:
            raise NoHandlingDeadline(f"{self.label} has no handling deadline")
        if self.clock_stopped:
            raise ClockAlreadyStopped(f"the clock of {self.label} is stopped")
        if at >= self.deadline.due_at:
            raise DeadlineAlreadyPassed(
                f"the deadline of {self.label} passed at "
                f"{self.deadline.due_at.isoformat()}; the clock can no longer be stopped"
            )

    class ClockStopped(Event):
        reason: str

        def apply(self, task: Task) -> None:
            task.clock_stopped_at = self.timestamp

    def stop_clock(self, *, reason: str, by: Actor, at: datetime) -> None:
        """Stop the clock while waiting on the complainant or a third party (挂起)."""
        self._check_stop_clock(by, at)
        require_reason(reason, "stopping the clock")
        self.trigger_event(self.ClockStopped, reason=reason, actor=by, timestamp=at)

    class ClockResumed(Event):
        deadline: Deadline

        def apply(self, task: Task) -> None:
            if task.clock_stopped_at is not None:
                task.deadline_adjustments.append(
                    {"resumed": True, "stopped_at": task.clock_stopped_at, "at": self.timestamp}
                )
            task.clock_stopped_at = None
            task.deadline = self.deadline

    def _check_resume_clock(self, by: Actor) -> tuple[datetime, Deadline]:
        """Refuse unless `by` may restart the clock: in hand, and stopped; answers when it
        stopped and the deadline it stopped."""
        self._require_handling("resumed", by)
        if self.clock_stopped_at is None or self.deadline is None:
            raise ClockNotStopped(f"the clock of {self.label} is running")
        return self.clock_stopped_at, self.deadline

    def resume_clock(
        self, *, policy: DeadlinePolicy, calendar: WorkingCalendar, by: Actor, at: datetime
    ) -> None:
        """Restart the clock; the working time it stood still is added to the due date."""
        stopped_at, deadline = self._check_resume_clock(by)
        self.trigger_event(
            self.ClockResumed,
            deadline=policy.resumed(deadline, stopped_at, at, calendar),
            actor=by,
            timestamp=at,
        )

    # Extensions (延期) --------------------------------------------------------------------

    class ExtensionRequested(Event):
        working_days: int
        reason: str

        def apply(self, task: Task) -> None:
            task.pending_extension = {
                "working_days": self.working_days,
                "reason": self.reason,
                "requested_at": self.timestamp.isoformat(),
            }

    def _check_request_extension(self, by: Actor, at: datetime) -> None:
        """Refuse unless `by` may ask for an extension now: in hand, before the deadline,
        with no request waiting."""
        self._require_handling("extended", by)
        if self.deadline is None:
            raise NoHandlingDeadline(f"{self.label} has no handling deadline")
        if at >= self.deadline.due_at:
            raise ExtensionAfterDeadline(
                f"the deadline of {self.label} passed at "
                f"{self.deadline.due_at.isoformat()}; an extension must be asked before it"
            )
        if self.pending_extension is not None:
            raise ExtensionAlreadyRequested(
                f"{self.label} already has an extension request waiting"
            )

    def request_extension(self, *, working_days: int, reason: str, by: Actor, at: datetime) -> None:
        """Ask an inspector for more time (申请延期), before the deadline passes."""
        self._check_request_extension(by, at)
        if not 1 <= working_days <= MAX_EXTENSION_WORKING_DAYS:
            raise ExtensionOutOfRange(
                f"an extension asks for 1 to {MAX_EXTENSION_WORKING_DAYS} working days"
            )
        require_reason(reason, "an extension")
        self.trigger_event(
            self.ExtensionRequested,
            working_days=working_days,
            reason=reason,
            actor=by,
            timestamp=at,
        )

    def _require_pending_extension(self) -> tuple[dict[str, Any], Deadline]:
        self._require_extension_decidable()
        if self.pending_extension is None or self.deadline is None:
            raise NoExtensionRequested(f"{self.label} has no extension request")
        return self.pending_extension, self.deadline

    class ExtensionGranted(Event):
        deadline: Deadline

        def apply(self, task: Task) -> None:
            if task.pending_extension is not None:
                task.deadline_adjustments.append(
                    {
                        "resumed": False,
                        "working_days": task.pending_extension["working_days"],
                        "at": self.timestamp,
                    }
                )
            task.deadline = self.deadline
            task.pending_extension = None

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
        reason: str

        def apply(self, task: Task) -> None:
            task.pending_extension = None

    def refuse_extension(self, *, reason: str, by: Actor, at: datetime) -> None:
        """An inspector refuses the requested extension (不予延期), with a reason."""
        self._require_pending_extension()
        require_reason(reason, "refusing an extension")
        self.trigger_event(self.ExtensionRefused, reason=reason, actor=by, timestamp=at)

    # Supervision (督办) -------------------------------------------------------------------

    class Supervised(Event):
        note: str

        def apply(self, task: Task) -> None:
            task.supervisions.append({"note": self.note, "at": self.timestamp.isoformat()})
            task.supervised_at = self.timestamp

    def _check_supervise(self, at: datetime) -> None:
        """Refuse unless the task may be supervised now: supervisable, and overdue."""
        self._require_supervisable()
        if not self.is_overdue(at):
            raise self._not_overdue(f"{self.label} has missed no deadline; supervision follows one")

    def supervise(self, *, note: str, by: Actor, at: datetime) -> None:
        """An inspector escalates a task whose deadline passed (督办)."""
        self._check_supervise(at)
        require_reason(note, "supervision")
        self.trigger_event(self.Supervised, note=note, actor=by, timestamp=at)

    # The clock, run by the system itself -----------------------------------------------

    @property
    def clock_state(self) -> ClockState:
        """The facts that decide what the deadline clock must record for this task."""
        return ClockState(
            awaiting_acknowledgement=self.awaiting_acknowledgement,
            handling=self.handling,
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
            escalated=self.escalated,
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
        remind_at: datetime
        due_at: datetime

        def apply(self, task: Task) -> None:
            task.reminded_for = self.due_at

    class AcknowledgeDeadlineMissed(Event):
        due_at: datetime

        def apply(self, task: Task) -> None:
            task.acknowledge_missed_for = self.due_at

    class DeadlineMissed(Event):
        due_at: datetime

        def apply(self, task: Task) -> None:
            task.due_missed_for = self.due_at

    class PublicNoticeFlagged(Event):
        notice_at: datetime
        supervised_at: datetime

        def apply(self, task: Task) -> None:
            task.public_notice_flagged = True

    class Escalated(Event):
        """Still overdue 5 working days after supervision: escalated (提级督办) to the
        department's superior, or to the inspectors when it has none (`superior` None)."""

        escalate_at: datetime
        supervised_at: datetime
        superior: str | None

        def apply(self, task: Task) -> None:
            task.escalated = True
            task.escalated_to = self.superior

    def observe_clock(
        self,
        *,
        calendar: WorkingCalendar,
        by: Actor,
        at: datetime,
        superior: Callable[[], str | None] = lambda: None,
    ) -> int:
        """Record every reminder, missed deadline, notice and escalation whose moment has
        come; once each. `superior` answers the department's superior, asked only to escalate.

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
            elif alarm is Alarm.ESCALATION:
                event = {"event_class": self.Escalated, "escalate_at": moment}
                event.update(supervised_at=state.supervised_at, superior=superior())
            else:
                event = {"event_class": self.PublicNoticeFlagged, "notice_at": moment}
                event["supervised_at"] = state.supervised_at
            self.trigger_event(actor=by, timestamp=at, **event)
            recorded += 1
        return recorded

    # The superior's direction (提级督办) ---------------------------------------------------

    class Directed(Event):
        """The superior's supervision note and the new due date it set for the subordinate."""

        note: str
        working_days: int
        deadline: Deadline
        # The superior's due date binds an acknowledgement still owed too; else unchanged.
        acknowledge_deadline: Deadline | None

        def apply(self, task: Task) -> None:
            task.directions.append({"note": self.note, "at": self.timestamp.isoformat()})
            task.acknowledge_deadline = self.acknowledge_deadline
            task.deadline = self.deadline
            # The direction is the new base: a recomputation starts from it.
            task.handling_base = self.deadline
            task.deadline_adjustments = []

    def _check_direct(self, by: Actor) -> None:
        """Refuse unless `by` is the superior this task was escalated to, and it is in hand."""
        self._require_supervisable()
        if not self.escalated or self.escalated_to is None:
            raise NotEscalated(f"{self.label} was not escalated to a superior department")
        if not by.acts_for(self.escalated_to):
            raise NotTheSuperior(
                f"{self.label} was escalated to {self.escalated_to}, not to your department"
            )

    def direct(
        self,
        *,
        note: str,
        working_days: int,
        policy: DeadlinePolicy,
        calendar: WorkingCalendar,
        by: Actor,
        at: datetime,
    ) -> None:
        """The superior directs its subordinate (下达督办意见): a note and a new due date."""
        self._check_direct(by)
        if not 1 <= working_days <= MAX_DIRECTION_WORKING_DAYS:
            raise DirectionOutOfRange(
                f"a direction gives 1 to {MAX_DIRECTION_WORKING_DAYS} working days"
            )
        require_reason(note, "a direction")
        deadline = policy.directed(working_days, calendar, at)
        self.trigger_event(
            self.Directed,
            note=note,
            working_days=working_days,
            deadline=deadline,
            acknowledge_deadline=deadline
            if self.awaiting_acknowledgement
            else self.acknowledge_deadline,
            actor=by,
            timestamp=at,
        )

    def takes_direction_from(self, viewer: Actor) -> bool:
        """Whether `viewer` may direct the task now (what its page offers)."""
        return passes(lambda: self._check_direct(viewer))

    def may_be_directed_by(self, viewer: Actor) -> bool:
        """Whether `viewer` is the superior this task stands escalated to (what it may read)."""
        return self.escalated_to is not None and viewer.acts_for(self.escalated_to)

    # Provisional deadlines (§5.2) -------------------------------------------------------

    class DeadlinesRecomputed(Event):
        acknowledge_deadline: Deadline | None
        deadline: Deadline | None

        def apply(self, task: Task) -> None:
            task.acknowledge_deadline = self.acknowledge_deadline
            task.deadline = self.deadline

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
        if not self.handling:
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

    # Reorganisation (机构改革): a retired department's open work goes to its successor -------

    @property
    def held_by(self) -> str | None:
        """The department the open task names as its own, or None (closed, or nobody's)."""
        raise NotImplementedError

    def _taken_over(self, from_department: str, to_department: str) -> None:
        """The task now names `to_department` where it named `from_department` (applied)."""
        raise NotImplementedError

    class HandedToSuccessor(Event):
        from_department: str
        to_department: str

        def apply(self, task: Task) -> None:
            task._taken_over(self.from_department, self.to_department)

    def hand_to_successor(self, *, successor: str, by: Actor, at: datetime) -> None:
        """The department holding the task was retired: the task goes on, with its deadlines,
        state and history, at `successor`; a deadline missed before is recorded first."""
        held_by = self.held_by
        if held_by is None:
            raise NotHeld(f"{self.label} is not open work of any department")
        if held_by == successor:
            return
        self._record_missed_deadlines(by, at)
        self.trigger_event(
            self.HandedToSuccessor,
            from_department=held_by,
            to_department=successor,
            actor=by,
            timestamp=at,
        )

    # Reminders by hand (人工催办, §15) ----------------------------------------------------

    def _require_remindable(self) -> str:
        """Refuse unless the task is in a department's hands; answer that department."""
        raise NotImplementedError

    def _check_remind(self, by: Actor) -> str:
        """Refuse unless `by` may remind the department now; answer the department."""
        if by.role not in REMINDER_SENDERS:
            raise ReminderNotAllowed(
                f"operators and inspectors remind a department of {self.label}"
            )
        return self._require_remindable()

    class RemindedByHand(Event):
        """An operator or an inspector reminded the handling department (人工催办); distinct
        from `Reminded`, which the clock records by itself."""

        message: str
        department: str

        def apply(self, task: Task) -> None:
            task.hand_reminders.append(
                {
                    "at": self.timestamp.isoformat(),
                    "message": self.message,
                    "department": self.department,
                    "role": self.actor.role.value,
                    "name": self.actor.name,
                }
            )

    def remind(self, *, message: str, by: Actor, at: datetime) -> None:
        """Remind the department handling the task, with a message (人工催办)."""
        department = self._check_remind(by)
        if not message or not message.strip():
            raise ReminderMessageRequired(f"a reminder of {self.label} needs a message")
        if len(message) > MAX_REMINDER_MESSAGE_LENGTH:
            raise ReminderMessageTooLong(
                f"a reminder's message is at most {MAX_REMINDER_MESSAGE_LENGTH} characters"
            )
        self._record_missed_deadlines(by, at)
        self.trigger_event(
            self.RemindedByHand, message=message, department=department, actor=by, timestamp=at
        )
