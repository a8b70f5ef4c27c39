"""Rectification orders' journeys: inspectors issue them after an inspection, a supervised
case or a bad rating; departments acknowledge, stop their clock, ask for more time and report
what they did; inspectors decide, verify, reject or accept, and escalate a missed deadline."""

from __future__ import annotations

from application.rectification import OrderView
from domain.actor import Actor
from domain.calendar import OFFICE_TZ
from domain.rectification import OrderRequest, OrderSourceType, OrderStatus
from simulation.mixes import (
    EXTENSION_WORKING_DAYS,
    LATE_REPORT_SHARE,
    LATE_REPORT_SLOPPINESS,
    ORDER_CLOCK_STOP_SHARE,
    ORDER_EXTENSION_GRANTED_SHARE,
    ORDER_EXTENSION_SHARE,
    ORDER_REJECTED_SHARE,
    ORDER_RETRY_WORKING_DAYS,
    ORDER_TERMS,
)
from simulation.texts import (
    ACCEPTANCE_NOTE,
    EXTENSION_REASONS,
    EXTENSION_REFUSAL,
    INSPECTION_PROBLEMS,
    ORDER_CLOCK_STOP_REASON,
    ORDER_REQUIREMENTS,
    RECTIFICATION_EVIDENCE,
    RECTIFICATION_MEASURES,
    REJECTION_REASONS,
    SUPERVISION_NOTES,
)
from simulation.world import OrderJourney, SimulatedDepartment, World

ORDER_HANDLING = frozenset({OrderStatus.ISSUED.value, OrderStatus.IN_PROGRESS.value})


class OrderJourneys(World):
    """What inspectors and departments do with rectification orders."""

    def _inspection_order(self) -> None:
        departments = list(self._departments.values())
        department = self.rng.choices(
            departments, weights=[0.1 + d.sloppiness for d in departments]
        )[0]
        window = self.rng.choice(department.windows).id if self.rng.random() < 0.6 else None
        self._issue_order(
            department,
            window=window,
            problem=self.rng.choice(INSPECTION_PROBLEMS),
            source_type=OrderSourceType.INSPECTION,
            source_ref=f"巡查记录 {self._now.astimezone(OFFICE_TZ):%Y%m%d}",
        )

    def _issue_order(
        self,
        department: SimulatedDepartment,
        *,
        window: str | None,
        problem: str,
        source_type: OrderSourceType,
        source_ref: str,
    ) -> None:
        request = OrderRequest(
            department=department.id,
            window=window,
            problem=problem,
            requirements=self.rng.choice(ORDER_REQUIREMENTS),
            working_days=self.rng.choice(ORDER_TERMS),
            source_type=source_type,
            source_ref=source_ref,
        )
        view = self.supervision.issue_order(request, self._inspector())
        journey = OrderJourney(view)
        self._orders[journey.id] = journey
        self._order_changed(journey, view)
        assert view.acknowledge_deadline is not None  # an issued order awaits acknowledgement
        moment = self._acknowledgement_at(view.acknowledge_deadline.due_at, department.sloppiness)
        self._at(moment, self._acknowledge_order, journey)

    def _order_changed(self, journey: OrderJourney, view: OrderView) -> None:
        journey.view = view
        self._watch(view.id, handling=view.status in ORDER_HANDLING)

    def _order_desk(self, journey: OrderJourney) -> Actor:
        return self._desk(journey.view.department)

    def _acknowledge_order(self, journey: OrderJourney) -> None:
        view = self.supervision.acknowledge_order(journey.id, by=self._order_desk(journey))
        self._order_changed(journey, view)
        self._plan_rectification(journey)

    def _plan_rectification(self, journey: OrderJourney) -> None:
        assert journey.view.deadline is not None  # an order in hand is due by a date
        due = journey.view.deadline.due_at
        sloppiness = self._sloppiness(journey.view.department)
        if not journey.complicated:
            journey.complicated = True
            roll = self.rng.random()
            if roll < ORDER_CLOCK_STOP_SHARE:
                self._at(self._before(due, 0.1, 0.5), self._stop_order_clock, journey)
                return
            if roll < ORDER_CLOCK_STOP_SHARE + ORDER_EXTENSION_SHARE:
                self._at(self._before(due, 0.5, 0.85), self._ask_order_extension, journey)
                return
        if self.rng.random() < LATE_REPORT_SHARE + LATE_REPORT_SLOPPINESS * sloppiness:
            moment = self._late_by(due)
        else:
            moment = self._before(due, 0.3, 0.95)
        self._at(moment, self._report_rectification, journey)

    def _stop_order_clock(self, journey: OrderJourney) -> None:
        view = self.supervision.stop_order_clock(
            journey.id, reason=ORDER_CLOCK_STOP_REASON, by=self._order_desk(journey)
        )
        self._order_changed(journey, view)
        self._at(self._office_time_later(1, 5), self._resume_order_clock, journey)

    def _resume_order_clock(self, journey: OrderJourney) -> None:
        view = self.supervision.resume_order_clock(journey.id, by=self._order_desk(journey))
        self._order_changed(journey, view)
        self._plan_rectification(journey)

    def _ask_order_extension(self, journey: OrderJourney) -> None:
        view = self.supervision.request_order_extension(
            journey.id,
            working_days=self.rng.choice(EXTENSION_WORKING_DAYS),
            reason=self.rng.choice(EXTENSION_REASONS),
            by=self._order_desk(journey),
        )
        self._order_changed(journey, view)
        self._at(self._office_time_later(0.1, 1), self._decide_order_extension, journey)

    def _decide_order_extension(self, journey: OrderJourney) -> None:
        if self.rng.random() < ORDER_EXTENSION_GRANTED_SHARE:
            view = self.supervision.grant_order_extension(journey.id, by=self._inspector())
        else:
            view = self.supervision.refuse_order_extension(
                journey.id, reason=EXTENSION_REFUSAL, by=self._inspector()
            )
        self._order_changed(journey, view)
        self._plan_rectification(journey)

    def _report_rectification(self, journey: OrderJourney) -> None:
        view = self.supervision.report_rectification(
            journey.id,
            measures=self.rng.choice(RECTIFICATION_MEASURES),
            evidence=self.rng.choice(RECTIFICATION_EVIDENCE),
            by=self._order_desk(journey),
        )
        self._order_changed(journey, view)
        self._at(self._office_time_later(1, 4), self._verify_rectification, journey)

    def _verify_rectification(self, journey: OrderJourney) -> None:
        inspector = self._inspector()
        if not journey.view.rejections and self.rng.random() < ORDER_REJECTED_SHARE:
            view = self.supervision.reject_rectification(
                journey.id,
                reasons=self.rng.choice(REJECTION_REASONS),
                working_days=ORDER_RETRY_WORKING_DAYS,
                by=inspector,
            )
            self._order_changed(journey, view)
            self._plan_rectification(journey)
            return
        view = self.supervision.accept_rectification(journey.id, note=ACCEPTANCE_NOTE, by=inspector)
        self._order_changed(journey, view)

    def _supervise_order(self, journey: OrderJourney) -> None:
        if not self._still_overdue(journey.id):
            return  # the department acted meanwhile: nothing left to escalate
        view = self.supervision.supervise_order(
            journey.id, note=self.rng.choice(SUPERVISION_NOTES), by=self._inspector()
        )
        self._order_changed(journey, view)
