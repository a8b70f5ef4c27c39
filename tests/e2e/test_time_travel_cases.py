"""A case, the case list, the boards and the metrics as the record stood at an instant (§14):
what had been recorded by then, time left and overdue counted at that instant, read by
today's rules.

The clock starts on Friday 27 November 2026, 10:00; a complaint assigned then must be
acknowledged by Monday 30 November 17:30 (Fri 7.5 h + Mon 8.5 h of office time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import Mapper
from fastapi.testclient import TestClient

from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from domain.case import Case, Intake
from domain.personal_data import ERASED_TEXT
from infrastructure.audit_projection import AuditEventsRunner
from interfaces.bootstrap import Container
from interfaces.http.app import create_app
from tests.e2e.conftest import (
    PERIOD,
    RETURN,
    Tokens,
    error_of,
    get,
    refusal_of,
    then_an_hour_before_now,
)
from tests.factories import (
    API,
    OTHER_DEPARTMENT,
    SAMPLE_DEPARTMENT,
    SAMPLE_SUPERIOR,
    SAMPLE_WINDOW,
    a_complaint,
    assigned_through_api,
    bearer,
    escalated_case,
    issued_token,
    posted,
    rated,
    registered_through_api,
)
from tests.support import START, SettableTimeSource

# Monday 30 November, 12:00: five and a half office hours before the acknowledge deadline.
MONDAY_NOON = datetime(2026, 11, 30, 12, 0, tzinfo=OFFICE_TZ)
# Tuesday 1 December, 10:00: one office hour past it (09:00 to 10:00).
TUESDAY_TEN = datetime(2026, 12, 1, 10, 0, tzinfo=OFFICE_TZ)
TO_THE_DEEDS_OFFICE = {"department": SAMPLE_DEPARTMENT}
ERASURE = {"reason": "投诉人申请删除个人信息"}


@dataclass(frozen=True)
class PastRead:
    """A route that answers as of an instant (`route`, as the OpenAPI names it), one request
    of it (`path` and `params`) and the role of the token that reads it."""

    route: str
    path: str
    role: str
    params: dict[str, str] = field(default_factory=dict)


PAST_READS = [
    PastRead("/cases", "/cases", "operator"),
    PastRead("/cases/{case_id}", f"/cases/{uuid4()}", "operator"),
    PastRead(
        "/departments/{department_id}/board",
        f"/departments/{SAMPLE_DEPARTMENT}/board",
        "department",
    ),
    PastRead("/metrics/departments", "/metrics/departments", "inspector", PERIOD),
    PastRead("/metrics/windows", "/metrics/windows", "inspector", PERIOD),
]


def refusals(client: TestClient, tokens: Tokens, as_of: str) -> dict[str, tuple[int, str]]:
    """How each past read refuses `as_of`, by route."""
    return {
        read.route: refusal_of(
            client, read.path, getattr(tokens, read.role), **read.params, as_of=as_of
        )
        for read in PAST_READS
    }


def on_every_past_read(refusal: tuple[int, str]) -> dict[str, tuple[int, str]]:
    return {read.route: refusal for read in PAST_READS}


def board_of(client: TestClient, headers: dict[str, str], department: str, **params: Any) -> Any:
    return get(client, f"/departments/{department}/board", headers, **params)


def ids_of(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def metrics_of(answer: dict[str, Any], key: str, subject: str) -> dict[str, Any]:
    return next(item for item in answer["items"] if item[key] == subject)


def returned_an_hour_after_then(
    client: TestClient, tokens: Tokens, time_source: SettableTimeSource
) -> tuple[dict[str, Any], datetime]:
    """A case the deeds office held at `then`, an hour into the tests' clock, and returned to
    the operator an hour later; the case and `then`."""
    case = assigned_through_api(client, tokens.operator)
    then = then_an_hour_before_now(time_source)
    posted(client, f"/cases/{case['id']}/return", tokens.department, RETURN)
    return case, then


def test_a_case_reassigned_after_an_instant_is_on_the_old_departments_board_as_of_then(
    client: TestClient, tokens: Tokens, time_source: SettableTimeSource, catch_up: Any
) -> None:
    # given: the deeds office holds the case at `then`, and returns it an hour later
    case, then = returned_an_hour_after_then(client, tokens, time_source)
    # and taxation is given it
    posted(client, f"/cases/{case['id']}/assign", tokens.operator, {"department": OTHER_DEPARTMENT})
    catch_up()

    # when
    deeds_then = board_of(client, tokens.operator, SAMPLE_DEPARTMENT, as_of=then.isoformat())
    taxation_then = board_of(client, tokens.operator, OTHER_DEPARTMENT, as_of=then.isoformat())
    deeds_now = board_of(client, tokens.operator, SAMPLE_DEPARTMENT)
    taxation_now = board_of(client, tokens.operator, OTHER_DEPARTMENT)

    # then: as of then the case is the deeds office's, and the answers say when they stand
    assert ids_of(deeds_then["items"]) == [case["id"]]
    assert taxation_then["items"] == []
    assert datetime.fromisoformat(deeds_then["as_of"]) == then
    assert deeds_then["caught_up"] is True
    # and now it is taxation's, the present answered as it always was
    assert deeds_now["items"] == []
    assert ids_of(taxation_now["items"]) == [case["id"]]
    assert deeds_now["as_of"] is None


def test_a_department_reads_its_own_past_board_and_the_case_list_as_it_then_stood(
    client: TestClient, tokens: Tokens, time_source: SettableTimeSource, catch_up: Any
) -> None:
    case, then = returned_an_hour_after_then(client, tokens, time_source)
    catch_up()

    board = board_of(client, tokens.department, SAMPLE_DEPARTMENT, as_of=then.isoformat())
    listed = get(client, "/cases", tokens.department, as_of=then.isoformat())
    listed_now = get(client, "/cases", tokens.department)

    assert ids_of(board["items"]) == [case["id"]]
    assert [(i["id"], i["status"]) for i in listed["items"]] == [(case["id"], "assigned")]
    assert listed_now["items"] == []


def test_a_missed_deadline_recorded_later_is_not_overdue_as_of_before_its_moment(
    client: TestClient, tokens: Tokens, time_source: SettableTimeSource, catch_up: Any
) -> None:
    # given: the deeds office lets the acknowledge deadline pass; the worker records the miss
    case = assigned_through_api(client, tokens.operator)
    catch_up()
    time_source.set(TUESDAY_TEN)
    catch_up()
    catch_up()
    history = get(client, f"/cases/{case['id']}/history", tokens.inspector)
    assert "AcknowledgeDeadlineMissed" in [e["type"] for e in history["items"]]

    # when
    monday = board_of(client, tokens.operator, SAMPLE_DEPARTMENT, as_of=MONDAY_NOON.isoformat())
    tuesday = board_of(client, tokens.operator, SAMPLE_DEPARTMENT)
    overdue_monday = get(client, "/cases", tokens.inspector, overdue=True, as_of="2026-11-29")
    overdue_now = get(client, "/cases", tokens.inspector, overdue=True)

    # then: on Monday at noon the case had five and a half office hours left
    [item] = monday["items"]
    assert item["overdue"] is False
    assert item["working_seconds_left"] == 5 * 3600 + 30 * 60
    # and now it is an office hour late
    [item] = tuesday["items"]
    assert item["overdue"] is True
    assert item["working_seconds_left"] == -3600
    # and the list, as of the end of Sunday 29 November, had nothing overdue
    assert overdue_monday["items"] == []
    assert ids_of(overdue_now["items"]) == [case["id"]]


def test_a_case_read_as_of_an_instant_shows_its_status_then(
    client: TestClient, tokens: Tokens, time_source: SettableTimeSource, catch_up: Any
) -> None:
    # given: a case registered at 10:30, and assigned at 11:30
    time_source.advance(minutes=30)
    case = registered_through_api(client, tokens.operator)
    then = time_source.advance(minutes=30)
    time_source.advance(minutes=30)
    posted(client, f"/cases/{case['id']}/assign", tokens.operator, TO_THE_DEEDS_OFFICE)
    catch_up()

    # when
    registered = get(client, f"/cases/{case['id']}", tokens.operator, as_of=then.isoformat())
    assigned = get(client, f"/cases/{case['id']}", tokens.operator)

    # then
    assert (registered["status"], registered["assigned_department"]) == ("registered", None)
    assert datetime.fromisoformat(registered["as_of"]) == then
    assert registered["summary"] == case["summary"]
    assert (assigned["status"], assigned["assigned_department"]) == ("assigned", SAMPLE_DEPARTMENT)
    assert assigned["as_of"] is None


def test_a_case_asked_for_as_of_before_it_was_registered_is_not_found(
    client: TestClient, tokens: Tokens, time_source: SettableTimeSource, catch_up: Any
) -> None:
    time_source.advance(hours=1)
    case = registered_through_api(client, tokens.operator)
    catch_up()

    path = f"/cases/{case['id']}"
    before = refusal_of(
        client, path, tokens.operator, as_of=(START + timedelta(minutes=30)).isoformat()
    )
    long_before = refusal_of(client, path, tokens.operator, as_of="2020-01-01")

    assert before == long_before == (404, "case_not_found")


def test_the_case_list_as_of_before_the_first_event_is_empty(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    registered_through_api(client, tokens.operator)
    catch_up()

    listed = get(client, "/cases", tokens.operator, as_of="2020-01-01")

    assert listed["items"] == []
    assert listed["position"] == 0
    assert datetime.fromisoformat(listed["as_of"]).date().isoformat() == "2020-01-01"


def test_a_department_reads_a_case_as_it_stood_while_assigned_to_it_and_no_other(
    client: TestClient, tokens: Tokens, time_source: SettableTimeSource, catch_up: Any
) -> None:
    # given: the deeds office held the case at `then`, and returned it since
    case, then = returned_an_hour_after_then(client, tokens, time_source)
    catch_up()
    path = f"{API}/cases/{case['id']}"

    # when
    own_then = client.get(path, params={"as_of": then.isoformat()}, headers=tokens.department)
    own_now = client.get(path, headers=tokens.department)
    other_then = client.get(
        path, params={"as_of": then.isoformat()}, headers=tokens.other_department
    )

    # then: the rules of today, applied to the case as it then stood
    assert own_then.status_code == 200, own_then.text
    assert own_then.json()["status"] == "assigned"
    assert error_of(own_now) == (403, "not_assigned_department")
    assert error_of(other_then) == (403, "not_assigned_department")


def registered_in_plain_text(client: TestClient, tokens: Tokens, container: Container) -> str:
    """A complaint whose registration was stored with its personal data in plain text, as
    events were before sealing existed."""
    supervision = container.supervision
    case = Case.register(
        Intake(
            **a_complaint(
                summary="王芳反映窗口态度生硬",
                complainant={"name": "王芳", "phone": "13812345678", "anonymous": False},
            )
        ),
        case_id=uuid4(),
        tracking_number="HL20261127-9001",
        access_code_hash="hmac-sha256$x$y",
        by=Actor("operator-1", Role.OPERATOR),
        at=supervision.time_source.now(),
    )
    plain = Mapper(transcoder=supervision.mapper.transcoder)  # the mapper of before
    supervision.recorder.insert_events([plain.to_stored_event(e) for e in case.collect_events()])
    return str(case.id)


def registered_sealed(client: TestClient, tokens: Tokens, _: Container) -> str:
    return str(registered_through_api(client, tokens.operator)["id"])


@pytest.mark.parametrize(
    "registered", [registered_sealed, registered_in_plain_text], ids=["sealed", "plain_text"]
)
def test_a_case_whose_personal_data_was_erased_since_reads_as_erased_as_of_before(
    client: TestClient,
    tokens: Tokens,
    container: Container,
    time_source: SettableTimeSource,
    catch_up: Any,
    registered: Callable[[TestClient, Tokens, Container], str],
) -> None:
    case_id = registered(client, tokens, container)
    then = then_an_hour_before_now(time_source)
    posted(client, f"/cases/{case_id}/erase-personal-data", tokens.inspector, ERASURE)
    catch_up()

    past = get(client, f"/cases/{case_id}", tokens.inspector, as_of=then.isoformat())
    present = get(client, f"/cases/{case_id}", tokens.inspector)

    assert past["complainant"] == present["complainant"] == {"erased": True}
    assert (past["summary"], past["details"]) == (ERASED_TEXT, ERASED_TEXT)
    assert (present["summary"], present["details"]) == (ERASED_TEXT, ERASED_TEXT)
    assert past["status"] == "registered"


def test_a_department_cannot_read_another_departments_past_board(
    client: TestClient, tokens: Tokens, time_source: SettableTimeSource, catch_up: Any
) -> None:
    assigned_through_api(client, tokens.operator, department=OTHER_DEPARTMENT)
    catch_up()

    refusal = refusal_of(
        client,
        f"/departments/{OTHER_DEPARTMENT}/board",
        tokens.department,
        as_of=time_source.now().isoformat(),
    )

    assert refusal == (403, "not_your_department")


def test_work_escalated_after_an_instant_is_not_on_the_superiors_board_as_of_then(
    client: TestClient, container: Container, time_source: SettableTimeSource, catch_up: Any
) -> None:
    # given: a case supervised on Mon 21 Dec and escalated to the bureau on Mon 28 Dec
    case_id = escalated_case(container.supervision, time_source.set)
    catch_up()
    bureau = bearer(
        issued_token(container.supervision, Role.DEPARTMENT, department=SAMPLE_SUPERIOR)
    )
    before = datetime(2026, 12, 22, 10, 0, tzinfo=OFFICE_TZ).isoformat()

    # when
    then = board_of(client, bureau, SAMPLE_SUPERIOR, as_of=before)
    now = board_of(client, bureau, SAMPLE_SUPERIOR)

    # then
    assert then["escalated"] == []
    assert ids_of(now["escalated"]) == [str(case_id)]


def test_department_metrics_as_of_an_instant_count_what_was_recorded_by_then_at_that_instant(
    client: TestClient, tokens: Tokens, time_source: SettableTimeSource, catch_up: Any
) -> None:
    # given: one case assigned to the deeds office on Friday; another after Monday noon
    assigned_through_api(client, tokens.operator)
    time_source.set(MONDAY_NOON + timedelta(hours=1))
    assigned_through_api(client, tokens.operator)
    time_source.set(TUESDAY_TEN)
    catch_up()

    # when
    monday = MONDAY_NOON.isoformat()
    then = get(client, "/metrics/departments", tokens.inspector, **PERIOD, as_of=monday)
    now = get(client, "/metrics/departments", tokens.inspector, **PERIOD)

    # then: on Monday at noon one case was assigned, and none overdue yet
    deeds_then = metrics_of(then, "department", SAMPLE_DEPARTMENT)
    assert (deeds_then["assigned"], deeds_then["open"], deeds_then["overdue"]) == (1, 1, 0)
    assert datetime.fromisoformat(then["as_of"]) == MONDAY_NOON
    # and now both are, the first past its acknowledge deadline
    deeds_now = metrics_of(now, "department", SAMPLE_DEPARTMENT)
    assert (deeds_now["assigned"], deeds_now["open"], deeds_now["overdue"]) == (2, 2, 1)
    assert now["as_of"] is None


def test_window_metrics_as_of_an_instant_count_the_ratings_recorded_by_then(
    client: TestClient,
    tokens: Tokens,
    container: Container,
    time_source: SettableTimeSource,
    catch_up: Any,
) -> None:
    rated(container.supervision, 5)
    then = then_an_hour_before_now(time_source)
    rated(container.supervision, 3)
    catch_up()

    past = get(client, "/metrics/windows", tokens.inspector, **PERIOD, as_of=then.isoformat())
    present = get(client, "/metrics/windows", tokens.inspector, **PERIOD)

    assert metrics_of(past, "window", SAMPLE_WINDOW)["by_rating"] == [0, 0, 0, 0, 1]
    assert metrics_of(present, "window", SAMPLE_WINDOW)["by_rating"] == [0, 0, 1, 0, 1]
    assert datetime.fromisoformat(past["as_of"]) == then


def test_a_past_the_read_tables_have_not_yet_reached_is_refused_to_be_asked_again(
    client: TestClient,
    tokens: Tokens,
    container: Container,
    time_source: SettableTimeSource,
    catch_up: Callable[[], object],
) -> None:
    # given: a case returned, which only the audit feed (record time) has seen yet
    case = assigned_through_api(client, tokens.operator)
    catch_up()
    time_source.advance(hours=1)
    posted(client, f"/cases/{case['id']}/return", tokens.department, RETURN)
    with AuditEventsRunner(container.database_url, container.supervision) as feed:
        feed.run_until_caught_up()
    container.read_side_history.wait_seconds = 0.2  # type: ignore[attr-defined]

    # when
    response = client.get(
        f"{API}/departments/{SAMPLE_DEPARTMENT}/board",
        params={"as_of": time_source.now().isoformat()},
        headers=tokens.department,
    )

    # then
    assert error_of(response) == (503, "as_of_not_projected")
    assert "Retry-After" in response.headers


# Neither an instant with its offset nor a date: each is 422 invalid_as_of.
MALFORMED = [
    "garbage",
    "2026-11-03T10:00:00",  # naive: no offset
    "2026-11-03 10:00",
    "99999-01-01T00:00:00+08:00",
    "2026-13-45",
    "2026-11-03T25:00:00+08:00",
    "2026-11-03T10:00:00+99:00",
    "\t2026-11-03",
    "2026-11-03\x7f",
    "２０２６-１１-０３",
    "9" * 10_000,
    "2026-11-03T10:00:00+08:00" * 400,
]
# Characters the record cannot hold: refused before anything else reads the parameter.
UNSTORABLE = ["\x00", "2026-11-03\x00", "2026-11-03\x01", "\x1b[0m"]
# After the tests' now, Friday 27 November 2026 10:00.
FUTURE = ["2026-11-27T10:00:01+08:00", "2026-11-27T02:00:01Z", "9999-12-31T23:59:59+00:00"]


def test_a_malformed_as_of_is_refused_as_invalid_as_of_on_every_past_read(
    client: TestClient, tokens: Tokens
) -> None:
    refused = {as_of: refusals(client, tokens, as_of) for as_of in MALFORMED}

    assert refused == dict.fromkeys(MALFORMED, on_every_past_read((422, "invalid_as_of")))


def test_an_as_of_holding_a_character_the_record_cannot_hold_is_refused_as_such(
    client: TestClient, tokens: Tokens
) -> None:
    refused = {as_of: refusals(client, tokens, as_of) for as_of in UNSTORABLE}

    assert refused == dict.fromkeys(UNSTORABLE, on_every_past_read((422, "invalid_character")))


def test_an_as_of_in_the_future_is_refused_as_such(client: TestClient, tokens: Tokens) -> None:
    refused = {as_of: refusals(client, tokens, as_of) for as_of in FUTURE}

    assert refused == dict.fromkeys(FUTURE, on_every_past_read((422, "as_of_in_future")))


def test_the_openapi_documents_as_of_on_every_past_read_and_in_each_answer() -> None:
    openapi = create_app().openapi()

    for read in PAST_READS:
        parameters = openapi["paths"][f"{API}{read.route}"]["get"]["parameters"]
        assert [p["name"] for p in parameters].count("as_of") == 1, read.route
    schemas = openapi["components"]["schemas"]
    for answer in ("CasePublic", "CaseList", "Board", "MetricsList", "WindowMetricsList"):
        assert "as_of" in schemas[answer]["properties"], answer
        assert "as_of" not in schemas[answer].get("required", []), answer
