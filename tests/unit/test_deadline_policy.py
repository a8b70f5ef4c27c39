"""The deadline policy of DESIGN §5.1; every expected date is counted by hand on 2026."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import yaml

from domain.calendar import OFFICE_TZ, WorkingCalendar, YearSchedule
from domain.deadlines import (
    Deadline,
    DeadlinePolicy,
    InvalidDeadlineTerm,
    TaskTerms,
    UnknownTaskKind,
)
from infrastructure.calendar_source import (
    deadline_policy_data,
    load_deadline_policy,
)

LIBRARY_VERSION = f"chinesecalendar {version('chinesecalendar')}"
VERSION_2026 = f"2026: {LIBRARY_VERSION}"


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OFFICE_TZ)


def close_of(year: int, month: int, day: int) -> datetime:
    return at(year, month, day, 17, 30)


@pytest.mark.parametrize(
    ("kind", "assigned_at", "acknowledge_by", "handle_by"),
    [
        pytest.param(
            "complaint",
            at(2026, 2, 13, 10),
            close_of(2026, 2, 14),
            # 14 Feb (make-up Sat) is day 1, Spring Festival 15–23 Feb skipped, 24–27 Feb are
            # 2–5, 28 Feb (make-up Sat) is 6, 2–6 Mar are 7–11, 9–12 Mar are 12–15.
            close_of(2026, 3, 12),
            id="complaint on Fri 13 Feb: make-up Saturday, then over Spring Festival",
        ),
        pytest.param(
            "report",
            at(2026, 3, 20, 14),
            close_of(2026, 3, 23),
            # 23–27 Mar are 1–5, 30 Mar–3 Apr are 6–10, Qingming 4–6 Apr skipped,
            # 7–10 Apr are 11–14, 13 Apr is 15.
            close_of(2026, 4, 13),
            id="report on Fri 20 Mar: over Qingming",
        ),
        pytest.param(
            "consultation",
            at(2026, 9, 30, 16),
            close_of(2026, 10, 8),
            close_of(2026, 10, 9),
            id="consultation on Wed 30 Sep: after National Day",
        ),
        pytest.param(
            "suggestion",
            at(2026, 4, 30, 11),
            close_of(2026, 5, 6),
            # Labour Day 1–5 May skipped, 6–8 May are 1–3, 9 May (make-up Sat) is 4,
            # 11–15 May are 5–9, 18 May is 10.
            close_of(2026, 5, 18),
            id="suggestion on Thu 30 Apr: over Labour Day and its make-up Saturday",
        ),
        pytest.param(
            "rectification_order",
            at(2026, 6, 16, 15),
            close_of(2026, 6, 17),
            # 17–18 Jun are 1–2, Dragon Boat 19–21 Jun skipped, 22–26 Jun are 3–7,
            # 29–30 Jun are 8–9, 1 Jul is 10.
            close_of(2026, 7, 1),
            id="rectification order on Tue 16 Jun: over Dragon Boat",
        ),
        pytest.param(
            "request",
            at(2026, 3, 9, 22),
            close_of(2026, 3, 10),
            close_of(2026, 3, 16),
            id="request on Mon 9 Mar after hours: still counted from Tuesday",
        ),
        pytest.param(
            "praise",
            at(2026, 1, 3, 10),
            close_of(2026, 1, 4),
            None,
            id="praise on New Year Sat 3 Jan: make-up Sunday, no handling deadline",
        ),
    ],
)
def test_deadlines_start_the_working_day_after_assignment_and_end_at_close_of_office(
    policy: DeadlinePolicy,
    calendar: WorkingCalendar,
    kind: str,
    assigned_at: datetime,
    acknowledge_by: datetime,
    handle_by: datetime | None,
) -> None:
    acknowledge, handle = deadlines_of(policy, kind, assigned_at, False, calendar)

    assert acknowledge.due_at == acknowledge_by
    assert (acknowledge.policy, acknowledge.unit, acknowledge.amount) == (
        f"{kind}.acknowledge",
        "working_days",
        1,
    )
    assert acknowledge.counted_from == assigned_at
    assert (acknowledge.calendar_version, acknowledge.provisional) == (VERSION_2026, False)
    if handle_by is None:
        assert handle is None
    else:
        assert handle is not None
        assert handle.due_at == handle_by
        assert (handle.policy, handle.unit) == (f"{kind}.handle", "working_days")
        assert (handle.calendar_version, handle.provisional) == (VERSION_2026, False)


def test_the_assignment_day_is_the_office_days_date_not_the_utc_one(
    policy: DeadlinePolicy, calendar: WorkingCalendar
) -> None:
    # 16:30 UTC on Mon 9 Mar is already 00:30 on Tue 10 Mar in Shanghai.
    assigned_at = datetime(2026, 3, 9, 16, 30, tzinfo=UTC)

    deadline = policy.acknowledge_deadline("complaint", assigned_at, False, calendar)

    assert deadline.due_at == close_of(2026, 3, 11)


def test_a_deadline_crossing_into_an_unpublished_year_is_provisional(
    policy: DeadlinePolicy, calendar: WorkingCalendar
) -> None:
    assigned_at = at(2026, 12, 30, 10)

    acknowledge, handle = deadlines_of(policy, "request", assigned_at, False, calendar)

    assert acknowledge.due_at == close_of(2026, 12, 31)
    assert acknowledge.provisional is False
    assert handle is not None
    # 31 Dec is 1, 1 Jan 2027 (fixed-date holiday) and the weekend skipped, 4–7 Jan are 2–5.
    assert handle.due_at == close_of(2027, 1, 7)
    assert handle.provisional is True
    assert handle.calendar_version == f"{VERSION_2026}; 2027: provisional"


def test_an_urgent_case_is_acknowledged_within_two_clock_hours_and_handled_next_working_day(
    policy: DeadlinePolicy, calendar: WorkingCalendar
) -> None:
    assigned_at = at(2026, 2, 13, 16, 45)

    acknowledge, handle = deadlines_of(policy, "complaint", assigned_at, True, calendar)

    assert acknowledge.due_at == at(2026, 2, 13, 18, 45)
    assert (acknowledge.policy, acknowledge.unit, acknowledge.amount) == (
        "urgent.acknowledge",
        "clock_hours",
        2,
    )
    assert acknowledge.provisional is False
    assert handle is not None
    assert handle.due_at == close_of(2026, 2, 14)
    assert (handle.policy, handle.unit, handle.amount) == ("urgent.handle", "working_days", 1)


def test_urgent_clock_hours_run_through_nights_and_holidays(
    policy: DeadlinePolicy, calendar: WorkingCalendar
) -> None:
    assigned_at = at(2026, 9, 30, 23)

    acknowledge, handle = deadlines_of(policy, "request", assigned_at, True, calendar)

    assert acknowledge.due_at == at(2026, 10, 1, 1)
    assert handle is not None
    assert handle.due_at == close_of(2026, 10, 8)


def test_urgent_praise_still_has_no_handling_deadline(
    policy: DeadlinePolicy, calendar: WorkingCalendar
) -> None:
    assert policy.handling_deadline("praise", at(2026, 3, 9, 10), True, calendar) is None


def test_an_inspector_may_give_a_rectification_order_its_own_number_of_working_days(
    policy: DeadlinePolicy, calendar: WorkingCalendar
) -> None:
    deadline = policy.handling_deadline(
        "rectification_order", at(2026, 6, 16, 15), False, calendar, working_days=3
    )

    assert deadline is not None
    # 17–18 Jun are 1–2, Dragon Boat 19–21 Jun skipped, 22 Jun is 3.
    assert deadline.due_at == close_of(2026, 6, 22)
    assert (deadline.policy, deadline.amount) == ("rectification_order.handle", 3)


@pytest.mark.parametrize(
    ("kind", "working_days"),
    [
        pytest.param("rectification_order", 0, id="zero days for an order"),
        pytest.param("praise", 5, id="days for praise, which has no handling deadline"),
    ],
)
def test_a_handling_term_that_cannot_apply_is_refused(
    policy: DeadlinePolicy, calendar: WorkingCalendar, kind: str, working_days: int
) -> None:
    with pytest.raises(InvalidDeadlineTerm):
        policy.handling_deadline(kind, at(2026, 3, 9, 10), False, calendar, working_days)


def test_an_unknown_kind_is_refused_naming_the_known_kinds(
    policy: DeadlinePolicy, calendar: WorkingCalendar
) -> None:
    with pytest.raises(UnknownTaskKind, match=r"petition.*complaint, consultation, praise"):
        policy.acknowledge_deadline("petition", at(2026, 3, 9, 10), False, calendar)


def test_a_naive_assignment_moment_is_refused(
    policy: DeadlinePolicy, calendar: WorkingCalendar
) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        policy.acknowledge_deadline("complaint", datetime(2026, 3, 9, 10), False, calendar)


def test_the_explanation_names_start_rule_days_skipped_and_calendar_version(
    policy: DeadlinePolicy, calendar: WorkingCalendar
) -> None:
    deadline = policy.handling_deadline("complaint", at(2026, 2, 13, 10), False, calendar)

    assert deadline is not None
    assert deadline.explanation == (
        "Complaint handling: 15 working days counted from the working day after assignment at "
        "2026-02-13 (Fri) 10:00 (次日起算), due at the close of office, 17:30 Asia/Shanghai, "
        "on 2026-03-12 (Thu), skipping holiday 2026-02-15 (Sun) to 2026-02-23 (Mon), "
        "weekend 2026-03-01 (Sun), weekend 2026-03-07 (Sat) to 2026-03-08 (Sun), "
        "counting 2 make-up working days 2026-02-14 (Sat), 2026-02-28 (Sat); "
        f"calendar {VERSION_2026}."
    )


def test_an_extension_counts_from_the_day_after_the_previous_due_date(
    policy: DeadlinePolicy, calendar: WorkingCalendar
) -> None:
    original = policy.handling_deadline("consultation", at(2026, 9, 22, 10), False, calendar)
    assert original is not None
    assert original.due_at == close_of(2026, 9, 24)

    extended = policy.extended(original, 5, calendar, granted_at=at(2026, 9, 23, 15))

    # Mid-autumn 25–27 Sep skipped, 28–30 Sep are 1–3, National Day 1–7 Oct skipped,
    # 8–9 Oct are 4–5.
    assert extended.due_at == close_of(2026, 10, 9)
    assert (extended.policy, extended.unit, extended.amount) == ("extension", "working_days", 5)
    assert extended.counted_from == original.due_at
    assert "2026-09-24 (Thu) 17:30" in extended.explanation
    assert "2026-09-23 (Wed) 15:00" in extended.explanation
    assert "holiday 2026-10-01 (Thu) to 2026-10-07 (Wed)" in extended.explanation


def test_an_extension_of_no_days_is_refused(
    policy: DeadlinePolicy, calendar: WorkingCalendar
) -> None:
    original = policy.acknowledge_deadline("complaint", at(2026, 3, 9, 10), False, calendar)

    with pytest.raises(InvalidDeadlineTerm):
        policy.extended(original, 0, calendar, granted_at=at(2026, 3, 9, 11))


@pytest.mark.parametrize(
    ("stopped_at", "resumed_at", "due_before", "due_after"),
    [
        pytest.param(
            at(2026, 3, 2, 14),
            at(2026, 3, 2, 17),
            close_of(2026, 3, 12),
            at(2026, 3, 13, 12),
            id="three office hours on a Monday push a 17:30 deadline to noon next day",
        ),
        pytest.param(
            at(2026, 3, 6, 16),
            at(2026, 3, 9, 10, 30),
            close_of(2026, 3, 12),
            at(2026, 3, 13, 12),
            id="a stop over a weekend adds back only its three office hours",
        ),
        pytest.param(
            at(2026, 9, 23, 9),
            at(2026, 9, 23, 12),
            close_of(2026, 9, 24),
            at(2026, 9, 28, 12),
            id="the added hours land after the Mid-autumn holiday",
        ),
    ],
)
def test_a_stopped_clock_adds_back_the_office_time_it_stood_still(
    policy: DeadlinePolicy,
    calendar: WorkingCalendar,
    stopped_at: datetime,
    resumed_at: datetime,
    due_before: datetime,
    due_after: datetime,
) -> None:
    original = deadline_due(due_before)

    resumed = policy.resumed(original, stopped_at, resumed_at, calendar)

    assert resumed.due_at == due_after
    assert (resumed.policy, resumed.unit, resumed.amount) == ("resumption", "office_seconds", 10800)
    assert resumed.counted_from == due_before
    assert "3 h 00 min" in resumed.explanation


def test_a_clock_stopped_only_outside_office_hours_leaves_the_deadline_as_it_was(
    policy: DeadlinePolicy, calendar: WorkingCalendar
) -> None:
    original = deadline_due(close_of(2026, 3, 12))

    resumed = policy.resumed(original, at(2026, 3, 7, 10), at(2026, 3, 8, 18), calendar)

    assert resumed is original


def test_a_clock_cannot_resume_before_it_stopped(
    policy: DeadlinePolicy, calendar: WorkingCalendar
) -> None:
    original = deadline_due(close_of(2026, 3, 12))

    with pytest.raises(InvalidDeadlineTerm):
        policy.resumed(original, at(2026, 3, 9, 12), at(2026, 3, 9, 10), calendar)


def test_a_provisional_deadline_is_recomputed_on_the_published_year(
    policy: DeadlinePolicy, calendar: WorkingCalendar
) -> None:
    provisional = policy.handling_deadline("request", at(2026, 12, 30, 10), False, calendar)
    assert provisional is not None

    recomputed = policy.recomputed(provisional, with_published_2027(calendar))

    # 31 Dec is 1, 1–4 Jan skipped, 5–8 Jan are 2–5.
    assert recomputed.due_at == close_of(2027, 1, 8)
    assert recomputed.provisional is False
    assert recomputed.calendar_version == f"{VERSION_2026}; 2027: published 2026-11-04"
    assert (recomputed.policy, recomputed.amount, recomputed.counted_from) == (
        provisional.policy,
        provisional.amount,
        provisional.counted_from,
    )
    assert recomputed.explanation.startswith("Recomputed on a newer calendar, request handling")


def test_a_resumed_provisional_deadline_is_recomputed_with_the_same_time_added_back(
    policy: DeadlinePolicy, calendar: WorkingCalendar
) -> None:
    original = deadline_due(close_of(2026, 12, 31))
    resumed = policy.resumed(original, at(2026, 12, 30, 14), at(2026, 12, 30, 17), calendar)
    assert resumed.due_at == at(2027, 1, 4, 12)
    assert resumed.provisional is True

    recomputed = policy.recomputed(resumed, with_published_2027(calendar))

    # 1–4 Jan 2027 are off in the published year, so the three hours fall on Tue 5 Jan.
    assert recomputed.due_at == at(2027, 1, 5, 12)
    assert recomputed.provisional is False


def test_recomputing_deadlines_the_published_year_does_not_touch_returns_them_unchanged(
    policy: DeadlinePolicy, calendar: WorkingCalendar
) -> None:
    within_2026 = policy.acknowledge_deadline("request", at(2026, 12, 30, 10), False, calendar)
    clock_hours = policy.acknowledge_deadline("request", at(2026, 12, 31, 23), True, calendar)
    published = with_published_2027(calendar)

    assert policy.recomputed(within_2026, published) is within_2026
    assert policy.recomputed(clock_hours, published) is clock_hours


def test_a_deadline_survives_a_round_trip_through_primitives(
    policy: DeadlinePolicy, calendar: WorkingCalendar
) -> None:
    deadline = policy.handling_deadline("request", at(2026, 12, 30, 10), False, calendar)
    assert deadline is not None

    stored = deadline.as_dict()

    assert stored["due_at"] == "2027-01-07T17:30:00+08:00"
    assert all(isinstance(value, str | int | bool) for value in stored.values())
    assert Deadline.from_dict(stored) == deadline


def test_a_stored_deadline_missing_a_field_is_refused() -> None:
    stored = deadline_due(close_of(2026, 3, 12)).as_dict()
    del stored["counted_from"]

    with pytest.raises(ValueError, match="counted_from"):
        Deadline.from_dict(stored)


def test_the_shipped_policy_file_holds_the_terms_of_design_5_1() -> None:
    policy = load_deadline_policy()

    assert {
        kind: (terms.acknowledge_working_days, terms.handle_working_days)
        for kind, terms in policy.terms.items()
    } == {
        "consultation": (1, 2),
        "request": (1, 5),
        "suggestion": (1, 10),
        "complaint": (1, 15),
        "report": (1, 15),
        "praise": (1, None),
        "rectification_order": (1, 10),
    }
    assert (policy.urgent_acknowledge_hours, policy.urgent_handle_working_days) == (2, 1)


def test_an_administrator_may_change_a_term_in_the_policy_file(tmp_path: Path) -> None:
    data = valid_policy_data()
    data["kinds"]["complaint"] = {"acknowledge_working_days": 2, "handle_working_days": 20}
    path = tmp_path / "deadline_policy.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")

    policy = load_deadline_policy(path)

    assert policy.terms["complaint"] == TaskTerms(
        acknowledge_working_days=2, handle_working_days=20
    )
    assert policy.terms["report"] == TaskTerms(acknowledge_working_days=1, handle_working_days=15)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(lambda data: data.pop("urgent"), "missing: urgent", id="no urgent section"),
        pytest.param(
            lambda data: data["kinds"].pop("praise"), "missing: praise", id="a kind left out"
        ),
        pytest.param(
            lambda data: data["kinds"].update(complant=data["kinds"]["complaint"]),
            "unknown: complant",
            id="a misspelt kind",
        ),
        pytest.param(
            lambda data: data["kinds"]["complaint"].update(handle_working_days=0),
            "kinds.complaint.handle_working_days must be a whole number of at least 1",
            id="zero days",
        ),
        pytest.param(
            lambda data: data["kinds"]["request"].update(acknowledge_working_days="1"),
            "kinds.request.acknowledge_working_days",
            id="days as text",
        ),
        pytest.param(
            lambda data: data["urgent"].update(acknowledge_hours=True),
            "urgent.acknowledge_hours",
            id="hours as a yes",
        ),
        pytest.param(
            lambda data: data["kinds"]["praise"].pop("handle_working_days"),
            "missing: handle_working_days",
            id="handling days left out rather than null",
        ),
        pytest.param(
            lambda data: data.update(kinds=["complaint"]), "kinds must be a mapping", id="a list"
        ),
    ],
)
def test_a_policy_with_bad_data_is_refused_saying_what_is_wrong(
    change: Callable[[dict[str, Any]], object], message: str
) -> None:
    data = valid_policy_data()
    change(data)

    with pytest.raises(ValueError, match=message):
        DeadlinePolicy.from_mapping(data)


def test_a_policy_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(ValueError, match="the document must be a mapping"):
        DeadlinePolicy.from_mapping(None)  # type: ignore[arg-type]


def deadlines_of(
    policy: DeadlinePolicy,
    kind: str,
    assigned_at: datetime,
    urgent: bool,
    calendar: WorkingCalendar,
) -> tuple[Deadline, Deadline | None]:
    """The acknowledge and handling deadlines of a task of `kind` assigned at `assigned_at`."""
    return (
        policy.acknowledge_deadline(kind, assigned_at, urgent, calendar),
        policy.handling_deadline(kind, assigned_at, urgent, calendar),
    )


def with_published_2027(calendar: WorkingCalendar) -> WorkingCalendar:
    # An illustrative 2027 schedule written by hand: New Year off Fri 1 – Mon 4 Jan.
    return calendar.with_schedule(
        YearSchedule(
            year=2027,
            holidays=frozenset(date(2027, 1, day) for day in (1, 2, 3, 4)),
            makeup_workdays=frozenset([date(2027, 1, 9)]),
            version="published 2026-11-04",
            provisional=False,
        )
    )


def deadline_due(due_at: datetime) -> Deadline:
    return Deadline(
        due_at=due_at,
        policy="complaint.handle",
        unit="working_days",
        amount=15,
        counted_from=due_at - timedelta(days=20),
        calendar_version=VERSION_2026,
        provisional=False,
        explanation="A handling deadline made up for this test.",
    )


def valid_policy_data() -> dict[str, Any]:
    """The shipped policy file, parsed afresh: a test may change it."""
    return deadline_policy_data()
