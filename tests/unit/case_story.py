"""A case's default story for the tests of the Case aggregate: the moments it happens at on
the real 2026 calendar, the 2027 an administrator publishes, a builder that takes a case up to
a point of its lifecycle, and a check that a refused command left the case as it was."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import count
from typing import Any
from uuid import uuid4

import pytest

from application.supervision import Supervision
from domain.actor import Actor
from domain.calendar import OFFICE_TZ, WorkingCalendar, YearSchedule
from domain.case import Case, Channel, Intake, Kind, Outcome, Satisfaction
from domain.deadlines import DeadlinePolicy
from domain.task import Task


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    """A moment in the service centre's time zone."""
    return datetime(year, month, day, hour, minute, tzinfo=OFFICE_TZ)


def close_of(month: int, day: int, year: int = 2026) -> datetime:
    """The close of office on a day: when a deadline of that day ends."""
    return at(month, day, 17, 30, year=year)


# The default story of a case; a test that needs other moments says so.
REGISTERED_AT = at(11, 27, 10, 0)  # Fri
ASSIGNED_AT = at(11, 27, 10, 30)  # Fri: acknowledge by Mon 30 Nov, handle by Fri 18 Dec
ACKNOWLEDGED_AT = at(11, 27, 14, 0)  # Fri
ANSWERED_AT = at(12, 3, 16, 0)  # Thu
CALLED_BACK_AT = at(12, 4, 10, 0)  # Fri
CLOSED_AT = at(12, 4, 11, 0)  # Fri

COMPLAINT_ACKNOWLEDGE_BY = close_of(11, 30)  # 1 working day: Mon 30 Nov
COMPLAINT_DUE = close_of(12, 18)  # 15 working days: 30 Nov–4 Dec, 7–11 Dec, 14–18 Dec

# A 2027 as an administrator might load it: New Year off, and a make-up Saturday.
SOURCE_OF_2027 = "国办发明电〔2026〕9号"
PUBLISHED_2027 = YearSchedule(
    year=2027,
    holidays=frozenset({date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)}),
    makeup_workdays=frozenset({date(2027, 1, 9)}),
    version=f"published ({SOURCE_OF_2027})",
    provisional=False,
)


def publish_2027(supervision: Supervision, admin: Actor) -> Any:
    """An administrator publishes PUBLISHED_2027 through the application."""
    return supervision.publish_calendar_year(
        year=PUBLISHED_2027.year,
        holidays=sorted(PUBLISHED_2027.holidays),
        makeup_workdays=sorted(PUBLISHED_2027.makeup_workdays),
        source=SOURCE_OF_2027,
        by=admin,
    )


ZHANG = {"name": "张三", "phone": "13812345678", "address": "解放路 1 号", "anonymous": False}


@dataclass
class Given:
    """Builds a case up to a point of its lifecycle, its events already collected."""

    operator: Actor
    inspector: Actor
    department: Actor
    other_department: Actor
    policy: DeadlinePolicy
    calendar: WorkingCalendar
    numbers: Iterator[int] = field(default_factory=lambda: count(1))

    def registered(
        self,
        kind: Kind = Kind.COMPLAINT,
        *,
        urgent: bool = False,
        summary: str = "窗口人员态度生硬",
        complainant: dict[str, Any] | None = None,
        collect: bool = True,
    ) -> Case:
        intake = Intake(
            kind=kind,
            channel=Channel.HOTLINE,
            department=self.department.department,
            window="W-A01",
            staff="S0001",
            category="service_attitude",
            urgent=urgent,
            summary=summary,
            details="办理抵押登记时被要求重复提交材料",
            complainant=dict(ZHANG) if complainant is None else complainant,
        )
        case = Case.register(
            intake,
            case_id=uuid4(),
            tracking_number=f"HL20261127-{next(self.numbers):04d}",
            access_code_hash="scrypt$not-a-real-hash",
            by=self.operator,
            at=REGISTERED_AT,
        )
        if collect:
            case.collect_events()
        return case

    def assign(
        self,
        case: Case,
        *,
        when: datetime = ASSIGNED_AT,
        department: str | None = None,
        urgent: bool | None = None,
        final: bool = False,
        note: str | None = None,
    ) -> None:
        case.assign(
            department=department or str(self.department.department),
            urgent=urgent,
            final=final,
            note=note,
            policy=self.policy,
            calendar=self.calendar,
            by=self.operator,
            at=when,
        )

    def assigned(
        self, kind: Kind = Kind.COMPLAINT, *, urgent: bool = False, final: bool = False
    ) -> Case:
        case = self.registered(kind, urgent=urgent)
        self.assign(case, final=final)
        case.collect_events()
        return case

    def acknowledged(
        self, kind: Kind = Kind.COMPLAINT, *, urgent: bool = False, final: bool = False
    ) -> Case:
        case = self.assigned(kind, urgent=urgent, final=final)
        case.acknowledge(by=self.department, at=ACKNOWLEDGED_AT)
        case.collect_events()
        return case

    def post_result(
        self,
        case: Case,
        when: datetime = ANSWERED_AT,
        *,
        answer: str = "经核实情况属实，已整改",
        by: Actor | None = None,
    ) -> None:
        """The department (or `by`) posts its finding that the complaint was substantiated."""
        case.post_result(
            outcome=Outcome.SUBSTANTIATED,
            actions="已对窗口人员批评教育",
            answer=answer,
            by=by or self.department,
            at=when,
        )

    def answered(self, kind: Kind = Kind.COMPLAINT, *, urgent: bool = False) -> Case:
        case = self.acknowledged(kind, urgent=urgent)
        self.post_result(case)
        case.collect_events()
        return case

    def call_back(
        self,
        case: Case,
        satisfaction: Satisfaction = Satisfaction.SATISFIED,
        when: datetime = CALLED_BACK_AT,
    ) -> None:
        """The operator reaches the complainant, who tells their satisfaction."""
        case.record_callback(
            reached=True, satisfaction=satisfaction, comment=None, by=self.operator, at=when
        )

    def closed(self, *, when: datetime = CLOSED_AT) -> Case:
        case = self.answered()
        self.call_back(case)
        case.close(by=self.operator, at=when)
        case.collect_events()
        return case

    def reopen(self, case: Case, when: datetime) -> None:
        case.reopen(
            reason="投诉人对答复不满意",
            policy=self.policy,
            calendar=self.calendar,
            by=self.operator,
            at=when,
        )

    def stop_clock(self, case: Case, when: datetime) -> None:
        case.stop_clock(reason="等待申请人补充材料", by=self.department, at=when)

    def resume_clock(self, case: Case, when: datetime) -> None:
        case.resume_clock(policy=self.policy, calendar=self.calendar, by=self.department, at=when)

    def request_extension(self, case: Case, working_days: int, when: datetime) -> None:
        case.request_extension(
            working_days=working_days, reason="需要现场勘查", by=self.department, at=when
        )


def recorded(task: Task) -> list[str]:
    """The names of the events the case or order recorded since its events were last
    collected."""
    return [type(event).__name__ for event in task.pending_events]


def _state(task: Task) -> tuple[list[int], dict[str, Any]]:
    pending = [id(event) for event in task.pending_events]
    rest = {name: value for name, value in vars(task).items() if name != "_pending_events"}
    return pending, copy.deepcopy(rest)


@contextmanager
def refused(error: type[Exception], *tasks: Task) -> Iterator[pytest.ExceptionInfo[Any]]:
    """Expect `error`, and that the cases or orders neither recorded an event nor changed at
    all."""
    before = [_state(task) for task in tasks]
    with pytest.raises(error) as info:
        yield info
    assert [_state(task) for task in tasks] == before
