"""Filling an event store fast for the benchmarks, with cases of the demo's kind.

A campaign (`simulation.campaign`) plays every step through one of the application's verbs,
one save each: realistic down to the minute, and slow. A benchmark that needs a million
events takes the faster road here: the same mixes and texts, the domain's verbs on the cases
themselves with the application's deadline policy and calendar, and many cases written per
`supervision.save(...)` (the rates reached are in docs/benchmarks.md, "growth"). Dates are
set by the fill (one case every `spacing`), not read from a time source.
"""

from __future__ import annotations

import random
from collections import deque
from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4

from application.evaluations import ANONYMOUS
from application.supervision import Supervision
from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from domain.case import Case, Channel, Intake, Kind, Outcome, Status
from domain.tracking import tracking_number
from simulation.defaults import DEFAULT_SEED
from simulation.mixes import (
    ANONYMOUS_REPORT_SHARE,
    CATEGORY_MIX,
    CHANNEL_MIX,
    DISSATISFIED,
    KIND_MIX,
    OUTCOME_MIX,
    SATISFACTION_MIX,
    URGENT_KINDS,
    URGENT_SHARE,
)
from simulation.texts import (
    ANSWERS,
    CALLBACK_COMMENTS,
    CLOCK_STOP_REASONS,
    DETAIL_ENDINGS,
    DISSATISFIED_REASON,
    EXTENSION_REASONS,
    GIVEN_NAMES,
    MISROUTED_REASON,
    SUMMARIES,
    SURNAMES,
)
from simulation.world import INSPECTORS, OPERATORS

OPERATOR = OPERATORS[0]
INSPECTOR = INSPECTORS[0]
# What every filled case's access code is (the public status route checks its shape).
FILLED_ACCESS_CODE = "BENCH-CODE-0001"

# How each case of the realistic fill rests while it is in the backlog, in 1,000s.
FATES = {
    "registered": 20,  # not routed yet
    "assigned": 100,  # awaiting acknowledgement
    "returned": 30,  # sent back: the centre must route it again
    "in_progress": 110,
    "clock_stopped": 40,
    "extension": 40,  # an extension request waits for an inspector
    "answered": 100,  # awaiting the callback
    "reopened": 20,  # answered, closed, reopened: in progress again
    "closed": 540,
}
# The fates a praise case may rest in: it has no handling deadline, and is closed once taken.
PRAISE_FATES = frozenset({"registered", "returned", "closed"})


def clerk_of(case: Case) -> Actor:
    """The desk of the department a case is with."""
    department = case.assigned_department or case.department
    return Actor(f"desk-{department}", Role.DEPARTMENT, department=department)


class CaseFill:
    """Records cases in waves through the domain's verbs, many aggregates per
    `supervision.save(...)`, until the store holds enough events.

    Each step is taken for a whole wave of cases before the next, so a case's events lie far
    apart in the log, as they do in service. Subclasses say what each step does
    (`take_step`), how a case is registered (`new_case`), and, with `backlog` set, how a case
    still open when `backlog` newer cases have come is finished (`settle`): then open work
    stays the size of a working backlog however large the store grows.
    """

    steps = 5

    def __init__(
        self,
        supervision: Supervision,
        *,
        start: datetime,
        spacing: timedelta = timedelta(minutes=7),
        wave: int = 500,
        per_save: int = 100,
        backlog: int | None = None,
        seed: int = DEFAULT_SEED,
    ) -> None:
        if wave < 1 or per_save < 1 or (backlog is not None and backlog < 0):
            raise ValueError("a fill's wave and saves hold at least one case, its backlog ≥ 0")
        self.supervision = supervision
        self.calendar = supervision.calendar
        self.start = start
        self.spacing = spacing
        self.wave = wave
        self.per_save = per_save
        self.backlog = backlog
        self.random = random.Random(seed)  # noqa: S311 -- a repeatable mix, not a secret
        self.access_code_hash = supervision.secrets.hash_access_code(FILLED_ACCESS_CODE)
        self.registered = 0
        self._numbers: dict[date, int] = {}
        self._open: deque[Case] = deque()

    # What a subclass says ----------------------------------------------------

    def new_case(self, n: int, at: datetime) -> Case:
        raise NotImplementedError

    def take_step(self, case: Case, n: int, step: int, at: datetime) -> None:
        raise NotImplementedError

    def step_time(self, n: int, step: int) -> datetime:
        """When step `step` of the n-th case is taken."""
        return self.at(n) + timedelta(days=step + 1)

    def settle(self, case: Case, at: datetime) -> None:
        """Finish an open case that has aged out of the backlog."""

    def wave_done(self, wave: list[Case]) -> None:
        """Every step of the wave was taken and saved."""

    # The machinery -------------------------------------------------------------

    def at(self, n: int) -> datetime:
        return self.start + self.spacing * n

    def register(
        self,
        n: int,
        at: datetime,
        *,
        department: str | None,
        kind: Kind = Kind.COMPLAINT,
        channel: Channel = Channel.HOTLINE,
        window: str | None = None,
        category: str | None = None,
        urgent: bool = False,
        summary: str | None = None,
        details: str = "",
        complainant: dict[str, Any] | None = None,
    ) -> Case:
        """The n-th case, registered under the day's next tracking number."""
        day = at.astimezone(OFFICE_TZ).date()
        number = self._numbers[day] = self._numbers.get(day, 0) + 1
        intake = Intake(
            kind=kind,
            channel=channel,
            department=department,
            window=window,
            category=category,
            urgent=urgent,
            summary=summary or f"测试诉求 {n}",
            details=details,
            complainant=complainant or {"name": "测试", "phone": "13800000000"},
        )
        return Case.register(
            intake,
            case_id=uuid4(),
            tracking_number=tracking_number(channel.value, day, number),
            access_code_hash=self.access_code_hash,
            by=OPERATOR,
            at=at,
        )

    def assign(self, case: Case, department: str, at: datetime, *, final: bool = False) -> None:
        case.assign(
            department=department,
            urgent=None,
            final=final,
            note=None,
            policy=self.supervision.policy,
            calendar=self.calendar,
            by=OPERATOR,
            at=at,
        )

    def head(self) -> int:
        return self.supervision.recorder.max_notification_id() or 0

    def until(self, events: int) -> int:
        """Record waves of cases until the store holds at least `events` events; answer the
        head."""
        head = self.head()
        while head < events:
            first = self.registered
            wave = [self.new_case(first + i, self.at(first + i)) for i in range(self.wave)]
            self.save(wave)
            for step in range(self.steps):
                for i, case in enumerate(wave):
                    self.take_step(case, first + i, step, self.step_time(first + i, step))
                self.save(wave)
            self.wave_done(wave)
            self.registered += self.wave
            if self.backlog is not None:
                self._settle_aged(wave, self.backlog)
            head = self.head()
        return head

    def _settle_aged(self, wave: list[Case], backlog: int) -> None:
        self._open.extend(case for case in wave if case.is_open)
        aged = []
        while len(self._open) > backlog:
            aged.append(self._open.popleft())
        now = self.at(self.registered)
        for case in aged:
            # A case's steps run for days after it is registered: with a backlog shorter
            # than that, a case ages out before its last step's time.
            self.settle(case, max(now, case.modified_on))
        self.save(aged)

    def save(self, cases: list[Case]) -> None:
        for start in range(0, len(cases), self.per_save):
            self.supervision.save(*cases[start : start + self.per_save])


class RealisticFill(CaseFill):
    """Cases of the demo's kinds, channels, topics and outcomes across all of the directory's
    departments (a few much busier than the rest) and many days, each resting in one of
    every state while it is recent; cases that age out of the backlog are finished and
    closed, so the open work per department stays steady while the store grows.

    Steps: registration and routing; acknowledgement (or a return); a note, a stopped clock
    or an extension request; the result; the callback; closing (and a few reopenings).
    """

    steps = 6
    STEP_HOURS = (2, 20, 50, 70, 90, 110)

    def __init__(self, supervision: Supervision, **options: Any) -> None:
        super().__init__(supervision, **options)
        # Zipf-like: the first departments of the directory take most of the work.
        self.departments = [department.id for department in supervision.list_departments()]
        if not self.departments:
            raise ValueError("a realistic fill needs a directory with departments")
        self.department_weights = [1 / (rank + 1) for rank in range(len(self.departments))]
        self.fates: dict[Any, str] = {}

    def _choose(self, weights: dict[Any, float]) -> Any:
        return self.random.choices(list(weights), weights=list(weights.values()))[0]

    def step_time(self, n: int, step: int) -> datetime:
        return self.at(n) + timedelta(hours=self.STEP_HOURS[step])

    def new_case(self, n: int, at: datetime) -> Case:
        department = self.random.choices(self.departments, weights=self.department_weights)[0]
        kind = self._choose(KIND_MIX)
        category = self._choose(CATEGORY_MIX[kind])
        summary = self.random.choice(SUMMARIES[kind, category])
        anonymous = kind is Kind.REPORT and self.random.random() < ANONYMOUS_REPORT_SHARE
        case = self.register(
            n,
            at,
            department=department,
            kind=kind,
            channel=self._choose(CHANNEL_MIX),
            urgent=kind in URGENT_KINDS and self.random.random() < URGENT_SHARE,
            category=category,
            summary=summary,
            details=f"来电人称{summary}。{self.random.choice(DETAIL_ENDINGS)}",
            complainant=dict(ANONYMOUS)
            if anonymous
            else {
                "name": SURNAMES[n % len(SURNAMES)] + GIVEN_NAMES[n % len(GIVEN_NAMES)],
                "phone": f"139{n % 100_000_000:08d}",
            },
        )
        fate = self._choose(FATES)
        # Praise is forwarded, not handled: the centre closes it once taken.
        self.fates[case.id] = fate if kind is not Kind.PRAISE or fate in PRAISE_FATES else "closed"
        return case

    def take_step(self, case: Case, n: int, step: int, at: datetime) -> None:
        fate = self.fates[case.id]
        if fate == "registered":
            return
        clerk = clerk_of(case)
        if step == 0:
            self.assign(case, case.department or self.departments[0], at)
        elif step == 1 and fate != "assigned":
            if fate == "returned":
                case.return_to_sender(reason=MISROUTED_REASON, by=clerk, at=at)
            else:
                case.acknowledge(by=clerk, at=at)
        elif fate in ("assigned", "returned"):
            return
        elif step == 2:
            # Short deadlines (consultations) may have passed: then only a note.
            in_time = case.deadline is not None and at < case.deadline.due_at
            if fate == "clock_stopped" and in_time:
                case.stop_clock(reason=self.random.choice(CLOCK_STOP_REASONS), by=clerk, at=at)
            elif fate == "extension" and in_time:
                case.request_extension(
                    working_days=5, reason=self.random.choice(EXTENSION_REASONS), by=clerk, at=at
                )
            elif n % 2 == 0:
                case.add_note(text="已联系当事人", public=True, by=clerk, at=at)
        elif fate in ("in_progress", "clock_stopped", "extension"):
            return
        elif step == 3:
            self._answer(case, clerk, at)
        elif step == 4 and fate != "answered" and case.status is Status.ANSWERED:
            self._call_back(case, at)
        elif step == 5 and fate != "answered":
            case.close(by=OPERATOR, at=at)
            if fate == "reopened":
                case.reopen(
                    reason=DISSATISFIED_REASON,
                    policy=self.supervision.policy,
                    calendar=self.calendar,
                    by=OPERATOR,
                    at=at + timedelta(hours=1),
                )

    def wave_done(self, wave: list[Case]) -> None:
        for case in wave:
            del self.fates[case.id]

    def _answer(self, case: Case, clerk: Actor, at: datetime) -> None:
        if case.kind is Kind.PRAISE:
            return
        mix = OUTCOME_MIX.get(case.kind)
        outcome = self._choose(mix) if mix else Outcome.RESOLVED
        actions, answer = ANSWERS[outcome]
        case.post_result(outcome=outcome, actions=actions, answer=answer, by=clerk, at=at)

    def _call_back(self, case: Case, at: datetime) -> None:
        if case.complainant.get("anonymous"):
            return  # no one to call: the centre closes it as answered
        satisfaction = self._choose(SATISFACTION_MIX)
        comment = self.random.choice(CALLBACK_COMMENTS[satisfaction in DISSATISFIED])
        case.record_callback(
            reached=True, satisfaction=satisfaction, comment=comment, by=OPERATOR, at=at
        )

    def settle(self, case: Case, at: datetime) -> None:
        """Route, take, answer, call back and close whatever is left of the case."""
        moments = (at + timedelta(minutes=m) for m in range(0, 600, 5))
        policy = self.supervision.policy
        if case.status in (Status.REGISTERED, Status.RETURNED):
            department = self.random.choice(self.departments)
            self.assign(case, department, next(moments), final=True)
        clerk = clerk_of(case)
        if case.status is Status.ASSIGNED:
            case.acknowledge(by=clerk, at=next(moments))
        if case.clock_stopped:
            case.resume_clock(policy=policy, calendar=self.calendar, by=clerk, at=next(moments))
        if case.pending_extension is not None:
            case.grant_extension(
                policy=policy, calendar=self.calendar, by=INSPECTOR, at=next(moments)
            )
        if case.status is Status.IN_PROGRESS:
            self._answer(case, clerk, next(moments))
        if case.status is Status.ANSWERED:
            self._call_back(case, next(moments))
        case.close(by=OPERATOR, at=next(moments))
