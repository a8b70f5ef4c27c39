"""Which actions a person may take on a case in each state (§3, §5): one rule, asked by the
case page, answered by the same checks each command makes before it records anything."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from domain.actor import Actor
from domain.case import CASE_ACTION_ROLES, Case, CaseAction, Kind
from tests.unit.actors import ADMIN
from tests.unit.test_case import (
    ACKNOWLEDGED_AT,
    CLOSED_AT,
    Given,
    at,
)

A = CaseAction
SOON_AFTER_ASSIGNMENT = at(11, 27, 11, 0)
AFTER_THE_ACKNOWLEDGE_DEADLINE = at(12, 1, 9, 0)
DURING_HANDLING = at(12, 1, 9, 0)
AFTER_ANSWER = at(12, 3, 17, 0)
AFTER_CLOSING = at(12, 5, 10, 0)


def _registered(given: Given) -> Case:
    return given.registered()


def _assigned(given: Given) -> Case:
    return given.assigned()


def _acknowledged(given: Given) -> Case:
    return given.acknowledged()


def _clock_stopped(given: Given) -> Case:
    case = given.acknowledged()
    given.stop_clock(case, at(11, 30, 9, 0))
    return case


def _extension_requested(given: Given) -> Case:
    case = given.acknowledged()
    given.request_extension(case, 5, at(11, 30, 9, 0))
    return case


def _answered(given: Given) -> Case:
    return given.answered()


def _closed(given: Given) -> Case:
    return given.closed()


def _praise_taken(given: Given) -> Case:
    return given.acknowledged(Kind.PRAISE)


def _merged(given: Given) -> Case:
    first, duplicate = given.registered(), given.registered()
    duplicate.merge_into(first, by=given.operator, at=ACKNOWLEDGED_AT)
    return duplicate


Build = Callable[[Given], Case]
# (state, how to get there, when to ask, {role: actions offered}); `department` is the
# assigned department, `other` any other department.
TABLE: list[tuple[str, Build, datetime, dict[str, set[CaseAction]]]] = [
    (
        "registered",
        _registered,
        SOON_AFTER_ASSIGNMENT,
        {"operator": {A.ASSIGN, A.MERGE}, "inspector": {A.ASSIGN, A.MERGE}},
    ),
    (
        "assigned",
        _assigned,
        SOON_AFTER_ASSIGNMENT,
        {
            "operator": {A.ASSIGN, A.MERGE, A.REMIND},
            "inspector": {A.ASSIGN, A.MERGE, A.REMIND},
            "department": {A.ACKNOWLEDGE, A.RETURN},
        },
    ),
    (
        "assigned and not acknowledged in time",
        _assigned,
        AFTER_THE_ACKNOWLEDGE_DEADLINE,
        {
            "operator": {A.ASSIGN, A.MERGE, A.REMIND},
            "inspector": {A.ASSIGN, A.SUPERVISE, A.MERGE, A.REMIND},
            "department": {A.ACKNOWLEDGE, A.RETURN},
        },
    ),
    (
        "in progress",
        _acknowledged,
        DURING_HANDLING,
        {
            "operator": {A.MERGE, A.REMIND},
            "inspector": {A.MERGE, A.REMIND},
            "department": {A.RETURN, A.STOP_CLOCK, A.REQUEST_EXTENSION, A.POST_RESULT},
        },
    ),
    (
        "in progress with the clock stopped",
        _clock_stopped,
        DURING_HANDLING,
        {
            "operator": {A.MERGE, A.REMIND},
            "inspector": {A.MERGE, A.REMIND},
            "department": {A.RETURN, A.RESUME_CLOCK, A.REQUEST_EXTENSION, A.POST_RESULT},
        },
    ),
    (
        "in progress with an extension asked",
        _extension_requested,
        DURING_HANDLING,
        {
            "operator": {A.MERGE, A.REMIND},
            "inspector": {A.GRANT_EXTENSION, A.REFUSE_EXTENSION, A.MERGE, A.REMIND},
            "department": {A.RETURN, A.STOP_CLOCK, A.POST_RESULT},
        },
    ),
    (
        "answered",
        _answered,
        AFTER_ANSWER,
        {
            "operator": {A.CALLBACK, A.CLOSE, A.REOPEN, A.MERGE},
            "inspector": {A.CALLBACK, A.CLOSE, A.REOPEN, A.MERGE},
        },
    ),
    (
        "closed",
        _closed,
        AFTER_CLOSING,
        {"operator": {A.REOPEN}, "inspector": {A.REOPEN}},
    ),
    (
        "praise acknowledged",
        _praise_taken,
        DURING_HANDLING,
        {
            "operator": {A.CLOSE, A.MERGE, A.REMIND},
            "inspector": {A.CLOSE, A.MERGE, A.REMIND},
            "department": {A.RETURN, A.POST_RESULT},
        },
    ),
    ("merged", _merged, AFTER_ANSWER, {}),
]
PEOPLE = ("operator", "inspector", "department", "other", "admin")


def _person(given: Given, who: str) -> Actor:
    return {
        "operator": given.operator,
        "inspector": given.inspector,
        "department": given.department,
        "other": given.other_department,
        "admin": ADMIN,
    }[who]


@pytest.mark.parametrize(
    ("state", "build", "when", "offered"), TABLE, ids=[row[0] for row in TABLE]
)
@pytest.mark.parametrize("who", PEOPLE)
def test_each_role_is_offered_exactly_the_actions_its_role_and_the_state_allow(
    given: Given,
    state: str,
    build: Build,
    when: datetime,
    offered: dict[str, set[CaseAction]],
    who: str,
) -> None:
    case = build(given)

    actions = case.actions_open_to(_person(given, who), when)

    assert set(actions) == offered.get(who, set()), state


def test_the_actions_come_in_the_order_the_page_shows_them(given: Given) -> None:
    case = given.answered()

    assert case.actions_open_to(given.operator, AFTER_ANSWER) == (
        A.CALLBACK,
        A.CLOSE,
        A.REOPEN,
        A.MERGE,
    )


def test_asking_which_actions_are_open_records_nothing_and_changes_nothing(given: Given) -> None:
    case = given.acknowledged()
    before = (case.version, case.status, case.deadline, list(case.pending_events))

    case.actions_open_to(given.department, DURING_HANDLING)

    assert (case.version, case.status, case.deadline, list(case.pending_events)) == before


def test_an_offered_action_is_one_the_command_then_accepts(given: Given) -> None:
    case = given.acknowledged()
    assert A.STOP_CLOCK in case.actions_open_to(given.department, DURING_HANDLING)

    case.stop_clock(reason="等待补充材料", by=given.department, at=DURING_HANDLING)

    assert case.clock_stopped


def test_an_extension_is_no_longer_offered_once_the_deadline_has_passed(given: Given) -> None:
    case = given.acknowledged()
    after_deadline = at(12, 21, 9, 0)

    actions = case.actions_open_to(given.department, after_deadline)

    assert A.REQUEST_EXTENSION not in actions
    assert A.STOP_CLOCK not in actions
    assert A.POST_RESULT in actions


def test_a_case_reopened_twice_offers_no_third_reopening(given: Given) -> None:
    case = given.answered()
    for when in (at(12, 4, 9, 0), at(12, 8, 9, 0)):
        given.reopen(case, when)
        given.post_result(case, when)

    assert A.REOPEN not in case.actions_open_to(given.operator, at(12, 9, 9, 0))


def test_a_case_closed_more_than_thirty_days_ago_offers_no_reopening(given: Given) -> None:
    case = given.closed(when=CLOSED_AT)

    assert A.REOPEN in case.actions_open_to(given.operator, at(12, 31, 9, 0))
    assert A.REOPEN not in case.actions_open_to(given.operator, at(1, 5, 9, 0, year=2027))


def test_every_action_names_the_roles_that_may_take_it() -> None:
    assert set(CASE_ACTION_ROLES) == set(CaseAction)
    assert all(CASE_ACTION_ROLES[action] for action in CaseAction)
