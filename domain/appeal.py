"""The Appeal aggregate (申诉, DESIGN §15): a department contests a deduction, once.

Within 5 working days of a deduction being recorded, the department of the staff member or
window it costs appeals it with reasons (and evidence). The appeal is a task with a clock
(domain/task.py) handed to the inspectors, who decide within 5 working days: upheld (the
deduction stands) or granted (the deduction is revoked with the reason, in the same save as
the decision). The clock records a missed decision deadline like any other task's, and an
inspector may supervise it.

    open ──uphold──▶ upheld
      └───grant───▶ granted (the deduction revoked)
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.actor import Actor, Role
from domain.calendar import WorkingCalendar
from domain.deadlines import Deadline, fixed_term_deadline
from domain.errors import Conflict, Forbidden, Invalid, NotFound
from domain.scorecard import Deduction
from domain.task import NotOverdue, Task, require_reason
from domain.task_clock import ClockState

# A department appeals within this many working days of the deduction being recorded.
APPEAL_WINDOW_WORKING_DAYS = 5
# The inspectors decide within this many working days of the appeal.
DECISION_WORKING_DAYS = 5
WINDOW_POLICY = "appeal.file"
DECISION_POLICY = "appeal.decide"
APPEAL_NAMESPACE: UUID = uuid5(NAMESPACE_URL, "oversight:appeal")


class AppealStatus(StrEnum):
    """Where an appeal stands (申诉状态)."""

    OPEN = "open"
    UPHELD = "upheld"
    GRANTED = "granted"


class AppealNotFound(NotFound):
    """No appeal has this id."""

    code = "appeal_not_found"


class NotAppealDepartment(Forbidden):
    """Only the department of the staff member or window a deduction costs may appeal it,
    or read its appeal."""

    code = "not_appeal_department"


class DeductionAlreadyAppealed(Conflict):
    """A deduction is appealed once."""

    code = "deduction_already_appealed"


class AppealWindowClosed(Conflict):
    """The 5 working days to appeal a deduction have passed."""

    code = "appeal_window_closed"


class RevokedDeductionNotAppealable(Conflict):
    """A revoked deduction costs nothing: there is nothing to appeal."""

    code = "revoked_deduction_not_appealable"


class AppealAlreadyDecided(Conflict):
    """An appeal is decided once: upheld or granted."""

    code = "appeal_already_decided"


class AppealNotOverdue(NotOverdue):
    """Supervision (督办) follows a missed decision deadline."""

    code = "appeal_not_overdue"


class AppealStepNotOffered(Conflict):
    """An appeal's deadline is the inspectors': no one stops its clock or extends it."""

    code = "appeal_step_not_offered"


class AppealReasonsRequired(Invalid):
    """An appeal states its reasons."""

    code = "appeal_reasons_required"


def appeal_id_for(deduction_id: UUID) -> UUID:
    """The one appeal a deduction may have: its id follows from the deduction's."""
    return uuid5(APPEAL_NAMESPACE, str(deduction_id))


def appeal_window_closes(recorded_at: datetime, calendar: WorkingCalendar) -> Deadline:
    """When the 5 working days to appeal a deduction recorded at `recorded_at` end."""
    return fixed_term_deadline(WINDOW_POLICY, recorded_at, APPEAL_WINDOW_WORKING_DAYS, calendar)


def check_appealable(
    deduction: Deduction, departments: set[str], by: Actor, at: datetime, window: Deadline
) -> None:
    """Refuse unless `by` may appeal `deduction` now: its department's, in force, not yet
    appealed, within the window. The console offers the form where this passes."""
    if by.role is not Role.DEPARTMENT or by.department not in departments:
        raise NotAppealDepartment(
            "only the department of the staff member or window a deduction costs may appeal it"
        )
    if deduction.revoked:
        raise RevokedDeductionNotAppealable(f"deduction {deduction.id} was revoked")
    if deduction.appeal_id is not None:
        raise DeductionAlreadyAppealed(f"deduction {deduction.id} was already appealed")
    if at > window.due_at:
        raise AppealWindowClosed(
            f"deduction {deduction.id} could be appealed until {window.due_at.isoformat()}"
        )


class Appeal(Task):
    """A department's appeal of one deduction, for the inspectors to decide by a deadline."""

    TOPIC = "oversight:Appeal"
    _not_overdue = AppealNotOverdue

    class Event(Task.Event):
        TOPIC = "oversight:Appeal.Event"

    class Filed(Event, Aggregate.Created):
        TOPIC = "oversight:Appeal.Filed"
        deduction_id: UUID
        department: str
        reasons: str
        evidence: str | None
        deduction: dict[str, Any]
        deadline: Deadline

    def __init__(
        self,
        deduction_id: UUID,
        department: str,
        reasons: str,
        evidence: str | None,
        deduction: dict[str, Any],
        deadline: Deadline,
        actor: Actor,
    ) -> None:
        self._start_clock()
        self.deduction_id = deduction_id
        self.department = department
        self.reasons = reasons
        self.evidence = evidence
        self.deduction = deduction
        self.filed_by = actor
        self.status = AppealStatus.OPEN
        self.decided_at: datetime | None = None
        self.decided_by: str | None = None
        self.decision_reason: str | None = None
        self._hand_over(None, deadline, self.created_on)

    @classmethod
    def file(
        cls,
        *,
        deduction: Deduction,
        departments: set[str],
        summary: dict[str, Any],
        reasons: str,
        evidence: str | None,
        calendar: WorkingCalendar,
        by: Actor,
        at: datetime,
    ) -> Appeal:
        """Appeal a deduction (申诉): the deduction records it, and the appeal's clock starts.

        `summary` is what the deduction cost (rule, points, who, when), kept on the appeal
        so that its readers need not open the scorecards."""
        check_appealable(
            deduction, departments, by, at, appeal_window_closes(deduction.created_on, calendar)
        )
        if not reasons or not reasons.strip():
            raise AppealReasonsRequired("an appeal states its reasons")
        appeal_id = appeal_id_for(deduction.id)
        deduction.appeal(appeal_id=appeal_id, by=by, at=at)
        department = by.department or ""
        return cls._create(
            cls.Filed,
            id=appeal_id,
            deduction_id=deduction.id,
            department=department,
            reasons=reasons,
            evidence=evidence or None,
            deduction=summary,
            deadline=fixed_term_deadline(DECISION_POLICY, at, DECISION_WORKING_DAYS, calendar),
            actor=by,
            timestamp=at,
        )

    # What the shared task asks -----------------------------------------------------------

    @property
    def label(self) -> str:
        return f"appeal of deduction {self.deduction_id}"

    @property
    def awaiting_acknowledgement(self) -> bool:
        return False

    @property
    def handling(self) -> bool:
        return self.status is AppealStatus.OPEN

    @property
    def is_open(self) -> bool:
        return self.status is AppealStatus.OPEN

    def _require_open(self) -> None:
        if self.status is not AppealStatus.OPEN:
            raise AppealAlreadyDecided(f"the {self.label} was already {self.status.value}")

    def _require_handling(self, verb: str, by: Actor) -> None:
        self._require_open()
        raise AppealStepNotOffered(f"an appeal cannot be {verb}: its deadline is the inspectors'")

    def _require_extension_decidable(self) -> None:
        self._require_handling("extended", Actor.system())

    def _require_supervisable(self) -> None:
        self._require_open()

    def may_be_read_by(self, viewer: Actor) -> bool:
        """The appealing department reads its own appeals; inspectors read all."""
        if viewer.role is Role.DEPARTMENT:
            return viewer.acts_for(self.department)
        return viewer.role is Role.INSPECTOR

    # The inspectors' decision --------------------------------------------------------------

    class Upheld(Event):
        TOPIC = "oversight:Appeal.Upheld"
        reason: str

        def apply(self, appeal: Appeal) -> None:
            appeal._decided(AppealStatus.UPHELD, self)

    class Granted(Event):
        TOPIC = "oversight:Appeal.Granted"
        reason: str

        def apply(self, appeal: Appeal) -> None:
            appeal._decided(AppealStatus.GRANTED, self)

    def _decided(self, status: AppealStatus, event: Appeal.Upheld | Appeal.Granted) -> None:
        self.status = status
        self.decided_at = event.timestamp
        self.decided_by = event.actor.principal
        self.decision_reason = event.reason

    def _check_decide(self, reason: str) -> None:
        self._require_open()
        require_reason(reason, "deciding an appeal")

    def uphold(self, *, reason: str, by: Actor, at: datetime) -> None:
        """The inspectors uphold the deduction (维持扣分): it stands."""
        self._check_decide(reason)
        self._record_missed_deadlines(by, at)
        self.trigger_event(self.Upheld, reason=reason, actor=by, timestamp=at)

    def grant(self, *, reason: str, deduction: Deduction, by: Actor, at: datetime) -> bool:
        """The inspectors grant the appeal (撤销扣分); the deduction is revoked with the
        reason, to be saved with the appeal. Answers whether it was revoked now (an inspector
        may have revoked it already while the appeal waited)."""
        self._check_decide(reason)
        self._record_missed_deadlines(by, at)
        self.trigger_event(self.Granted, reason=reason, actor=by, timestamp=at)
        if deduction.revoked:
            return False
        deduction.revoke(reason=reason, by=by, at=at)
        return True

    # The clock: the shared task's events, under the appeal's own stable topics -----------

    class ClockStopped(Task.ClockStopped, Event):
        TOPIC = "oversight:Appeal.ClockStopped"

    class ClockResumed(Task.ClockResumed, Event):
        TOPIC = "oversight:Appeal.ClockResumed"

    class ExtensionRequested(Task.ExtensionRequested, Event):
        TOPIC = "oversight:Appeal.ExtensionRequested"

    class ExtensionGranted(Task.ExtensionGranted, Event):
        TOPIC = "oversight:Appeal.ExtensionGranted"

    class ExtensionRefused(Task.ExtensionRefused, Event):
        TOPIC = "oversight:Appeal.ExtensionRefused"

    class Supervised(Task.Supervised, Event):
        TOPIC = "oversight:Appeal.Supervised"

    class Reminded(Task.Reminded, Event):
        TOPIC = "oversight:Appeal.Reminded"

    class AcknowledgeDeadlineMissed(Task.AcknowledgeDeadlineMissed, Event):
        TOPIC = "oversight:Appeal.AcknowledgeDeadlineMissed"

    class DeadlineMissed(Task.DeadlineMissed, Event):
        TOPIC = "oversight:Appeal.DeadlineMissed"

    class PublicNoticeFlagged(Task.PublicNoticeFlagged, Event):
        TOPIC = "oversight:Appeal.PublicNoticeFlagged"

    class DeadlinesRecomputed(Task.DeadlinesRecomputed, Event):
        TOPIC = "oversight:Appeal.DeadlinesRecomputed"

    # Declared for the shared task's verbs that an appeal does not offer: the library needs
    # a topic for every event class an aggregate has, used or not.

    class RemindedByHand(Task.RemindedByHand, Event):
        TOPIC = "oversight:Appeal.RemindedByHand"

    class HandedToSuccessor(Task.HandedToSuccessor, Event):
        TOPIC = "oversight:Appeal.HandedToSuccessor"

    class Escalated(Task.Escalated, Event):
        TOPIC = "oversight:Appeal.Escalated"

    class Directed(Task.Directed, Event):
        TOPIC = "oversight:Appeal.Directed"

    @property
    def clock_state(self) -> ClockState:
        """The shared clock's facts, with one difference: an appeal is the inspectors' own
        work, with no one above them, so supervision is its last step and it is never
        escalated (it counts as escalated already)."""
        return replace(super().clock_state, escalated=True)

    def _require_remindable(self) -> str:
        """No department holds an appeal: the inspectors decide it, so no one is reminded."""
        self._require_open()
        raise AppealStepNotOffered("an appeal is decided by the inspectors: no one is reminded")

    # Reorganisation (机构改革): the appealing department's open appeal goes to its successor.

    @property
    def held_by(self) -> str | None:
        """The department whose open appeal this is (the inspectors decide it, but the
        department follows it and is told the outcome)."""
        return self.department if self.is_open else None

    @property
    def tracking_number(self) -> str:
        """How a refused reorganisation names the appeal (it has no tracking number)."""
        return f"appeal {self.id}"

    @property
    def window(self) -> None:
        """An appeal is the department's: the deduction's window is a past fact that does not
        hold a reorganisation up."""
        return None

    @property
    def staff(self) -> None:
        """Likewise the deduction's staff member."""
        return None

    def _taken_over(self, from_department: str, to_department: str) -> None:
        self.department = to_department
