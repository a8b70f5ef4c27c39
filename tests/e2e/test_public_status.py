"""The citizen's status query over HTTP (§9): the public view only, one answer for every
failure, and limits per client and per tracking number."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import datetime
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from domain.actor import Role
from infrastructure.settings import Settings
from interfaces.bootstrap import Container, bootstrap
from interfaces.http.app import create_app
from tests.e2e.conftest import Tokens, error_of
from tests.factories import (
    API,
    SAMPLE_DEPARTMENT,
    SAMPLE_WINDOW,
    a_complaint_body,
    bearer,
    import_sample_directory,
    issued_token,
    posted,
    registered_through_api,
)
from tests.support import TEST_MASTER_KEY, SettableTimeSource, run_worker_once

STATUS_URL = f"{API}/public/case-status"
TEST_KEY = "6f" * 32

# A staff member is named so that the tests can show the public view never names them.
STAFF = "S0001"
COMPLAINT = a_complaint_body(staff=STAFF)
COMPLAINANT = COMPLAINT["complainant"]
INTERNAL_NOTE = "内部备注：当事人为A岗韩蕾，已约谈"
PUBLIC_NOTE = "您的诉求已转承办部门办理"
ACTIONS = "约谈窗口人员并通报批评"
ANSWER = "经核查情况属实，已整改并向您致歉"
NOT_FOUND = {
    "error": {
        "code": "case_status_not_found",
        "message": "no case matches this tracking number and access code",
    }
}
PUBLIC_FIELDS = {
    "kind",
    "kind_label",
    "status",
    "status_label",
    "department",
    "department_name",
    "registered_at",
    "due_at",
    "updated_at",
    "timeline",
}


def ask(
    client: TestClient, tracking_number: str, access_code: str, **headers: str
) -> httpx.Response:
    return client.post(
        STATUS_URL,
        json={"tracking_number": tracking_number, "access_code": access_code},
        headers=headers or None,
    )


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def wrong_code(access_code: str) -> str:
    """Another valid-looking code: the first character changed."""
    first = "A" if access_code[0] != "A" else "B"
    return first + access_code[1:]


@pytest.fixture
def answered_case(
    client: TestClient, tokens: Tokens, container: Container, time_source: SettableTimeSource
) -> dict[str, Any]:
    """A complaint assigned, acknowledged, noted (publicly and not) and answered; projected."""
    case = registered_through_api(client, tokens.operator, staff=STAFF)
    url = f"{API}/cases/{case['id']}"
    steps = [
        ("assign", {"department": SAMPLE_DEPARTMENT}, tokens.operator),
        ("notes", {"text": PUBLIC_NOTE, "public": True}, tokens.operator),
        ("acknowledge", None, tokens.department),
        ("notes", {"text": INTERNAL_NOTE, "public": False}, tokens.inspector),
        (
            "result",
            {"outcome": "substantiated", "actions": ACTIONS, "answer": ANSWER},
            tokens.department,
        ),
    ]
    for verb, body, headers in steps:
        time_source.advance(hours=1)
        response = client.post(f"{url}/{verb}", json=body, headers=headers)
        assert response.status_code == 200, (verb, response.text)
    run_worker_once(container)
    return case


@pytest.fixture
def registered_case(client: TestClient, tokens: Tokens, container: Container) -> dict[str, Any]:
    case = registered_through_api(client, tokens.operator, staff=STAFF)
    run_worker_once(container)
    return case


@pytest.fixture
def app_with(
    database_url: str, time_source: SettableTimeSource
) -> Iterator[Callable[..., TestClient]]:
    """Start the API with the given settings on this test's database (shut down afterwards)."""
    with ExitStack() as stack:

        def start(**overrides: Any) -> TestClient:
            settings = Settings(
                database_url=database_url,
                log_level="WARNING",
                access_code_key=TEST_KEY,
                master_key=TEST_MASTER_KEY,
                **overrides,
            )
            container = bootstrap(settings, time_source=time_source, initialise=False)
            stack.callback(container.close)
            import_sample_directory(container.supervision)
            return stack.enter_context(
                TestClient(create_app(container), raise_server_exceptions=False)
            )

        yield start


def registered_through(client: TestClient) -> dict[str, Any]:
    """Register a case on this client's container, with a token of its own, and project it."""
    container: Container = client.app.state.container  # type: ignore[attr-defined]
    operator = bearer(issued_token(container.supervision, Role.OPERATOR, name="operator"))
    case = registered_through_api(client, operator, staff=STAFF)
    run_worker_once(container)
    return case


def another_client(client: TestClient, host: str) -> TestClient:
    """A client from another address, served by the same running app."""
    other = TestClient(client.app, raise_server_exceptions=False, client=(host, 50000))
    other.portal = client.portal  # the same event loop, where the read pool lives
    return other


# The public view -------------------------------------------------------------------------


def test_the_pair_opens_the_public_view_and_nothing_else(
    client: TestClient, answered_case: dict[str, Any]
) -> None:
    response = ask(client, answered_case["tracking_number"], answered_case["access_code"])

    assert response.status_code == 200, response.text
    view = response.json()
    assert set(view) == PUBLIC_FIELDS
    assert view["kind"] == "complaint"
    assert view["kind_label"] == "投诉"
    assert view["status"] == "answered"
    assert view["status_label"] == "已答复"
    assert view["department"] == SAMPLE_DEPARTMENT
    assert view["department_name"] == "不动产登记中心"
    assert moment(view["registered_at"]) == moment(answered_case["registered_at"])
    assert view["due_at"] is not None
    assert view["updated_at"] > view["registered_at"]
    assert [(e["type"], e["text"]) for e in view["timeline"]] == [
        ("note", PUBLIC_NOTE),
        ("answer", ANSWER),
    ]
    assert all(set(entry) == {"type", "text", "at"} for entry in view["timeline"])


def test_nothing_of_the_complainant_staff_window_or_internal_notes_is_shown(
    client: TestClient, answered_case: dict[str, Any]
) -> None:
    response = ask(client, answered_case["tracking_number"], answered_case["access_code"])
    text = response.text
    body = json.dumps(response.json(), ensure_ascii=False)

    for secret in (
        COMPLAINANT["name"],
        COMPLAINANT["phone"],
        "138****5678",
        COMPLAINANT["address"],
        SAMPLE_WINDOW,
        "不动产登记综合受理窗口",
        STAFF,
        "韩蕾",
        COMPLAINT["summary"],
        COMPLAINT["details"],
        COMPLAINT["category"],
        INTERNAL_NOTE,
        ACTIONS,
        answered_case["id"],
        answered_case["access_code"],
        "hmac-sha256",
    ):
        assert secret not in body, secret
        assert secret not in text, secret


def test_the_number_and_code_may_be_typed_in_lower_case_with_spaces(
    client: TestClient, registered_case: dict[str, Any]
) -> None:
    code = registered_case["access_code"].lower().replace("-", " ")
    response = ask(client, registered_case["tracking_number"].lower(), f" {code} ")

    assert response.status_code == 200, response.text
    view = response.json()
    assert view["status"] == "registered"
    assert view["status_label"] == "已登记"
    assert view["timeline"] == []


def test_no_sign_in_is_needed_and_a_token_changes_nothing(
    client: TestClient, tokens: Tokens, registered_case: dict[str, Any]
) -> None:
    anonymous = ask(client, registered_case["tracking_number"], registered_case["access_code"])
    signed_in = ask(
        client,
        registered_case["tracking_number"],
        registered_case["access_code"],
        **tokens.inspector,
    )
    assert anonymous.status_code == signed_in.status_code == 200
    assert anonymous.json() == signed_in.json()


# One answer for every failure ---------------------------------------------------------------


def test_a_wrong_code_and_an_unknown_number_get_the_same_answer(
    client: TestClient, registered_case: dict[str, Any]
) -> None:
    wrong = ask(
        client, registered_case["tracking_number"], wrong_code(registered_case["access_code"])
    )
    unknown = ask(client, "HL20261127-9999", registered_case["access_code"])

    assert wrong.status_code == unknown.status_code == 404
    assert wrong.content == unknown.content
    assert wrong.json() == NOT_FOUND
    assert "retry-after" not in wrong.headers
    assert "retry-after" not in unknown.headers


def test_a_case_registered_but_not_yet_projected_is_not_found_the_same_way(
    client: TestClient, tokens: Tokens, registered_case: dict[str, Any]
) -> None:
    unprojected = registered_through_api(client, tokens.operator, staff=STAFF)
    response = ask(client, unprojected["tracking_number"], unprojected["access_code"])
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


# Limits ------------------------------------------------------------------------------------


def test_repeated_failures_from_one_client_are_refused_for_a_while(
    client: TestClient, registered_case: dict[str, Any]
) -> None:
    # Different numbers each time: the per-client limit, not a number's lock, is at work.
    for n in range(10):
        response = ask(client, f"HL20261127-{5000 + n}", registered_case["access_code"])
        assert response.status_code == 404, (n, response.text)

    refused = ask(client, registered_case["tracking_number"], registered_case["access_code"])

    assert error_of(refused) == (429, "too_many_requests")
    assert 0 < int(refused.headers["retry-after"]) <= 600

    elsewhere = another_client(client, "198.51.100.7")
    response = ask(elsewhere, registered_case["tracking_number"], registered_case["access_code"])
    assert response.status_code == 200, "another client is not held back"


def test_a_number_is_locked_after_repeated_failures_even_for_the_right_code(
    client: TestClient,
    container: Container,
    time_source: SettableTimeSource,
    registered_case: dict[str, Any],
) -> None:
    number, code = registered_case["tracking_number"], registered_case["access_code"]
    for _ in range(5):
        time_source.advance(minutes=1)
        assert ask(client, number, wrong_code(code)).status_code == 404

    citizen = another_client(client, "203.0.113.9")
    locked = ask(client, number, code)
    elsewhere = ask(citizen, number, code)
    unknown = ask(citizen, "HL20261127-7777", code)

    assert locked.status_code == elsewhere.status_code == 404
    assert locked.content == elsewhere.content == unknown.content, "the lock is not revealed"

    time_source.advance(minutes=14)
    assert ask(citizen, number, code).status_code == 404, "still locked"
    time_source.advance(minutes=1)
    assert ask(citizen, number, code).status_code == 200, "the lock has expired"


def test_failures_spread_over_more_than_the_window_do_not_lock(
    client: TestClient, time_source: SettableTimeSource, registered_case: dict[str, Any]
) -> None:
    number, code = registered_case["tracking_number"], registered_case["access_code"]
    for _ in range(4):
        assert ask(client, number, wrong_code(code)).status_code == 404
    time_source.advance(minutes=15)
    assert ask(client, number, wrong_code(code)).status_code == 404  # a new window begins

    assert ask(client, number, code).status_code == 200


def test_the_lock_is_kept_in_postgresql_for_every_process_and_holds_no_client_address(
    client: TestClient,
    database_url: str,
    registered_case: dict[str, Any],
    app_with: Callable[..., TestClient],
) -> None:
    number, code = registered_case["tracking_number"], registered_case["access_code"]
    for _ in range(5):
        assert ask(client, number, wrong_code(code)).status_code == 404

    another_process = app_with()  # another API process, or this one restarted
    response = ask(another_process, number, code)

    assert response.status_code == 404
    with psycopg.connect(database_url) as connection:
        columns = [
            row[0]
            for row in connection.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'public_lookup_failures' ORDER BY ordinal_position"
            )
        ]
        rows = connection.execute("SELECT * FROM public_lookup_failures").fetchall()
    assert columns == ["tracking_number", "failures", "window_started_at", "locked_until"]
    assert [(row[0], row[1]) for row in rows] == [(number, 5)]
    assert "testclient" not in repr(rows)


# With the view kept in the process's cache --------------------------------------------------


def cached(client: TestClient, number: str, code: str) -> None:
    """Ask once with the right pair, so the view is kept in the app's cache of public views."""
    assert ask(client, number, code).status_code == 200
    container: Container = client.app.state.container  # type: ignore[attr-defined]
    assert len(container.public_views) == 1, "the view is kept"


def test_a_cached_view_still_refuses_a_wrong_code_and_counts_the_failure_on_the_primary(
    client: TestClient, database_url: str, registered_case: dict[str, Any]
) -> None:
    number, code = registered_case["tracking_number"], registered_case["access_code"]
    cached(client, number, code)

    response = ask(client, number, wrong_code(code))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    with psycopg.connect(database_url) as connection:
        failures = connection.execute(
            "SELECT failures FROM public_lookup_failures WHERE tracking_number = %s", (number,)
        ).fetchone()
    assert failures == (1,)


def test_a_cached_view_does_not_open_a_number_locked_by_another_process(
    client: TestClient, registered_case: dict[str, Any], app_with: Callable[..., TestClient]
) -> None:
    number, code = registered_case["tracking_number"], registered_case["access_code"]
    cached(client, number, code)

    another_process = app_with()  # its own cache and listener, on the same database
    for _ in range(5):
        assert ask(another_process, number, wrong_code(code)).status_code == 404

    assert ask(client, number, code).json() == NOT_FOUND


def test_a_cached_view_does_not_let_a_client_past_its_limit_of_failures(
    client: TestClient, registered_case: dict[str, Any]
) -> None:
    number, code = registered_case["tracking_number"], registered_case["access_code"]
    cached(client, number, code)
    for n in range(10):
        assert ask(client, f"HL20261127-{5000 + n}", code).status_code == 404

    assert error_of(ask(client, number, code)) == (429, "too_many_requests")


def test_a_change_projected_after_a_view_was_cached_is_shown_at_the_next_query(
    client: TestClient, container: Container, tokens: Tokens, registered_case: dict[str, Any]
) -> None:
    number, code = registered_case["tracking_number"], registered_case["access_code"]
    cached(client, number, code)
    posted(
        client,
        f"/cases/{registered_case['id']}/assign",
        tokens.operator,
        {"department": SAMPLE_DEPARTMENT},
    )
    run_worker_once(container)

    shown = ask(client, number, code).json()

    assert (shown["status"], shown["department"]) == ("assigned", SAMPLE_DEPARTMENT)


def test_the_general_limit_refuses_the_request_past_it(
    app_with: Callable[..., TestClient],
) -> None:
    client = app_with(public_rate_limit=3)
    case = registered_through(client)

    answers = [ask(client, case["tracking_number"], case["access_code"]) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[3].json()["error"]["code"] == "too_many_requests"
    assert 0 < int(answers[3].headers["retry-after"]) <= 60
    malformed = client.post(STATUS_URL, json={})
    assert malformed.status_code == 429, "malformed requests count, and are refused, too"


def test_a_general_limit_of_zero_switches_it_off(app_with: Callable[..., TestClient]) -> None:
    client = app_with(public_rate_limit=0)
    case = registered_through(client)

    statuses = {
        ask(client, case["tracking_number"], case["access_code"]).status_code for _ in range(70)
    }

    assert statuses == {200}


# Malformed requests ------------------------------------------------------------------------


MALFORMED_BODIES: list[Any] = [
    {},
    {"tracking_number": "HL20261127-0001"},
    {"access_code": "K7M2P-9QXRT"},
    {"tracking_number": "HL20261127-0001", "access_code": "K7M2P-9QXRT", "extra": 1},
    {"tracking_number": "not a number", "access_code": "K7M2P-9QXRT"},
    {"tracking_number": "HL2026112-0001", "access_code": "K7M2P-9QXRT"},
    {"tracking_number": "HL20261127-٠٠٤٢", "access_code": "K7M2P-9QXRT"},
    {"tracking_number": "HL20261127-0001" + "1" * 500, "access_code": "K7M2P-9QXRT"},
    {"tracking_number": "HL20261127-0001", "access_code": "short"},
    {"tracking_number": "HL20261127-0001", "access_code": "K7M2P-9QXRT-ABCDEFG"},
    {"tracking_number": "HL20261127-0001", "access_code": "K7M2P;9QXRT"},
    {"tracking_number": 20261127, "access_code": "K7M2P-9QXRT"},
    {"tracking_number": None, "access_code": None},
    {"tracking_number": ["HL20261127-0001"], "access_code": {"a": 1}},
    [],
    "HL20261127-0001",
    None,
]


def test_a_malformed_body_is_an_invalid_request(client: TestClient) -> None:
    # A NUL in a field is `invalid_character`: tests/e2e/test_edge_values_http.py.
    for body in MALFORMED_BODIES:
        response = client.post(STATUS_URL, json=body)

        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["code"] == "invalid_request", body


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"tracking_number=HL20261127-0001", "application/x-www-form-urlencoded"),
        (b"", "application/json"),
    ],
)
def test_a_body_that_is_not_json_is_an_invalid_request(
    client: TestClient, content: bytes, content_type: str
) -> None:
    response = client.post(STATUS_URL, content=content, headers={"Content-Type": content_type})

    assert error_of(response) == (422, "invalid_request")


def test_a_body_that_is_not_even_text_is_a_bad_request_not_a_failure(client: TestClient) -> None:
    # FastAPI refuses bytes it cannot decode before any validation, for every route alike.
    response = client.post(
        STATUS_URL, content=b"\xff\xfe\x00", headers={"Content-Type": "application/json"}
    )

    assert error_of(response) == (400, "bad_request")


def test_with_a_replica_for_reads_the_failures_are_still_counted_on_the_primary(
    app_with: Callable[..., TestClient], database_url: str
) -> None:
    # The "replica" is the same database here; what matters is the second pool, of its own.
    client = app_with(read_database_url=database_url)
    case = registered_through(client)
    number, code = case["tracking_number"], case["access_code"]

    for _ in range(5):
        assert ask(client, number, wrong_code(code)).status_code == 404

    assert ask(client, number, code).status_code == 404, "locked"
