"""The RectificationOrder aggregate (整改通知, DESIGN §7): a demand to fix a problem by a date.

An inspector issues an order to a department, which acknowledges it, rectifies and reports what
it did; the inspector accepts the report (the order is closed) or rejects it with reasons and
a new due date, and the department reports again. The deadlines, the stopped clock,
extensions, reminders, missed deadlines and supervision are the ones cases have: the order is
a `Task` (domain/task.py).

    issued ──acknowledge──▶ in_progress ──report──▶ reported ──accept──▶ closed
                                ▲                      │
                                └───────reject─────────┘ (with a new due date)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.actor import Actor, Role
from domain.attachment import add_to_attachments
from domain.calendar import WorkingCalendar
from domain.deadlines import Deadline, DeadlinePolicy
from domain.errors import Conflict, Forbidden, Invalid, NotFound
from domain.task import NotOverdue, Task, passes, require_reason

TASK_KIND = "rectification_order"
# An inspector gives a department between 1 and 60 working days (about three months).
MAX_ORDER_WORKING_DAYS = 60


class OrderStatus(StrEnum):
    """Where a rectification order stands (整改状态)."""

    ISSUED = "issued"
    IN_PROGRESS = "in_progress"
    REPORTED = "reported"
    CLOSED = "closed"


class OrderSourceType(StrEnum):
    """What led the inspector to issue the order (整改来源)."""

    CASE = "case"
    INSPECTION = "inspection"
    EVALUATION = "evaluation"
    OTHER = "other"
    # A finding of an inspection visit (§16), `ref` the visit's id: set by
    # POST /visits/{id}/findings only.
    VISIT = "visit"


@dataclass(frozen=True, kw_only=True)
class OrderRequest:
    """A rectification order as an inspector asked for it, before it is numbered: what the
    department must fix, how, in how many working days (None: the policy's), and why."""

    department: str
    window: str | None = None
    staff: str | None = None
    problem: str
    requirements: str
    working_days: int | None = None
    source_type: OrderSourceType
    source_ref: str | None = None


class OrderAction(StrEnum):
    """What a person may do to a rectification order, in the order the order page offers them."""

    ACKNOWLEDGE = "acknowledge"
    STOP_CLOCK = "stop_clock"
    RESUME_CLOCK = "resume_clock"
    REQUEST_EXTENSION = "request_extension"
    REPORT = "report"
    GRANT_EXTENSION = "grant_extension"
    REFUSE_EXTENSION = "refuse_extension"
    ACCEPT = "accept"
    REJECT = "reject"
    SUPERVISE = "supervise"
    REMIND = "remind"


_DEPARTMENT = frozenset({Role.DEPARTMENT})
_INSPECTOR = frozenset({Role.INSPECTOR})
_CENTRE = frozenset({Role.OPERATOR, Role.INSPECTOR})
# Who may take each action (§3: the department reports, the inspector issues and verifies); the
# order's state decides the rest (`actions_open_to`).
ORDER_ACTION_ROLES: dict[OrderAction, frozenset[Role]] = {
    OrderAction.ACKNOWLEDGE: _DEPARTMENT,
    OrderAction.STOP_CLOCK: _DEPARTMENT,
    OrderAction.RESUME_CLOCK: _DEPARTMENT,
    OrderAction.REQUEST_EXTENSION: _DEPARTMENT,
    OrderAction.REPORT: _DEPARTMENT,
    OrderAction.GRANT_EXTENSION: _INSPECTOR,
    OrderAction.REFUSE_EXTENSION: _INSPECTOR,
    OrderAction.ACCEPT: _INSPECTOR,
    OrderAction.REJECT: _INSPECTOR,
    OrderAction.SUPERVISE: _INSPECTOR,
    OrderAction.REMIND: _CENTRE,
}


class OrderNotFound(NotFound):
    """No rectification order has this id (or the actor may not know of it)."""

    code = "order_not_found"


class NotOrderDepartment(Forbidden):
    """Only the department an order is issued to may act on it or read it."""

    code = "not_order_department"


class OrderStatusForbids(Conflict):
    """The order's status does not allow this step."""

    code = "order_status_forbids"


class OrderNotAcknowledged(Conflict):
    """The department acknowledges an order before it reports or asks for anything."""

    code = "order_not_acknowledged"


class OrderAlreadyReported(Conflict):
    """The order's rectification was reported and waits for the inspector's verification."""

    code = "order_already_reported"


class OrderNotReported(Conflict):
    """An inspector accepts or rejects a reported rectification only."""

    code = "order_not_reported"


class OrderClosed(Conflict):
    """A closed (accepted) order takes no further step."""

    code = "order_closed"


class OrderNotOverdue(NotOverdue):
    """Supervision (督办) follows a missed deadline."""

    code = "order_not_overdue"


class OrderTermOutOfRange(Invalid):
    """An order gives 1 to 60 working days."""

    code = "order_term_out_of_range"


class OrderContentRequired(Invalid):
    """An order states the problem and the requirements; a report states the measures."""

    code = "order_content_required"


def _require_text(value: str, what: str) -> None:
    if not value or not value.strip():
        raise OrderContentRequired(f"{what} must not be empty")


def _require_term(working_days: int) -> None:
    if (
        isinstance(working_days, bool)
        or not isinstance(working_days, int)
        or not 1 <= working_days <= MAX_ORDER_WORKING_DAYS
    ):
        raise OrderTermOutOfRange(
            f"an order gives 1 to {MAX_ORDER_WORKING_DAYS} working days, got {working_days!r}"
        )


def _handling_deadline(
    policy: DeadlinePolicy, calendar: WorkingCalendar, at: datetime, working_days: int | None
) -> Deadline:
    deadline = policy.handling_deadline(TASK_KIND, at, False, calendar, working_days=working_days)
    if deadline is None:
        raise OrderTermOutOfRange(
            "the deadline policy gives rectification orders no handling term: give working_days"
        )
    return deadline


class RectificationOrder(Task):
    """An inspector's order to a department to fix a problem by a date, then verified."""

    TOPIC = "oversight:RectificationOrder"
    _not_overdue = OrderNotOverdue

    class Event(Task.Event):
        TOPIC = "oversight:RectificationOrder.Event"

    class Issued(Event, Aggregate.Created):
        TOPIC = "oversight:RectificationOrder.Issued"
        tracking_number: str
        department: str
        window: str | None
        staff: str | None
        problem: str
        requirements: str
        source_type: str
        source_ref: str | None
        working_days: int
        acknowledge_deadline: Deadline
        deadline: Deadline

    def __init__(
        self,
        tracking_number: str,
        department: str,
        window: str | None,
        staff: str | None,
        problem: str,
        requirements: str,
        source_type: str,
        source_ref: str | None,
        working_days: int,
        acknowledge_deadline: Deadline,
        deadline: Deadline,
        actor: Actor,
    ) -> None:
        self._start_clock()
        self.tracking_number = tracking_number
        self.department = department
        self.window = window
        self.staff = staff
        self.problem = problem
        self.requirements = requirements
        self.source_type = OrderSourceType(source_type)
        self.source_ref = source_ref
        self.working_days = working_days
        self.issued_by = actor
        self.status = OrderStatus.ISSUED
        self.acknowledged_at: datetime | None = None
        self.reports: list[dict[str, Any]] = []
        self.rejections: list[dict[str, Any]] = []
        self.reported_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.verdict_note: str | None = None
        # The library sets created_on before __init__ runs: the order is handed over at issue.
        self._hand_over(acknowledge_deadline, deadline, self.created_on)

    @classmethod
    def issue(
        cls,
        request: OrderRequest,
        *,
        order_id: UUID,
        tracking_number: str,
        policy: DeadlinePolicy,
        calendar: WorkingCalendar,
        by: Actor,
        at: datetime,
    ) -> RectificationOrder:
        """Issue an order to a department (下发整改通知), due in the request's working days
        (the policy's default when it names none)."""
        _require_text(request.problem, "the problem")
        _require_text(request.requirements, "the requirements")
        if request.working_days is not None:
            _require_term(request.working_days)
        deadline = _handling_deadline(policy, calendar, at, request.working_days)
        return cls._create(
            cls.Issued,
            id=order_id,
            tracking_number=tracking_number,
            department=request.department,
            window=request.window,
            staff=request.staff,
            problem=request.problem,
            requirements=request.requirements,
            source_type=request.source_type.value,
            source_ref=request.source_ref,
            working_days=deadline.amount,
            acknowledge_deadline=policy.acknowledge_deadline(TASK_KIND, at, False, calendar),
            deadline=deadline,
            actor=by,
            timestamp=at,
        )

    # Guards -------------------------------------------------------------------------

    @property
    def label(self) -> str:
        return f"order {self.tracking_number}"

    @property
    def awaiting_acknowledgement(self) -> bool:
        return self.status is OrderStatus.ISSUED

    @property
    def handling(self) -> bool:
        return self.status in (OrderStatus.ISSUED, OrderStatus.IN_PROGRESS)

    @property
    def is_open(self) -> bool:
        return self.status is not OrderStatus.CLOSED

    def may_be_read_by(self, viewer: Actor) -> bool:
        """The department reads its own orders; operators and inspectors read all."""
        if viewer.role is Role.DEPARTMENT:
            # The superior it stands escalated to reads it too (提级督办).
            return viewer.acts_for(self.department) or self.may_be_directed_by(viewer)
        return viewer.role in {Role.OPERATOR, Role.INSPECTOR}

    def actions_open_to(self, actor: Actor, at: datetime) -> tuple[OrderAction, ...]:
        """The actions `actor` may take on the order at `at`: their role's (§3), whose state
        checks pass now — the very checks each command makes before it records anything."""
        checks: dict[OrderAction, Callable[[], object]] = {
            OrderAction.ACKNOWLEDGE: lambda: self._check_acknowledge(actor),
            OrderAction.STOP_CLOCK: lambda: self._check_stop_clock(actor, at),
            OrderAction.RESUME_CLOCK: lambda: self._check_resume_clock(actor),
            OrderAction.REQUEST_EXTENSION: lambda: self._check_request_extension(actor, at),
            OrderAction.REPORT: lambda: self._require_handling("reported", actor),
            OrderAction.GRANT_EXTENSION: self._require_pending_extension,
            OrderAction.REFUSE_EXTENSION: self._require_pending_extension,
            OrderAction.ACCEPT: self._require_reported,
            OrderAction.REJECT: self._require_reported,
            OrderAction.SUPERVISE: lambda: self._check_supervise(at),
            OrderAction.REMIND: lambda: self._check_remind(actor),
        }
        return tuple(
            action
            for action in OrderAction
            if actor.role in ORDER_ACTION_ROLES[action] and passes(checks[action])
        )

    def _require_not_closed(self) -> None:
        if self.status is OrderStatus.CLOSED:
            raise OrderClosed(f"order {self.tracking_number} is closed")

    def _require_department(self, by: Actor) -> None:
        if not by.acts_for(self.department):
            raise NotOrderDepartment(
                f"order {self.tracking_number} is not issued to your department"
            )

    def _require_status(self, verb: str, *allowed: OrderStatus) -> None:
        self._require_not_closed()
        if self.status not in allowed:
            raise OrderStatusForbids(
                f"an order that is {self.status.value} cannot be {verb}; "
                f"it must be {' or '.join(s.value for s in allowed)}"
            )

    def _require_handling(self, verb: str, by: Actor) -> None:
        self._require_not_closed()
        self._require_department(by)
        if self.status is OrderStatus.ISSUED:
            raise OrderNotAcknowledged(
                f"order {self.tracking_number} must be acknowledged before it can be {verb}"
            )
        if self.status is OrderStatus.REPORTED:
            raise OrderAlreadyReported(
                f"order {self.tracking_number} was reported and waits for verification"
            )

    def _require_extension_decidable(self) -> None:
        self._require_status("decided on", OrderStatus.IN_PROGRESS)

    def _require_supervisable(self) -> None:
        self._require_status("supervised", OrderStatus.ISSUED, OrderStatus.IN_PROGRESS)

    def _require_remindable(self) -> str:
        self._require_status("reminded", OrderStatus.ISSUED, OrderStatus.IN_PROGRESS)
        return self.department

    # The department's steps -------------------------------------------------------------

    class Acknowledged(Event):
        TOPIC = "oversight:RectificationOrder.Acknowledged"

        def apply(self, order: RectificationOrder) -> None:
            order.status = OrderStatus.IN_PROGRESS
            order.acknowledged_at = self.timestamp

    def _check_acknowledge(self, by: Actor) -> None:
        self._require_not_closed()
        self._require_department(by)
        self._require_status("acknowledged", OrderStatus.ISSUED)

    def acknowledge(self, *, by: Actor, at: datetime) -> None:
        """The department confirms it received the order (签收)."""
        self._check_acknowledge(by)
        self._record_missed_deadlines(by, at)
        self.trigger_event(self.Acknowledged, actor=by, timestamp=at)

    class RectificationReported(Event):
        TOPIC = "oversight:RectificationOrder.RectificationReported"
        measures: str
        evidence: str | None

        def apply(self, order: RectificationOrder) -> None:
            order.status = OrderStatus.REPORTED
            order.reported_at = self.timestamp
            order.clock_stopped_at = None
            order.pending_extension = None
            order.reports.append(
                {
                    "measures": self.measures,
                    "evidence": self.evidence,
                    "at": self.timestamp.isoformat(),
                    "due_at": order.deadline.due_at.isoformat() if order.deadline else None,
                    "on_time": order.deadline is None or self.timestamp <= order.deadline.due_at,
                }
            )

    def report(self, *, measures: str, evidence: str | None, by: Actor, at: datetime) -> None:
        """The department reports what it did to rectify (整改报告)."""
        self._require_handling("reported", by)
        _require_text(measures, "the measures taken")
        self._record_missed_deadlines(by, at)
        self.trigger_event(
            self.RectificationReported, measures=measures, evidence=evidence, actor=by, timestamp=at
        )

    # The inspector's verification -------------------------------------------------------

    def _require_reported(self) -> None:
        self._require_not_closed()
        if self.status is not OrderStatus.REPORTED:
            raise OrderNotReported(
                f"order {self.tracking_number} is {self.status.value}: "
                "only a reported rectification is verified"
            )

    class Accepted(Event):
        TOPIC = "oversight:RectificationOrder.Accepted"
        note: str | None

        def apply(self, order: RectificationOrder) -> None:
            order.status = OrderStatus.CLOSED
            order.closed_at = self.timestamp
            order.verdict_note = self.note

    def accept(self, *, note: str | None, by: Actor, at: datetime) -> None:
        """The inspector accepts the reported rectification (验收通过); the order is closed."""
        self._require_reported()
        self.trigger_event(self.Accepted, note=note, actor=by, timestamp=at)

    class Rejected(Event):
        TOPIC = "oversight:RectificationOrder.Rejected"
        reasons: str
        working_days: int
        deadline: Deadline

        def apply(self, order: RectificationOrder) -> None:
            order.status = OrderStatus.IN_PROGRESS
            order.rejections.append(
                {
                    "reasons": self.reasons,
                    "working_days": self.working_days,
                    "at": self.timestamp.isoformat(),
                    "due_at": self.deadline.due_at.isoformat(),
                }
            )
            order._restart_handling(self.deadline, self.timestamp)

    def reject(
        self,
        *,
        reasons: str,
        working_days: int,
        policy: DeadlinePolicy,
        calendar: WorkingCalendar,
        by: Actor,
        at: datetime,
    ) -> None:
        """The inspector rejects the report (验收不通过): rectify again within `working_days`."""
        self._require_reported()
        require_reason(reasons, "rejecting a rectification")
        _require_term(working_days)
        deadline = _handling_deadline(policy, calendar, at, working_days)
        self.trigger_event(
            self.Rejected,
            reasons=reasons,
            working_days=working_days,
            deadline=deadline,
            actor=by,
            timestamp=at,
        )

    # The clock: the shared task's events, under the order's own stable topics ----------

    class ClockStopped(Task.ClockStopped, Event):
        TOPIC = "oversight:RectificationOrder.ClockStopped"

    class ClockResumed(Task.ClockResumed, Event):
        TOPIC = "oversight:RectificationOrder.ClockResumed"

    class ExtensionRequested(Task.ExtensionRequested, Event):
        TOPIC = "oversight:RectificationOrder.ExtensionRequested"

    class ExtensionGranted(Task.ExtensionGranted, Event):
        TOPIC = "oversight:RectificationOrder.ExtensionGranted"

    class ExtensionRefused(Task.ExtensionRefused, Event):
        TOPIC = "oversight:RectificationOrder.ExtensionRefused"

    class Supervised(Task.Supervised, Event):
        TOPIC = "oversight:RectificationOrder.Supervised"

    class Reminded(Task.Reminded, Event):
        TOPIC = "oversight:RectificationOrder.Reminded"

    class AcknowledgeDeadlineMissed(Task.AcknowledgeDeadlineMissed, Event):
        TOPIC = "oversight:RectificationOrder.AcknowledgeDeadlineMissed"

    class DeadlineMissed(Task.DeadlineMissed, Event):
        TOPIC = "oversight:RectificationOrder.DeadlineMissed"

    class PublicNoticeFlagged(Task.PublicNoticeFlagged, Event):
        TOPIC = "oversight:RectificationOrder.PublicNoticeFlagged"

    class DeadlinesRecomputed(Task.DeadlinesRecomputed, Event):
        TOPIC = "oversight:RectificationOrder.DeadlinesRecomputed"

    # Reorganisation (机构改革) -----------------------------------------------------------

    @property
    def held_by(self) -> str | None:
        """The department an open order is issued to."""
        return self.department if self.is_open else None

    def _taken_over(self, from_department: str, to_department: str) -> None:
        self.department = to_department

    class HandedToSuccessor(Task.HandedToSuccessor, Event):
        TOPIC = "oversight:RectificationOrder.HandedToSuccessor"

    class RemindedByHand(Task.RemindedByHand, Event):
        TOPIC = "oversight:RectificationOrder.RemindedByHand"

    class Escalated(Task.Escalated, Event):
        TOPIC = "oversight:RectificationOrder.Escalated"

    class Directed(Task.Directed, Event):
        TOPIC = "oversight:RectificationOrder.Directed"

    # Evidence files (附件, §17) -------------------------------------------------------------

    class AttachmentAdded(Event):
        TOPIC = "oversight:RectificationOrder.AttachmentAdded"
        attachment_id: UUID
        name: Any
        content_type: str
        size: int
        sha256: str

        def apply(self, order: RectificationOrder) -> None:
            add_to_attachments(order, self)

    def add_attachment(self, *, listed: dict[str, Any], by: Actor, at: datetime) -> None:
        """List a file recorded as an `Attachment` on this record (上传附件)."""
        self.trigger_event(self.AttachmentAdded, **listed, actor=by, timestamp=at)
