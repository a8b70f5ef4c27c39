"""Verbs on rectification orders (整改通知, §7): issue, acknowledge, report, verify."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from application.cases import history_entry, require_history_reader, timeline_step
from application.directory import DirectoryVerbs
from application.numbering import NumberingVerbs
from application.queries import OrderHeading
from application.views import HistoryEntry, TimelineStep, view_of
from domain.actor import Actor
from domain.attachment import listed_entries
from domain.deadlines import Deadline
from domain.directory import WindowNotInDepartment
from domain.rectification import (
    NotOrderDepartment,
    OrderAction,
    OrderNotFound,
    OrderRequest,
    RectificationOrder,
)
from domain.tracking import ORDER_SERIES

# What an order's timeline quotes as its "why": a rejection's reasons, a reason, a note, the
# measures a department reported.
_TIMELINE_TEXT_FIELDS = ("reasons", "reason", "note", "measures", "message")


@dataclass(frozen=True)
class OrderView(OrderHeading):
    """A rectification order as its readers see it, with the global position of its last event."""

    requirements: str
    source_type: str
    source_ref: str | None
    working_days: int
    issued_at: datetime
    issued_by: str
    updated_at: datetime
    acknowledged_at: datetime | None
    acknowledge_deadline: Deadline | None
    deadline: Deadline | None
    clock_stopped: bool
    pending_extension: dict[str, Any] | None
    reports: list[dict[str, Any]]
    rejections: list[dict[str, Any]]
    reported_at: datetime | None
    closed_at: datetime | None
    verdict_note: str | None
    supervisions: list[dict[str, Any]]
    version: int
    position: int | None
    # Reminders sent by hand (人工催办): at, message, department, role, name.
    reminders: list[dict[str, Any]] = field(default_factory=list)
    # Evidence files (附件, §17): id, name, content_type, size, sha256, attached_at, by.
    attachments: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, order: RectificationOrder, position: int | None) -> OrderView:
        return view_of(
            cls,
            order,
            status=order.status.value,
            source_type=order.source_type.value,
            issued_at=order.created_on,
            issued_by=order.issued_by.principal,
            updated_at=order.modified_on,
            reports=list(order.reports),
            rejections=list(order.rejections),
            supervisions=list(order.supervisions),
            position=position,
            reminders=list(order.hand_reminders),
            attachments=listed_entries(order),
        )


@dataclass(frozen=True)
class OrderFile:
    """What the order page shows one viewer: the order, the actions open to them now, the
    timeline of who did what, when and why, and the office time left before the deadline
    that binds it (negative once past; None while none binds)."""

    order: OrderView
    actions: tuple[OrderAction, ...]
    timeline: list[TimelineStep]
    acknowledge_seconds_left: int | None
    seconds_left: int | None


class RectificationVerbs(DirectoryVerbs, NumberingVerbs):
    """Issue an order, acknowledge and report it, verify it; extensions and supervision."""

    # Reading ----------------------------------------------------------------------------

    def _order(self, order_id: UUID) -> RectificationOrder:
        return self._load_as(
            order_id,
            RectificationOrder,
            lambda: OrderNotFound(f"there is no rectification order {order_id}"),
        )

    def _readable_order(self, order_id: UUID, viewer: Actor) -> RectificationOrder:
        return self._readable(
            self._order(order_id),
            viewer,
            lambda: NotOrderDepartment("this rectification order is not issued to your department"),
        )

    def get_order(self, order_id: UUID, viewer: Actor) -> OrderView:
        """One order; a department reads only the orders issued to it."""
        return OrderView.of(self._readable_order(order_id, viewer), position=None)

    def order_file(self, order_id: UUID, viewer: Actor) -> OrderFile:
        """The order page's reading: the order, the actions open to the viewer now, the
        timeline and the time left (a department reads only the orders issued to it)."""
        order = self._readable_order(order_id, viewer)
        events = self.repository.event_store.get(order_id)
        now = self.time_source.now()
        acknowledge_left, left = order.working_seconds_left(self.calendar, now)
        return OrderFile(
            order=OrderView.of(order, position=None),
            actions=order.actions_open_to(viewer, now),
            timeline=[
                timeline_step(event, history_entry(event), _TIMELINE_TEXT_FIELDS)
                for event in events
            ],
            acknowledge_seconds_left=acknowledge_left,
            seconds_left=left,
        )

    def order_history(self, order_id: UUID, viewer: Actor) -> list[HistoryEntry]:
        """Every event of an order, with actor, time, reason and request id (inspectors)."""
        require_history_reader(viewer)
        self._order(order_id)
        return [history_entry(event) for event in self.repository.event_store.get(order_id)]

    def _on_order(
        self, order_id: UUID, by: Actor, verb: Callable[..., None], **arguments: Any
    ) -> OrderView:
        """Load the order, run the verb on it by `by` now, save it and answer."""
        order = self._order(order_id)
        verb(order, **arguments, by=by, at=self.time_source.now())
        return OrderView.of(order, self._commit(order))

    # The inspector issues -----------------------------------------------------------------

    def issue_order(self, request: OrderRequest, by: Actor) -> OrderView:
        """Issue a rectification order to a department (下发整改通知), due in working days."""
        department, window, staff = request.department, request.window, request.staff
        directory = self.directory()
        directory.route(department, window, staff)  # refuses unknown or retired names
        for named, entry in (
            ("window", directory.window(window) if window else None),
            ("staff member", directory.staff_member(staff) if staff else None),
        ):
            if entry is not None and entry.department != department:
                raise WindowNotInDepartment(
                    f"{named} {entry.id} belongs to {entry.department}, not {department}"
                )
        order_id = self.ids()
        policy, calendar = self.policy, self.calendar

        def make(number: str, now: datetime) -> RectificationOrder:
            return RectificationOrder.issue(
                request,
                order_id=order_id,
                tracking_number=number,
                policy=policy,
                calendar=calendar,
                by=by,
                at=now,
            )

        order, position = self._save_numbered(make, prefix=ORDER_SERIES, series=ORDER_SERIES, by=by)
        return OrderView.of(order, position)

    # The department -----------------------------------------------------------------------

    def acknowledge_order(self, order_id: UUID, by: Actor) -> OrderView:
        """The department confirms it received the order (签收)."""
        return self._on_order(order_id, by, RectificationOrder.acknowledge)

    def report_rectification(
        self, order_id: UUID, *, measures: str, evidence: str | None, by: Actor
    ) -> OrderView:
        """The department reports what it did to rectify (整改报告)."""
        return self._on_order(
            order_id, by, RectificationOrder.report, measures=measures, evidence=evidence
        )

    def stop_order_clock(self, order_id: UUID, *, reason: str, by: Actor) -> OrderView:
        """Stop the order's clock while waiting on a third party (挂起)."""
        return self._on_order(order_id, by, RectificationOrder.stop_clock, reason=reason)

    def resume_order_clock(self, order_id: UUID, by: Actor) -> OrderView:
        """Restart the order's clock; the stopped working time is added back."""
        return self._on_order(
            order_id,
            by,
            RectificationOrder.resume_clock,
            policy=self.policy,
            calendar=self.calendar,
        )

    def request_order_extension(
        self, order_id: UUID, *, working_days: int, reason: str, by: Actor
    ) -> OrderView:
        """Ask for more working days before the order's deadline passes (申请延期)."""
        return self._on_order(
            order_id,
            by,
            RectificationOrder.request_extension,
            working_days=working_days,
            reason=reason,
        )

    # The inspector verifies ------------------------------------------------------------

    def accept_rectification(self, order_id: UUID, *, note: str | None, by: Actor) -> OrderView:
        """Accept the reported rectification (验收通过); the order is closed."""
        return self._on_order(order_id, by, RectificationOrder.accept, note=note)

    def reject_rectification(
        self, order_id: UUID, *, reasons: str, working_days: int, by: Actor
    ) -> OrderView:
        """Reject the reported rectification (验收不通过) with reasons and a new due date."""
        return self._on_order(
            order_id,
            by,
            RectificationOrder.reject,
            reasons=reasons,
            working_days=working_days,
            policy=self.policy,
            calendar=self.calendar,
        )

    def grant_order_extension(self, order_id: UUID, by: Actor) -> OrderView:
        """Grant the extension the department asked for (批准延期)."""
        return self._on_order(
            order_id,
            by,
            RectificationOrder.grant_extension,
            policy=self.policy,
            calendar=self.calendar,
        )

    def refuse_order_extension(self, order_id: UUID, *, reason: str, by: Actor) -> OrderView:
        """Refuse the extension the department asked for (不予延期)."""
        return self._on_order(order_id, by, RectificationOrder.refuse_extension, reason=reason)

    def supervise_order(self, order_id: UUID, *, note: str, by: Actor) -> OrderView:
        """Escalate an order whose deadline passed (督办)."""
        return self._on_order(order_id, by, RectificationOrder.supervise, note=note)

    def remind_order(self, order_id: UUID, *, message: str, by: Actor) -> OrderView:
        """An operator or inspector reminds the order's department by hand (人工催办)."""
        return self._on_order(order_id, by, RectificationOrder.remind, message=message)
