"""Cases' journeys: operators register and route cases (some to the wrong department, some
duplicates), departments acknowledge, return, stop their clock, ask for more time and answer,
operators call back, close and reopen, inspectors grant or refuse extensions, decide proposed
deductions, supervise late cases, and erase a complainant's data on request."""

from __future__ import annotations

import string
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from application.evaluations import ANONYMOUS
from application.views import CaseView
from domain.case import (
    DEDUCTIBLE_KINDS,
    MAX_REOPENINGS,
    SEVERAL_TRIPS,
    Channel,
    Intake,
    Kind,
    Outcome,
    Satisfaction,
    Status,
)
from domain.conduct import ConductRule
from domain.directory import StaffMember, Window
from domain.rectification import OrderSourceType
from domain.scorecard import DeductionRequest, SourceType
from simulation.journeys.discipline import DisciplineJourneys
from simulation.journeys.orders import OrderJourneys
from simulation.mixes import (
    ANONYMOUS_REPORT_SHARE,
    ARBITRATED_SHARE,
    CALLBACK_ATTEMPTS,
    CALLBACK_REACHED_SHARE,
    CATEGORY_MIX,
    CHANNEL_MIX,
    CLOCK_STOP_SHARE,
    COMPLICATED_KINDS,
    DAY_OFF_CHANNEL_MIX,
    DISSATISFIED,
    DUPLICATE_SHARE,
    ERASURE_SHARE,
    EXTENSION_GRANTED_SHARE,
    EXTENSION_SHARE,
    EXTENSION_SLOPPINESS,
    EXTENSION_WORKING_DAYS,
    INTERNAL_NOTE_SHARE,
    KIND_MIX,
    LATE_RESULT_SHARE,
    LATE_RESULT_SLOPPINESS,
    MISROUTED_SHARE,
    ON_TIME_ANSWER,
    ORDER_AFTER_SUPERVISION_SHARE,
    ORDER_AFTER_SUPERVISION_SLOPPINESS,
    OUTCOME_MIX,
    OVERDUE_DEDUCTION_SHARE,
    PROPOSAL_CONFIRMED_SHARE,
    PROPOSAL_SHARE,
    PUBLIC_SUPERVISION_NOTE_SHARE,
    REOPEN_AFTER_CLOSING_DAYS,
    REOPEN_AFTER_CLOSING_SHARE,
    REOPEN_WHEN_DISSATISFIED_SHARE,
    RULES_BY_CATEGORY,
    SATISFACTION_MIX,
    SEVERAL_TRIPS_SHARE,
    SHIRKING_SLOPPINESS,
    SUBSTANTIATED_COMPLAINT,
    URGENT_KINDS,
    URGENT_SHARE,
)
from simulation.texts import (
    ANSWERS,
    ARBITRATION_NOTE,
    CALLBACK_COMMENTS,
    CLOCK_STOP_REASONS,
    DETAIL_ENDINGS,
    DISMISSAL_REASONS,
    DISSATISFIED_REASON,
    DISTRICTS,
    EXTENSION_REASONS,
    EXTENSION_REFUSAL,
    GIVEN_NAMES,
    INTERNAL_NOTES,
    MISROUTED_REASON,
    PUBLIC_SUPERVISION_NOTE,
    RECURRED_REASON,
    SHIRKING_REASON,
    STREETS,
    SUMMARIES,
    SUPERVISION_NOTES,
    SURNAMES,
    UNREACHED,
)
from simulation.world import CaseJourney, SimulatedDepartment

CASE_HANDLING = frozenset({Status.ASSIGNED.value, Status.IN_PROGRESS.value})


class CaseJourneys(DisciplineJourneys, OrderJourneys):
    """What operators, departments and inspectors do with cases, from the call to the close."""

    def _new_case(self, working_day: bool) -> None:
        kind = self._weighted(KIND_MIX)
        channel = self._weighted(CHANNEL_MIX if working_day else DAY_OFF_CHANNEL_MIX)
        if kind is Kind.COMPLAINT and self.rng.random() < DUPLICATE_SHARE:
            original = self._open_complaint_to_repeat()
            if original is not None:
                self._register_duplicate(original, channel)
                return
        department = self._pick_department(complaint=kind in DEDUCTIBLE_KINDS)
        window, staff = self._named(kind, department)
        category, summary = self._topic(kind)
        complainant = self._complainant(kind)
        urgent = working_day and kind in URGENT_KINDS and self.rng.random() < URGENT_SHARE
        item = self._item_for(window.id if window else None)
        if (
            item is not None
            and kind is Kind.COMPLAINT
            and item.at_most_one_trip
            and self._item_rng.random() < SEVERAL_TRIPS_SHARE
        ):
            category, summary = SEVERAL_TRIPS, f"办理“{item.name}”时材料未一次性告知清楚，往返多次"
        intake = Intake(
            kind=kind,
            channel=channel,
            department=department.id,
            window=window.id if window else None,
            staff=staff.id if staff else None,
            category=category,
            urgent=urgent,
            summary=summary,
            details=self._details(summary, window),
            complainant=complainant,
            item=item.code if item else None,
        )
        registered = self.supervision.register_case(intake, by=self._operator())
        self._public_query = (registered.case.tracking_number, registered.access_code)
        journey = CaseJourney(registered.case, home=department.id, complainant=complainant)
        self._cases[journey.id] = journey
        if kind is Kind.COMPLAINT and journey.reachable:
            self._recent_complaints.append(journey)
        if self.rng.random() < INTERNAL_NOTE_SHARE:
            journey.view = self.supervision.add_case_note(
                journey.id, text=self.rng.choice(INTERNAL_NOTES), public=False, by=self._operator()
            )
        self._at(self._routing_time(urgent), self._assign, journey)

    def _routing_time(self, urgent: bool) -> datetime:
        if urgent:
            return self._calendar.add_working_seconds(self._now, self.rng.randint(60, 900))
        return self._calendar.add_working_seconds(self._now, self.rng.randint(300, 5400))

    def _named(
        self, kind: Kind, department: SimulatedDepartment
    ) -> tuple[Window | None, StaffMember | None]:
        """The window and staff member a case names, if any (a complaint usually does)."""
        naming_window = {
            Kind.COMPLAINT: 0.8,
            Kind.PRAISE: 0.7,
            Kind.REPORT: 0.5,
        }.get(kind, 0.25)
        naming_staff = {Kind.COMPLAINT: 0.5, Kind.PRAISE: 0.7, Kind.REPORT: 0.8}.get(kind, 0.0)
        if self.rng.random() >= naming_window:
            return None, None
        window = self.rng.choice(department.windows)
        posted = self._staff_at.get(window.id, [])
        staff = self.rng.choice(posted) if posted and self.rng.random() < naming_staff else None
        return window, staff

    def _topic(self, kind: Kind) -> tuple[str, str]:
        category = self._weighted(CATEGORY_MIX[kind])
        return category, self.rng.choice(SUMMARIES[kind, category])

    def _details(self, summary: str, window: Window | None) -> str:
        place = f"在{window.name}（{window.id}）办理业务时，" if window else ""
        return f"来电人称{place}{summary}。{self.rng.choice(DETAIL_ENDINGS)}"

    def _complainant(self, kind: Kind) -> dict[str, Any]:
        if kind is Kind.REPORT and self.rng.random() < ANONYMOUS_REPORT_SHARE:
            return dict(ANONYMOUS)
        phone = "1" + self.rng.choice("3578") + "".join(self.rng.choices(string.digits, k=9))
        address = None
        if self.rng.random() < 0.5:
            address = (
                f"{self.rng.choice(DISTRICTS)}{self.rng.choice(STREETS)}"
                f"{self.rng.randint(1, 300)}号"
            )
        return {
            "name": self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES),
            "phone": phone,
            "address": address,
            "anonymous": False,
        }

    def _open_complaint_to_repeat(self) -> CaseJourney | None:
        candidates = [
            journey
            for journey in self._recent_complaints
            if journey.view.status not in (Status.CLOSED.value, Status.MERGED.value)
        ]
        return self.rng.choice(candidates) if candidates else None

    def _register_duplicate(self, original: CaseJourney, channel: Channel) -> None:
        """The same citizen about the same facts again: registered, then merged (重复件)."""
        view = original.view
        intake = Intake(
            kind=Kind.COMPLAINT,
            channel=channel,
            department=original.home,
            window=view.window,
            staff=view.staff,
            category=view.category,
            summary=view.summary,
            details=f"{view.details}（再次来电反映）",
            complainant=dict(original.complainant),
        )
        registered = self.supervision.register_case(intake, by=self._operator())
        duplicate = CaseJourney(
            registered.case, home=original.home, complainant=original.complainant
        )
        self._cases[duplicate.id] = duplicate
        moment = self._calendar.add_working_seconds(self._now, self.rng.randint(120, 2400))
        self._at(moment, self._merge_duplicate, duplicate, original)

    def _merge_duplicate(self, duplicate: CaseJourney, original: CaseJourney) -> None:
        if original.view.status in (Status.CLOSED.value, Status.MERGED.value):
            # Closed meanwhile: the operator treats the call as a new case after all.
            self._assign(duplicate)
            return
        duplicate.view = self.supervision.merge_case(
            duplicate.id, into=original.id, by=self._operator()
        )

    def _assign(self, journey: CaseJourney) -> None:
        department = journey.home
        if self.rng.random() < MISROUTED_SHARE:
            department = self._another_department(journey.home)
        view = self.supervision.assign_case(
            journey.id,
            department=department,
            urgent=None,
            final=False,
            note=None,
            by=self._operator(),
        )
        self._case_changed(journey, view)
        self._at_acknowledgement(journey)

    def _at_acknowledgement(self, journey: CaseJourney) -> None:
        view = journey.view
        assert view.acknowledge_deadline is not None  # just assigned: it has both
        assert view.assigned_department is not None
        moment = self._acknowledgement_at(
            view.acknowledge_deadline.due_at, self._sloppiness(view.assigned_department)
        )
        self._at(moment, self._department_takes, journey)

    def _case_changed(self, journey: CaseJourney, view: CaseView) -> None:
        journey.view = view
        self._watch(view.id, handling=view.status in CASE_HANDLING)

    # Cases: the department --------------------------------------------------------------------

    def _department_takes(self, journey: CaseJourney) -> None:
        """The assigned department acknowledges, or returns a case that is not (it says) its."""
        view = journey.view
        desk = self._desk(view.assigned_department)
        shirks = (
            view.kind != Kind.PRAISE.value
            and not view.final
            and self.rng.random() < SHIRKING_SLOPPINESS * self._sloppiness(journey.home)
        )
        if view.assigned_department != journey.home or shirks:
            reason = (
                MISROUTED_REASON if view.assigned_department != journey.home else SHIRKING_REASON
            )
            self._case_changed(
                journey, self.supervision.return_case(journey.id, reason=reason, by=desk)
            )
            # A shirked case comes back as final (审定); a misrouted one usually not.
            final = shirks or self.rng.random() < ARBITRATED_SHARE
            self._at(self._office_time_later(0.02, 0.5), self._reassign, journey, final)
            return
        self._case_changed(journey, self.supervision.acknowledge_case(journey.id, by=desk))
        self._plan_handling(journey)

    def _reassign(self, journey: CaseJourney, final: bool) -> None:
        view = self.supervision.assign_case(
            journey.id,
            department=journey.home,
            urgent=None,
            final=final,
            note=ARBITRATION_NOTE if final else None,
            by=self._operator(),
        )
        self._case_changed(journey, view)
        self._at_acknowledgement(journey)

    def _plan_handling(self, journey: CaseJourney) -> None:
        """What the department does next with a case in hand, and when."""
        view = journey.view
        kind = Kind(view.kind)
        if kind is Kind.PRAISE:
            # Praise is forwarded, not handled: the centre closes it once taken.
            self._at(self._office_time_later(0.05, 0.5), self._close, journey)
            return
        assert view.deadline is not None  # every kind but praise is handled by a deadline
        due = view.deadline.due_at
        first_look = not journey.complicated
        journey.complicated = True
        if first_look and kind in COMPLICATED_KINDS:
            roll = self.rng.random()
            if roll < CLOCK_STOP_SHARE:
                self._at(self._before(due, 0.1, 0.5), self._stop_clock, journey)
                return
            asking = EXTENSION_SHARE + EXTENSION_SLOPPINESS * self._sloppiness(journey.home)
            if roll < CLOCK_STOP_SHARE + asking:
                self._at(self._before(due, 0.5, 0.85), self._ask_extension, journey)
                return
        late = LATE_RESULT_SHARE + LATE_RESULT_SLOPPINESS * self._sloppiness(journey.home)
        if self.rng.random() < late:
            moment = self._late_by(due)
        else:
            moment = self._before(due, *ON_TIME_ANSWER[kind])
        self._at(moment, self._post_result, journey)

    def _stop_clock(self, journey: CaseJourney) -> None:
        view = self.supervision.stop_case_clock(
            journey.id, reason=self.rng.choice(CLOCK_STOP_REASONS), by=self._desk(journey.home)
        )
        self._case_changed(journey, view)
        self._at(self._office_time_later(0.5, 4), self._resume_clock, journey)

    def _resume_clock(self, journey: CaseJourney) -> None:
        view = self.supervision.resume_case_clock(journey.id, by=self._desk(journey.home))
        self._case_changed(journey, view)
        self._plan_handling(journey)

    def _ask_extension(self, journey: CaseJourney) -> None:
        view = self.supervision.request_extension(
            journey.id,
            working_days=self.rng.choice(EXTENSION_WORKING_DAYS),
            reason=self.rng.choice(EXTENSION_REASONS),
            by=self._desk(journey.home),
        )
        self._case_changed(journey, view)
        self._at(self._office_time_later(0.1, 1), self._decide_extension, journey)

    def _decide_extension(self, journey: CaseJourney) -> None:
        if self.rng.random() < EXTENSION_GRANTED_SHARE:
            view = self.supervision.grant_extension(journey.id, by=self._inspector())
        else:
            view = self.supervision.refuse_extension(
                journey.id, reason=EXTENSION_REFUSAL, by=self._inspector()
            )
        self._case_changed(journey, view)
        self._plan_handling(journey)

    def _post_result(self, journey: CaseJourney) -> None:
        kind = Kind(journey.view.kind)
        outcome = self._weighted(OUTCOME_MIX[kind]) if kind in OUTCOME_MIX else Outcome.RESOLVED
        proposal = self._proposal(journey, outcome)
        actions, answer = ANSWERS[outcome]
        view = self.supervision.post_result(
            journey.id,
            outcome=outcome,
            actions=actions,
            answer=answer,
            by=self._desk(journey.home),
            proposed_deduction=proposal,
        )
        self._case_changed(journey, view)
        if proposal is not None:
            self._at(self._office_time_later(0.3, 3), self._decide_proposal, journey)
        if journey.reachable:
            self._at(self._office_time_later(0.2, 2), self._call_back, journey)
        else:
            self._at(self._office_time_later(0.2, 1.5), self._close, journey)

    def _proposal(self, journey: CaseJourney, outcome: Outcome) -> dict[str, Any] | None:
        """The deduction a department proposes with a substantiated complaint, if it does."""
        view = journey.view
        proposes = PROPOSAL_SHARE * (1 - self._sloppiness(journey.home) / 2)
        if (
            outcome is not Outcome.SUBSTANTIATED
            or Kind(view.kind) not in DEDUCTIBLE_KINDS
            or view.reopenings  # one proposal per case: a second result keeps the first's
            or not (view.window or view.staff)
            or self.rng.random() >= proposes
        ):
            return None
        rule = self._rule_for(view.category, staff=bool(view.staff), window=bool(view.window))
        return None if rule is None else {"rule": rule.code}

    def _rule_for(self, category: str | None, *, staff: bool, window: bool) -> ConductRule | None:
        """The rule for what the case is about, else 被有效投诉, if it costs someone it names."""
        fitting = [
            self._rules[code]
            for code in (*RULES_BY_CATEGORY.get(category or "", ()), SUBSTANTIATED_COMPLAINT)
            if code in self._rules
            and (
                (staff and self._rules[code].charges_staff)
                or (window and self._rules[code].charges_window)
            )
        ]
        specific = [rule for rule in fitting if rule.code != SUBSTANTIATED_COMPLAINT]
        if specific:
            return self.rng.choice(specific)
        return fitting[0] if fitting else None

    # Cases: the centre's follow-up -------------------------------------------------------------

    def _call_back(self, journey: CaseJourney) -> None:
        journey.callbacks += 1
        operator = self._operator()
        if self.rng.random() >= CALLBACK_REACHED_SHARE:
            view = self.supervision.record_callback(
                journey.id, reached=False, satisfaction=None, comment=UNREACHED, by=operator
            )
            self._case_changed(journey, view)
            if journey.callbacks < CALLBACK_ATTEMPTS:
                self._at(self._office_time_later(0.5, 1.5), self._call_back, journey)
            else:
                self._at(self._office_time_later(0.05, 0.5), self._close, journey)
            return
        satisfaction = self._satisfaction(journey)
        view = self.supervision.record_callback(
            journey.id,
            reached=True,
            satisfaction=satisfaction,
            comment=self.rng.choice(CALLBACK_COMMENTS[satisfaction in DISSATISFIED]),
            by=operator,
        )
        self._case_changed(journey, view)
        reopens = (
            satisfaction in DISSATISFIED
            and view.reopenings < MAX_REOPENINGS
            and self.rng.random() < REOPEN_WHEN_DISSATISFIED_SHARE
        )
        if reopens:
            self._at(self._office_time_later(0.05, 0.5), self._reopen, journey, DISSATISFIED_REASON)
        else:
            self._at(self._office_time_later(0.05, 0.5), self._close, journey)

    def _satisfaction(self, journey: CaseJourney) -> Satisfaction:
        """Careless departments leave more complainants dissatisfied."""
        sloppiness = self._sloppiness(journey.home)
        mix = dict(SATISFACTION_MIX)
        mix[Satisfaction.DISSATISFIED] *= 1 + 4 * sloppiness
        mix[Satisfaction.VERY_DISSATISFIED] *= 1 + 4 * sloppiness
        return self._weighted(mix)

    def _close(self, journey: CaseJourney) -> None:
        view = self.supervision.close_case(journey.id, by=self._operator())
        self._case_changed(journey, view)
        if not journey.reachable:
            return
        if view.reopenings < MAX_REOPENINGS and self.rng.random() < REOPEN_AFTER_CLOSING_SHARE:
            days = self.rng.randint(*REOPEN_AFTER_CLOSING_DAYS)
            moment = self._calendar.add_working_seconds(
                self._now + timedelta(days=days), self.rng.randint(60, 3600)
            )
            self._at(moment, self._reopen, journey, RECURRED_REASON)
        if self.rng.random() < ERASURE_SHARE:
            self._at(self._office_time_later(1, 10), self._erase, journey)

    def _reopen(self, journey: CaseJourney, reason: str) -> None:
        view = self.supervision.reopen_case(journey.id, reason=reason, by=self._operator())
        self._case_changed(journey, view)
        self._plan_handling(journey)

    def _erase(self, journey: CaseJourney) -> None:
        view = self.supervision.erase_personal_data(
            journey.id,
            reason=f"当事人申请删除个人信息（申请编号 DEL-{self.rng.randint(1000, 9999)}）",
            by=self._inspector(),
        )
        self._case_changed(journey, view)

    def _decide_proposal(self, journey: CaseJourney) -> None:
        inspector = self._inspector()
        if self.rng.random() >= PROPOSAL_CONFIRMED_SHARE:
            view = self.supervision.dismiss_proposed_deduction(
                journey.id, reason=self.rng.choice(DISMISSAL_REASONS), by=inspector
            )
            self._case_changed(journey, view)
            return
        view = self.supervision.confirm_proposed_deduction(journey.id, by=inspector)
        self._case_changed(journey, view)
        assert view.proposed_deduction is not None  # just confirmed, under this id
        self._maybe_revoke(UUID(view.proposed_deduction["deduction_id"]))

    # Cases: supervision -----------------------------------------------------------------------

    def _supervise_case(self, journey: CaseJourney) -> None:
        if not self._still_overdue(journey.id):
            return  # the department acted meanwhile: nothing left to escalate
        inspector = self._inspector()
        view = self.supervision.supervise_case(
            journey.id, note=self.rng.choice(SUPERVISION_NOTES), by=inspector
        )
        self._case_changed(journey, view)
        if self.rng.random() < PUBLIC_SUPERVISION_NOTE_SHARE:
            journey.view = self.supervision.add_case_note(
                journey.id, text=PUBLIC_SUPERVISION_NOTE, public=True, by=inspector
            )
        if (
            view.status == Status.IN_PROGRESS.value
            and view.deadline is not None
            and (view.window or view.staff)
            and "overdue" in self._rules
            and self.rng.random() < OVERDUE_DEDUCTION_SHARE
        ):
            self._deduct(
                DeductionRequest(
                    rule="overdue",
                    staff=view.staff,
                    window=view.window,
                    occurred_at=view.deadline.due_at,
                    evidence=f"工单 {view.tracking_number} 超过办理时限未办结，经督办核实",
                    source_type=SourceType.CASE,
                    source_ref=view.tracking_number,
                    points=None,
                ),
                inspector,
            )
        ordering = ORDER_AFTER_SUPERVISION_SHARE + ORDER_AFTER_SUPERVISION_SLOPPINESS * (
            self._sloppiness(journey.home)
        )
        if view.assigned_department == journey.home and self.rng.random() < ordering:
            department = self._departments[journey.home]
            window = view.window if view.window in {w.id for w in department.windows} else None
            self._issue_order(
                department,
                window=window,
                problem=f"工单 {view.tracking_number} 超过办理时限，经督办仍未办结",
                source_type=OrderSourceType.CASE,
                source_ref=view.tracking_number,
            )
