"""The case page's reading of the past (`case_file_as_of`, §14): the case as it stood at a
version, its timeline up to then, the time then left, and nothing to do, read by today's rules.

The clock starts on Friday 27 November 2026, 10:00; a complaint assigned then must be
acknowledged by Monday 30 November 17:30.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from application.supervision import Supervision
from domain.actor import Actor
from domain.calendar import OFFICE_TZ
from domain.case import CaseNotFound, NotAssignedDepartment
from domain.personal_data import ERASED_TEXT
from tests.factories import assigned_case
from tests.support import SettableTimeSource

# Registered (version 1) and assigned (version 2) at 10:00 on Friday 27 November.
ASSIGNED = 2
# Monday 30 November, 12:00: five and a half office hours before the acknowledge deadline.
MONDAY_NOON = datetime(2026, 11, 30, 12, 0, tzinfo=OFFICE_TZ)
# Tuesday 1 December, 10:00: one office hour past it (09:00 to 10:00).
TUESDAY_TEN = datetime(2026, 12, 1, 10, 0, tzinfo=OFFICE_TZ)


def test_the_case_as_it_stood_has_its_status_then_its_timeline_up_to_then_and_no_action(
    supervision: Supervision,
    time_source: SettableTimeSource,
    operator: Actor,
    department_actor: Actor,
) -> None:
    case_id = assigned_case(supervision, operator)
    time_source.set(TUESDAY_TEN)
    supervision.acknowledge_case(case_id, department_actor)

    then = supervision.case_file_as_of(case_id, department_actor, ASSIGNED, MONDAY_NOON)

    assert then.case.status == "assigned"
    assert [step.event for step in then.timeline] == ["Case.Registered", "Case.Assigned"]
    assert then.actions == ()
    assert supervision.case_file(case_id, department_actor).actions != ()


def test_the_time_left_is_counted_at_the_instant_asked_for_not_now(
    supervision: Supervision, time_source: SettableTimeSource, operator: Actor
) -> None:
    case_id = assigned_case(supervision, operator)
    time_source.set(datetime(2026, 12, 10, 10, 0, tzinfo=OFFICE_TZ))

    before = supervision.case_file_as_of(case_id, operator, ASSIGNED, MONDAY_NOON)
    overdue = supervision.case_file_as_of(case_id, operator, ASSIGNED, TUESDAY_TEN)

    assert before.acknowledge_seconds_left == 5.5 * 3600
    assert overdue.acknowledge_seconds_left == -3600


def test_a_case_not_yet_registered_is_not_found_and_another_departments_case_is_refused(
    supervision: Supervision, operator: Actor, other_department_actor: Actor
) -> None:
    case_id = assigned_case(supervision, operator)

    with pytest.raises(CaseNotFound):
        supervision.case_file_as_of(case_id, operator, None, MONDAY_NOON)
    with pytest.raises(NotAssignedDepartment):
        supervision.case_file_as_of(case_id, other_department_actor, ASSIGNED, MONDAY_NOON)


def test_personal_data_erased_since_reads_as_erased_in_the_past_too(
    supervision: Supervision, operator: Actor, inspector: Actor
) -> None:
    case_id = assigned_case(supervision, operator)
    supervision.erase_personal_data(case_id, reason="本人申请删除", by=inspector)

    then = supervision.case_file_as_of(case_id, inspector, ASSIGNED, MONDAY_NOON)

    assert then.case.summary == ERASED_TEXT
    assert [step.event for step in then.timeline] == ["Case.Registered", "Case.Assigned"]
