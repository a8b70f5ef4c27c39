"""Every command honours Idempotency-Key: a retry gets the first answer and records nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from interfaces.bootstrap import Container
from tests.e2e.conftest import Tokens, error_of, position
from tests.factories import API, SAMPLE_DEPARTMENT, SAMPLE_WINDOW

COMPLAINT = {
    "kind": "complaint",
    "channel": "hotline",
    "window": SAMPLE_WINDOW,
    "summary": "窗口人员态度生硬",
}


def test_a_registration_retried_with_the_same_key_answers_the_first_case_again(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    headers = {**tokens.operator, "Idempotency-Key": "call-0427-1"}
    first = client.post(f"{API}/cases", json=COMPLAINT, headers=headers)
    after_first = position(container)

    retry = client.post(f"{API}/cases", json=COMPLAINT, headers=headers)

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"
    assert position(container) == after_first


def test_the_same_key_with_another_body_is_refused(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    headers = {**tokens.operator, "Idempotency-Key": "call-0427-2"}
    client.post(f"{API}/cases", json=COMPLAINT, headers=headers)
    before = position(container)

    other = client.post(f"{API}/cases", json={**COMPLAINT, "summary": "另一件事"}, headers=headers)

    assert error_of(other) == (422, "idempotency_key_reused")
    assert position(container) == before


def test_a_refusal_is_the_first_answer_too(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    case = client.post(f"{API}/cases", json=COMPLAINT, headers=tokens.operator).json()
    client.post(
        f"{API}/cases/{case['id']}/assign",
        json={"department": SAMPLE_DEPARTMENT},
        headers=tokens.operator,
    )
    headers = {**tokens.department, "Idempotency-Key": "ack-1"}
    result = {"outcome": "resolved", "actions": "", "answer": "已处理"}

    refused = client.post(f"{API}/cases/{case['id']}/result", json=result, headers=headers)
    client.post(f"{API}/cases/{case['id']}/acknowledge", headers=tokens.department)
    retried = client.post(f"{API}/cases/{case['id']}/result", json=result, headers=headers)

    assert refused.status_code == retried.status_code == 409
    assert retried.json() == refused.json()


def test_an_unauthenticated_attempt_is_not_kept_so_the_retry_reaches_the_route(
    client: TestClient,
) -> None:
    headers = {"Idempotency-Key": "no-token-yet"}

    answers = [client.post(f"{API}/cases", json=COMPLAINT, headers=headers) for _ in range(2)]

    assert [answer.status_code for answer in answers] == [401, 401]
    assert all(answer.headers["www-authenticate"] == "Bearer" for answer in answers)
    assert "idempotent-replayed" not in answers[1].headers


def test_keys_belong_to_their_caller_and_route(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    key = {"Idempotency-Key": "shared-key"}
    by_operator = client.post(f"{API}/cases", json=COMPLAINT, headers={**tokens.operator, **key})
    by_inspector = client.post(f"{API}/cases", json=COMPLAINT, headers={**tokens.inspector, **key})

    assert by_operator.status_code == by_inspector.status_code == 201
    assert by_operator.json()["id"] != by_inspector.json()["id"]


def test_concurrent_retries_record_the_command_once(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    headers = {**tokens.operator, "Idempotency-Key": "burst-1"}
    before = position(container)

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(
            pool.map(
                lambda _: client.post(f"{API}/cases", json=COMPLAINT, headers=headers), range(4)
            )
        )

    created = [a for a in answers if a.status_code == 201]
    assert len({a.json()["id"] for a in created}) == 1
    assert all(
        a.status_code == 201 or a.json()["error"]["code"] == "idempotency_key_in_flight"
        for a in answers
    )
    registered = client.get(
        f"{API}/cases/{created[0].json()['id']}", headers=tokens.operator
    ).json()
    assert registered["version"] == 1
    # the day's numbering starts and takes one number, and one case is registered
    assert position(container) == before + 3


def test_a_malformed_key_is_refused(client: TestClient, tokens: Tokens) -> None:
    response = client.post(
        f"{API}/cases",
        json=COMPLAINT,
        headers={**tokens.operator, "Idempotency-Key": "x" * 201},
    )

    assert error_of(response) == (422, "invalid_idempotency_key")
