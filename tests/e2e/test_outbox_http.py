"""Notifications over HTTP (§17): a citizen who agrees to SMS is told their tracking number
and access code; an assignment e-mails the department; administrators list the outbox, read
a message's attempts and send a dead one again; bad input is refused with a code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from fastapi.testclient import TestClient

from application.notifications import MASKED_CODE
from interfaces.bootstrap import Container
from interfaces.http.app import create_app
from tests.e2e.conftest import Tokens, error_of, sample_container
from tests.factories import API, SAMPLE_DEPARTMENT, a_complaint_body, posted, registered_through_api
from tests.outbox_rows import add_attempt, insert_message
from tests.support import UNREACHABLE_CHANNELS, SettableTimeSource, run_worker_once

AGREES = {"name": "王芳", "phone": "13812345678", "notify": True}


@pytest.fixture
def container(database_url: str, time_source: SettableTimeSource) -> Iterator[Container]:
    """Every channel on, pointing at addresses where nothing listens (nothing is sent here)."""
    with sample_container(database_url, time_source, **UNREACHABLE_CHANNELS) as built:
        yield built


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), raise_server_exceptions=False) as test_client:
        yield test_client


def outbox(client: TestClient, tokens: Tokens, **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"{API}/outbox", params=params, headers=tokens.admin)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def test_a_registration_with_consent_lists_an_sms_with_the_number_and_the_code_masked(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    case = registered_through_api(client, tokens.operator, complainant=AGREES)
    run_worker_once(container)

    (sms,) = outbox(client, tokens, state="pending")
    assert sms["channel"] == "sms"
    assert sms["recipient_kind"] == "citizen"
    assert sms["masked_address"] == "138****5678"
    assert case["tracking_number"] in sms["text"]
    assert MASKED_CODE in sms["text"]
    assert case["access_code"] not in sms["text"]
    assert sms["case_id"] == case["id"]
    assert "13812345678" not in str(sms)


def test_notify_without_a_phone_is_refused_with_a_code_and_nothing_recorded(
    client: TestClient, tokens: Tokens
) -> None:
    body = a_complaint_body(complainant={"name": "王芳", "notify": True})
    response = client.post(f"{API}/cases", json=body, headers=tokens.operator)
    assert error_of(response) == (422, "notify_without_phone")
    listed = client.get(f"{API}/cases", headers=tokens.operator).json()["items"]
    assert listed == []


@pytest.mark.parametrize("notify", ["yes", 1, None, "true"])
def test_notify_is_a_true_or_false_flag(client: TestClient, tokens: Tokens, notify: Any) -> None:
    body = a_complaint_body(complainant={"phone": "13812345678", "notify": notify})
    response = client.post(f"{API}/cases", json=body, headers=tokens.operator)
    assert error_of(response) == (422, "invalid_request")


def test_an_assignment_makes_the_departments_email_row(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    case = registered_through_api(client, tokens.operator)
    posted(
        client, f"/cases/{case['id']}/assign", tokens.operator, {"department": SAMPLE_DEPARTMENT}
    )
    run_worker_once(container)

    (mail,) = outbox(client, tokens)
    assert mail["channel"] == "email"
    assert mail["recipient"] == SAMPLE_DEPARTMENT
    assert mail["masked_address"] == f"{SAMPLE_DEPARTMENT}@example.gov.cn"
    assert case["tracking_number"] in mail["subject"]
    assert mail["record_type"] == "Case"


def test_staff_see_the_departments_contacts(client: TestClient, tokens: Tokens) -> None:
    departments = client.get(f"{API}/departments", headers=tokens.operator).json()["items"]
    sample = next(d for d in departments if d["id"] == SAMPLE_DEPARTMENT)
    assert sample["email"] == f"{SAMPLE_DEPARTMENT}@example.gov.cn"
    assert sample["webhook"] is None


def test_the_outbox_runs_newest_first_a_page_at_a_time_and_filters_by_state(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    url = container.database_url
    ids = [str(insert_message(url, subject=f"第{n}条")) for n in range(3)]
    delivered = str(insert_message(url, state="delivered"))
    for n, message_id in enumerate(ids):
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(
                "UPDATE outbox_messages SET created_at = created_at + %s * interval '1 minute' "
                "WHERE id = %s",
                (n + 1, message_id),
            )

    first = client.get(f"{API}/outbox?state=dead&limit=2", headers=tokens.admin).json()
    second = client.get(
        f"{API}/outbox?state=dead&limit=2&cursor={first['next']}", headers=tokens.admin
    ).json()
    assert [m["id"] for m in first["items"]] == [ids[2], ids[1]]
    assert [m["id"] for m in second["items"]] == [ids[0]]
    assert second["next"] is None
    assert [m["id"] for m in outbox(client, tokens, state="delivered")] == [delivered]


def test_a_message_shows_its_attempts_and_a_dead_one_is_sent_again_with_the_same_key(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    message_id = insert_message(container.database_url)
    add_attempt(container.database_url, message_id, 1, "connection refused")
    add_attempt(container.database_url, message_id, 2, "timed out")

    shown = client.get(f"{API}/outbox/{message_id}", headers=tokens.admin).json()
    assert [a["detail"] for a in shown["attempt_log"]] == ["connection refused", "timed out"]
    resent = client.post(f"{API}/outbox/{message_id}/resend", headers=tokens.admin)
    assert resent.status_code == 200, resent.text
    assert resent.json()["state"] == "pending"
    assert resent.json()["attempts"] == 8  # counted on
    with psycopg.connect(container.database_url) as connection:
        key = connection.execute(
            "SELECT idempotency_key FROM outbox_messages WHERE id = %s", (message_id,)
        ).fetchone()
    assert key == (f"test-{message_id}",)

    again = client.post(f"{API}/outbox/{message_id}/resend", headers=tokens.admin)
    assert error_of(again) == (409, "outbox_message_not_dead")


def test_an_erased_message_is_gone_for_good(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    message_id = insert_message(container.database_url, state="erased")
    response = client.post(f"{API}/outbox/{message_id}/resend", headers=tokens.admin)
    assert error_of(response) == (410, "outbox_message_erased")


def test_a_citizens_dead_sms_is_sealed_again_from_the_case_when_resent(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    case = registered_through_api(client, tokens.operator, complainant=AGREES)
    run_worker_once(container)
    (sms,) = outbox(client, tokens)
    with psycopg.connect(container.database_url, autocommit=True) as connection:
        connection.execute(
            "UPDATE outbox_messages SET state = 'dead', sealed = NULL WHERE id = %s",
            (sms["id"],),
        )

    response = client.post(f"{API}/outbox/{sms['id']}/resend", headers=tokens.admin)
    assert response.status_code == 200, response.text

    from infrastructure.outbox import opened

    with psycopg.connect(container.database_url) as connection:
        row = connection.execute(
            "SELECT key_id, sealed FROM outbox_messages WHERE id = %s", (sms["id"],)
        ).fetchone()
    assert row is not None
    sent = opened(container.supervision.personal_data_keys, row[0], row[1])
    assert sent["to"] == "13812345678"
    assert case["access_code"] in sent["text"]


def test_an_unknown_message_is_not_found(client: TestClient, tokens: Tokens) -> None:
    for method, path in (("GET", ""), ("POST", "/resend")):
        response = client.request(method, f"{API}/outbox/{uuid4()}{path}", headers=tokens.admin)
        assert error_of(response) == (404, "outbox_message_not_found")


@pytest.mark.parametrize(
    "query",
    [
        "state=lost",
        "state=",
        "limit=0",
        "limit=-1",
        "limit=201",
        f"limit={2**64}",
        "cursor=not%20a%20cursor",
        "cursor=cDk5",
        "cursor=a%00b",
        "colour=red",
    ],
)
def test_bad_outbox_parameters_are_refused_with_a_code(
    client: TestClient, tokens: Tokens, query: str
) -> None:
    response = client.get(f"{API}/outbox?{query}", headers=tokens.admin)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] in (
        "invalid_request",
        "invalid_cursor",
        "invalid_character",
    )


def test_one_department_is_read_with_its_contacts(client: TestClient, tokens: Tokens) -> None:
    found = client.get(f"{API}/departments/{SAMPLE_DEPARTMENT}", headers=tokens.department)
    assert found.status_code == 200
    assert found.json()["email"] == f"{SAMPLE_DEPARTMENT}@example.gov.cn"
    missing = client.get(f"{API}/departments/nowhere", headers=tokens.department)
    assert error_of(missing) == (404, "department_not_found")
    assert client.get(f"{API}/departments/{SAMPLE_DEPARTMENT}").status_code == 401


def test_the_centre_reads_what_was_sent_about_a_case(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    case = registered_through_api(client, tokens.operator, complainant=AGREES)
    client.post(
        f"{API}/cases/{case['id']}/assign",
        json={"department": SAMPLE_DEPARTMENT},
        headers=tokens.operator,
    )
    run_worker_once(container)

    answer = client.get(f"{API}/cases/{case['id']}/notifications", headers=tokens.inspector)
    assert answer.status_code == 200
    items = answer.json()["items"]
    assert [(m["channel"], m["template"]) for m in items] == [
        ("sms", "citizen_registered"),
        ("email", "department_case_assigned"),
    ]
    assert items[0]["masked_address"] == "138****5678"
    assert all(m["state"] == "pending" for m in items)
    unknown = client.get(f"{API}/cases/{uuid4()}/notifications", headers=tokens.operator)
    assert error_of(unknown) == (404, "case_not_found")
