"""GET /metrics/departments judges each department on its own part of a case: every
assignment counts for the department that held the case, not only the last one.

The clock starts on Friday 27 November 2026, 10:00; a complaint assigned then must be
acknowledged by Monday 30 November 17:30 and answered by Friday 18 December 17:30.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.e2e.conftest import PERIOD, RETURN, Tokens, department_metrics
from tests.factories import (
    OTHER_DEPARTMENT,
    SAMPLE_DEPARTMENT,
    assigned_through_api,
    posted,
)
from tests.support import SettableTimeSource


def reassign(client: TestClient, tokens: Tokens, case_id: str, department: str) -> None:
    posted(client, f"/cases/{case_id}/assign", tokens.operator, {"department": department})


def test_a_missed_acknowledgement_stays_with_the_department_after_the_case_moves_on(
    client: TestClient, tokens: Tokens, time_source: SettableTimeSource, catch_up: Any
) -> None:
    # given: the deeds office lets the acknowledge deadline pass, then returns the case
    case = assigned_through_api(client, tokens.operator)
    time_source.advance(days=4)  # Tuesday 1 December, 10:00
    posted(client, f"/cases/{case['id']}/return", tokens.department, RETURN)
    # and taxation, given it next, acknowledges and answers on time; the complainant is happy
    reassign(client, tokens, case["id"], OTHER_DEPARTMENT)
    time_source.advance(minutes=30)
    posted(client, f"/cases/{case['id']}/acknowledge", tokens.other_department)
    posted(
        client,
        f"/cases/{case['id']}/result",
        tokens.other_department,
        {"outcome": "resolved", "actions": "已处理", "answer": "已办结"},
    )
    posted(
        client,
        f"/cases/{case['id']}/callback",
        tokens.operator,
        {"reached": True, "satisfaction": "satisfied"},
    )
    catch_up()

    # when
    deeds = department_metrics(client, tokens.inspector, SAMPLE_DEPARTMENT, **PERIOD)
    taxation = department_metrics(client, tokens.inspector, OTHER_DEPARTMENT, **PERIOD)

    # then: the deeds office owes its missed acknowledgement, and nothing else
    assert deeds["assigned"] == 1
    assert (deeds["open"], deeds["answered"], deeds["overdue"]) == (0, 0, 0)
    assert (deeds["acknowledged_on_time"], deeds["acknowledge_judged"]) == (0, 1)
    assert deeds["acknowledged_on_time_rate"] == 0.0
    assert deeds["completion_judged"] == 0
    assert deeds["completed_on_time_rate"] is None
    assert deeds["satisfied_rate"] is None
    # and taxation is judged on its own on-time work
    assert taxation["assigned"] == 1
    assert (taxation["open"], taxation["answered"], taxation["overdue"]) == (0, 1, 0)
    assert taxation["acknowledged_on_time_rate"] == 1.0
    assert (taxation["completed_on_time"], taxation["completion_judged"]) == (1, 1)
    assert taxation["completed_on_time_rate"] == 1.0
    assert (taxation["satisfied"], taxation["called_back"]) == (1, 1)


def test_each_department_owes_only_what_fell_due_while_it_held_the_case(
    client: TestClient, tokens: Tokens, time_source: SettableTimeSource, catch_up: Any
) -> None:
    # given: the deeds office returns one case at once, before its acknowledge deadline
    prompt = assigned_through_api(client, tokens.operator)
    time_source.advance(hours=1)
    posted(client, f"/cases/{prompt['id']}/return", tokens.department, RETURN)
    # and acknowledges another on time, but returns it only after its handling deadline
    late = assigned_through_api(client, tokens.operator)
    posted(client, f"/cases/{late['id']}/acknowledge", tokens.department)
    time_source.set(time_source.now().replace(month=12, day=21))  # Monday 21 December, 11:00
    posted(client, f"/cases/{late['id']}/return", tokens.department, RETURN)
    # and taxation, given both, has acknowledged neither two days later
    reassign(client, tokens, prompt["id"], OTHER_DEPARTMENT)
    reassign(client, tokens, late["id"], OTHER_DEPARTMENT)
    time_source.advance(days=2)  # Wednesday 23 December: acknowledgement was due on the 22nd
    catch_up()

    # when
    deeds = department_metrics(client, tokens.inspector, SAMPLE_DEPARTMENT, **PERIOD)
    taxation = department_metrics(client, tokens.inspector, OTHER_DEPARTMENT, **PERIOD)

    # then: the prompt return is not judged; the late one owes its handling, not its
    # acknowledgement
    assert (deeds["assigned"], deeds["open"], deeds["overdue"]) == (2, 0, 0)
    assert (deeds["acknowledged_on_time"], deeds["acknowledge_judged"]) == (1, 1)
    assert (deeds["completed_on_time"], deeds["completion_judged"]) == (0, 1)
    assert deeds["completed_on_time_rate"] == 0.0
    # and taxation holds both, overdue on its own acknowledgement
    assert (taxation["assigned"], taxation["open"], taxation["overdue"]) == (2, 2, 2)
    assert (taxation["acknowledged_on_time"], taxation["acknowledge_judged"]) == (0, 2)
    assert taxation["completion_judged"] == 0


def test_a_case_reassigned_by_the_centre_after_the_deadline_is_a_miss_for_the_first_holder(
    client: TestClient, tokens: Tokens, time_source: SettableTimeSource, catch_up: Any
) -> None:
    # given: one case moved to taxation before its acknowledge deadline, one after it
    early = assigned_through_api(client, tokens.operator)
    time_source.advance(hours=2)
    reassign(client, tokens, early["id"], OTHER_DEPARTMENT)
    late = assigned_through_api(client, tokens.operator)
    time_source.advance(days=4)  # Tuesday 1 December, 12:00
    reassign(client, tokens, late["id"], OTHER_DEPARTMENT)
    catch_up()

    # when
    deeds = department_metrics(client, tokens.inspector, SAMPLE_DEPARTMENT, **PERIOD)

    # then
    assert (deeds["assigned"], deeds["open"]) == (2, 0)
    assert (deeds["acknowledged_on_time"], deeds["acknowledge_judged"]) == (0, 1)
