"""The audit trail over HTTP: histories, the event feed, checkpoints and verification (§8)."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from domain.actor import Actor, Role
from domain.scorecard import SubjectKind, scorecard_id
from infrastructure.conduct_file import default_conduct_rules
from infrastructure.signing import SigningKey
from interfaces.bootstrap import Container
from tests.e2e.conftest import Tokens, error_of, get
from tests.factories import API, SAMPLE_DEPARTMENT, SAMPLE_WINDOW, posted
from tests.support import SettableTimeSource

NAME, PHONE, ADDRESS = "王芳", "13812345678", "人民路18号3单元"
COMPLAINT = {
    "kind": "complaint",
    "channel": "hotline",
    "window": SAMPLE_WINDOW,
    "staff": "S0001",
    "summary": f"{NAME}反映窗口人员态度生硬",
    "details": f"联系电话{PHONE}，住{ADDRESS}",
    "complainant": {"name": NAME, "phone": PHONE, "address": ADDRESS},
}

AUDIT_ROUTES = [
    ("GET", "/audit/events", None),
    ("GET", "/audit/records/00000000-0000-0000-0000-000000000001/history", None),
    ("GET", "/staff/S0001/history", None),
    ("GET", "/audit/checkpoints", None),
    ("POST", "/audit/checkpoints/verify", {"statement": "{}", "signature": ""}),
    ("POST", "/audit/verify", None),
    ("GET", "/audit/public-key", None),
]


def a_handled_case(client: TestClient, tokens: Tokens) -> dict[str, Any]:
    case = posted(client, "/cases", tokens.operator, COMPLAINT)
    posted(
        client, f"/cases/{case['id']}/assign", tokens.operator, {"department": SAMPLE_DEPARTMENT}
    )
    posted(client, f"/cases/{case['id']}/acknowledge", tokens.department)
    posted(
        client,
        f"/cases/{case['id']}/notes",
        tokens.operator,
        {"text": f"已回电{PHONE}，{NAME}要求书面答复", "public": False},
    )
    return case


def every_page(client: TestClient, path: str, headers: dict[str, str], **params: Any) -> list[Any]:
    items: list[Any] = []
    cursor = None
    while True:
        page = get(client, path, headers, **params, **({"cursor": cursor} if cursor else {}))
        items += page["items"]
        cursor = page["next"]
        if cursor is None:
            return items


# Who may read the audit trail ---------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body"), AUDIT_ROUTES)
@pytest.mark.parametrize("role", ["operator", "department", "admin"])
def test_every_audit_route_refuses_everyone_but_inspectors(
    client: TestClient, tokens: Tokens, method: str, path: str, body: Any, role: str
) -> None:
    response = client.request(method, f"{API}{path}", json=body, headers=getattr(tokens, role))

    assert error_of(response) == (403, "role_not_allowed")


@pytest.mark.parametrize(("method", "path", "body"), AUDIT_ROUTES)
def test_every_audit_route_needs_a_token(
    client: TestClient, method: str, path: str, body: Any
) -> None:
    response = client.request(method, f"{API}{path}", json=body)

    assert response.status_code == 401


# The feed -------------------------------------------------------------------------------------


def test_the_feed_shows_each_event_with_position_time_actor_reason_request_and_label(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    case = posted(client, "/cases", tokens.operator, COMPLAINT)
    posted(
        client, f"/cases/{case['id']}/assign", tokens.operator, {"department": SAMPLE_DEPARTMENT}
    )
    response = client.post(
        f"{API}/cases/{case['id']}/return",
        json={"reason": "不属于本部门职责"},
        headers={**tokens.department, "X-Request-ID": "req-return-1"},
    )
    assert response.status_code == 200, response.text
    catch_up()

    feed = get(client, "/audit/events", tokens.inspector, type="Case", limit=10)
    returned = feed["items"][0]

    assert [item["type"] for item in feed["items"]] == [
        "Case.Returned",
        "Case.Assigned",
        "Case.Registered",
    ]
    assert returned["label"] == "退单"
    assert returned["position"] == response.json()["position"]
    assert returned["record_id"] == case["id"]
    assert returned["record_type"] == "Case"
    assert returned["actor"] == {
        "principal": f"department-{SAMPLE_DEPARTMENT}",
        "name": None,  # a token acted, not a person's account
        "role": "department",
        "department": SAMPLE_DEPARTMENT,
    }
    assert returned["request_id"] == "req-return-1"
    assert returned["reason"] == "不属于本部门职责"
    assert returned["at"] is not None
    assert returned["subjects"]["staff"] == ["S0001"]
    assert feed["position"] >= returned["position"]


def test_the_feed_never_shows_a_complainants_name_phone_or_address(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    a_handled_case(client, tokens)
    catch_up()

    text = json.dumps(every_page(client, "/audit/events", tokens.inspector, limit=500))
    staff = json.dumps(every_page(client, "/staff/S0001/history", tokens.inspector))

    for secret in (NAME, PHONE, ADDRESS):
        assert json.dumps(secret)[1:-1] not in text
        assert json.dumps(secret)[1:-1] not in staff
    assert "access_code_hash" not in text


def test_the_feed_filters_by_actor_department_and_type(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    a_handled_case(client, tokens)
    catch_up()

    by_operator = every_page(client, "/audit/events", tokens.inspector, actor="operator-centre")
    by_department = every_page(
        client, "/audit/events", tokens.inspector, department=SAMPLE_DEPARTMENT
    )
    acknowledged = every_page(client, "/audit/events", tokens.inspector, type="Case.Acknowledged")
    directory = every_page(client, "/audit/events", tokens.inspector, type="Directory")

    assert by_operator
    assert {item["actor"]["principal"] for item in by_operator} == {"operator-centre"}
    assert {"Case.Registered", "Case.Assigned", "Case.NoteAdded"} <= {
        item["type"] for item in by_operator
    }
    assert "Case.Acknowledged" in {item["type"] for item in by_department}
    assert all(SAMPLE_DEPARTMENT in item["subjects"]["departments"] for item in by_department)
    assert [item["type"] for item in acknowledged] == ["Case.Acknowledged"]
    assert len(directory) > 100
    assert {item["record_type"] for item in directory} == {"Directory"}


def test_the_feed_filters_by_time_range(
    client: TestClient, tokens: Tokens, catch_up: Any, time_source: SettableTimeSource
) -> None:
    first = posted(client, "/cases", tokens.operator, COMPLAINT)
    time_source.advance(days=3)
    later = posted(client, "/cases", tokens.operator, COMPLAINT)
    catch_up()
    moment = (time_source.now() - timedelta(days=1)).isoformat()
    day_of_first = (time_source.now() - timedelta(days=3)).date().isoformat()

    since = every_page(client, "/audit/events", tokens.inspector, type="Case", **{"from": moment})
    that_day = every_page(
        client,
        "/audit/events",
        tokens.inspector,
        type="Case",
        **{"from": day_of_first, "to": day_of_first},
    )

    assert [item["record_id"] for item in since] == [later["id"]]
    assert [item["record_id"] for item in that_day] == [first["id"]]


def test_the_feed_pages_by_position_newest_first(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    a_handled_case(client, tokens)
    catch_up()

    first = get(client, "/audit/events", tokens.inspector, limit=3)
    second = get(client, "/audit/events", tokens.inspector, limit=3, cursor=first["next"])
    everything = every_page(client, "/audit/events", tokens.inspector, limit=37)
    positions = [item["position"] for item in everything]

    assert [i["position"] for i in first["items"] + second["items"]] == positions[:6]
    assert positions == sorted(positions, reverse=True)
    assert len(set(positions)) == len(positions) == first["position"]


@pytest.mark.parametrize(
    "params",
    [
        {"from": "yesterday"},
        {"from": "2026-11-27T10:00:00"},
        {"from": "2026-11-28", "to": "2026-11-27"},
        {"type": "Case.Acknowledged; DROP TABLE"},
        {"limit": 0},
        {"cursor": "bm90LWEtY3Vyc29y"},
        {"colour": "blue"},
    ],
)
def test_a_malformed_feed_query_is_refused(
    client: TestClient, tokens: Tokens, params: dict[str, Any]
) -> None:
    response = client.get(f"{API}/audit/events", params=params, headers=tokens.inspector)

    assert response.status_code == 422
    assert response.json()["error"]["code"] in {"invalid_request", "invalid_cursor"}


# Histories --------------------------------------------------------------------------------


def test_any_record_has_its_history_read_from_the_event_store(
    client: TestClient, tokens: Tokens
) -> None:
    case = a_handled_case(client, tokens)

    history = get(client, f"/audit/records/{case['id']}/history", tokens.inspector)

    assert history["type"] == "Case"
    assert [item["label"] for item in history["items"]] == ["登记", "派单", "签收", "添加备注"]
    assert history["items"][0]["fields"]["complainant"]["name"] == NAME  # inspectors (§3)
    assert history["items"][2]["actor"]["department"] == SAMPLE_DEPARTMENT


def test_an_unknown_record_has_no_history(client: TestClient, tokens: Tokens) -> None:
    response = client.get(
        f"{API}/audit/records/00000000-0000-0000-0000-000000000001/history",
        headers=tokens.inspector,
    )

    assert error_of(response) == (404, "record_not_found")


def test_a_staff_members_history_holds_the_directory_their_cases_and_their_scorecards(
    client: TestClient, tokens: Tokens, container: Container, catch_up: Any
) -> None:
    container.supervision.load_conduct_rules(default_conduct_rules(), Actor("admin", Role.ADMIN))
    case = a_handled_case(client, tokens)
    other = posted(client, "/cases", tokens.operator, {**COMPLAINT, "staff": "S0002"})
    posted(
        client,
        "/deductions",
        tokens.inspector,
        {
            "rule": "harsh_attitude",
            "staff": "S0001",
            "occurred_at": "2026-11-26T10:00:00+08:00",
            "evidence": "暗访录像",
        },
    )
    catch_up()

    history = every_page(client, "/staff/S0001/history", tokens.inspector, limit=5)
    records = {item["record_id"] for item in history}
    types = [item["type"] for item in history]

    assert case["id"] in records
    assert other["id"] not in records
    assert str(scorecard_id(SubjectKind.STAFF, "S0001", "2026-11")) in records
    assert "Directory.StaffJoined" in types
    assert "Case.Acknowledged" in types  # every event of a case naming them
    assert "Scorecard.DeductionRecorded" in types
    assert all("S0001" in item["subjects"]["staff"] for item in history)


def test_an_unknown_staff_member_has_no_history(client: TestClient, tokens: Tokens) -> None:
    response = client.get(f"{API}/staff/S9999/history", headers=tokens.inspector)

    assert error_of(response) == (404, "staff_not_found")


# Checkpoints and verification --------------------------------------------------------------


def test_checkpoints_are_exported_and_an_exported_one_checks_out(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    a_handled_case(client, tokens)
    catch_up()

    (checkpoint,) = get(client, "/audit/checkpoints", tokens.inspector)["items"]
    check = posted(client, "/audit/checkpoints/verify", tokens.inspector, checkpoint)
    key = get(client, "/audit/public-key", tokens.inspector)

    assert checkpoint["number"] == 1
    assert checkpoint["public_key"] == key["base64"]
    assert json.loads(checkpoint["statement"])["chain_hash"] == checkpoint["chain_hash"]
    assert check == {
        "ok": True,
        "problem": None,
        "position": checkpoint["position"],
        "message": check["message"],
    }
    assert key["pem"].startswith("-----BEGIN PUBLIC KEY-----")


def test_a_forged_or_foreign_checkpoint_is_refused_with_a_clear_message(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    a_handled_case(client, tokens)
    catch_up()
    (ours,) = get(client, "/audit/checkpoints", tokens.inspector)["items"]
    edited = ours["statement"].replace(ours["chain_hash"], "0" * 64)
    forged = {**ours, "statement": edited, "chain_hash": "0" * 64}
    intruder = SigningKey.generate()
    theirs = ours["statement"].replace(ours["key_id"], intruder.key_id)
    foreign = {
        "statement": theirs,
        "signature": base64.b64encode(intruder.sign(theirs.encode())).decode(),
        "public_key": intruder.public.base64,
    }

    forged_check = posted(client, "/audit/checkpoints/verify", tokens.inspector, forged)
    foreign_check = posted(client, "/audit/checkpoints/verify", tokens.inspector, foreign)

    assert (forged_check["ok"], forged_check["problem"]) == (False, "forged_checkpoint")
    assert "forged" in forged_check["message"]
    assert (foreign_check["ok"], foreign_check["problem"]) == (False, "foreign_checkpoint")
    assert intruder.key_id in foreign_check["message"]


def test_verification_over_http_answers_ok_then_names_the_first_bad_position(
    client: TestClient, tokens: Tokens, catch_up: Any, database_url: str
) -> None:
    case = a_handled_case(client, tokens)
    catch_up()

    clean = posted(client, "/audit/verify", tokens.inspector)
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "UPDATE oversight_events SET state = set_byte(state, 20, get_byte(state, 20) # 4) "
            "WHERE notification_id = %s",
            (case["position"],),
        )
    tampered = posted(client, "/audit/verify", tokens.inspector)

    assert clean["ok"] is True
    assert clean["checked"] > 0
    assert (clean["first_bad_position"], clean["problem"]) == (None, None)
    assert tampered["ok"] is False
    assert tampered["first_bad_position"] == case["position"]
    assert tampered["problem"] == "altered"
    assert str(case["position"]) in tampered["message"]
