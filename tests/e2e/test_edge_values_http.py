"""Edge values at every entrance of the HTTP API, found from the app's own routes and OpenAPI
rather than listed by hand.

Every parameter of every GET route and every text field of every command body is fed text
the record cannot hold, numbers past what the database holds, malformed cursors and dates,
as each kind of caller: never a 500, every refusal in the one error shape with a code, text
the record cannot hold refused as `invalid_character`, and nothing recorded.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from domain.actor import Actor, Role
from domain.text import described
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import Container
from interfaces.http.app import API_PREFIX
from tests.e2e.conftest import Tokens, error_of, position
from tests.factories import (
    SAMPLE_DEPARTMENT,
    SAMPLE_WINDOW,
    a_deduction,
    assign,
    issued_order,
    registered_case,
)
from tests.support import SettableTimeSource, run_worker_once

OPERATOR = Actor("edge-operator", Role.OPERATOR)
INSPECTOR = Actor("edge-inspector", Role.INSPECTOR)
CALLERS = ("inspector", "operator", "department", "anonymous")

# Values as they travel in a URL, percent-encoded where they must be; the first four hold a
# character the record cannot hold.
UNSTORABLE_IN_URLS = {"a%00b": "\x00", "a%1Bb": "\x1b", "a%0Bb": "\x0b", "a%EF%BF%BEb": "\ufffe"}
EDGE_VALUES_IN_URLS = [
    *UNSTORABLE_IN_URLS,
    "%ED%A0%80",  # UTF-8 of a lone surrogate, which is no UTF-8 at all: read as U+FFFD
    "x" * 10_000,
    "",
    "-1",
    str(2**63),
    str(2**64),
    str(10**30),
    "cDk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5",  # a cursor: p99999999999999999999999
    "0000-00-00",
    "9999-12-31",
    "9999-12-31T23:59:59%2B23:59",
]
# Characters a command's text may not hold, sent inside JSON text (a lone surrogate too: JSON
# escapes it as \ud800, and Python reads it back as one).
UNSTORABLE_IN_BODIES = ("\x00", "\x01", "\x0b", "\x1b", "\x1f", "\ud800", "\udfff", "\ufffe")

# The patterns name all but lone surrogates, which no UTF-8 JSON text holds and Rust's regex
# engine (schemathesis validates patterns with it) cannot name.
NAMED_IN_PATTERNS = [c for c in UNSTORABLE_IN_BODIES if not "\ud800" <= c <= "\udfff"]

CODE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Seeded:
    """Records that path parameters can name, so requests reach past the lookup."""

    case: UUID
    order: UUID
    deduction: UUID


@pytest.fixture
def seeded(container: Container, time_source: SettableTimeSource) -> Seeded:
    app = container.supervision
    app.load_conduct_rules(default_conduct_rules(), Actor("edge-admin", Role.ADMIN))
    case = registered_case(container.supervision)
    assign(app, case, OPERATOR)
    order = issued_order(app, INSPECTOR)
    deduction = app.record_deduction(
        a_deduction(occurred_at=time_source.now() - timedelta(days=1)), INSPECTOR
    ).id
    run_worker_once(container)
    return Seeded(case=case, order=order, deduction=deduction)


@pytest.fixture
def openapi(client: TestClient) -> dict[str, Any]:
    return client.get(f"{API_PREFIX}/openapi.json").json()


def _valid_parameters(seeded: Seeded) -> dict[str, str]:
    """A value each path parameter and each required query parameter accepts."""
    return {
        "case_id": str(seeded.case),
        "order_id": str(seeded.order),
        "deduction_id": str(seeded.deduction),
        "record_id": str(seeded.case),
        "department_id": SAMPLE_DEPARTMENT,
        # No template is seeded: a spoilt body is refused before any record is looked up.
        "template_id": "00000000-0000-4000-8000-000000000001",
        # Nor an appeal or a notice: an edge value must be refused before any look-up too.
        "appeal_id": "00000000-0000-4000-8000-000000000002",
        "notice_id": "00000000-0000-4000-8000-000000000003",
        "assessment_id": "00000000-0000-4000-8000-000000000004",
        # Nor an item of the catalogue (事项清单): an unknown code is not found.
        "code": "BDC-002",
        "visit_id": "00000000-0000-4000-8000-000000000004",
        # Nor an evidence file (附件, §17): an unknown one is not found.
        "attachment_id": "00000000-0000-4000-8000-000000000005",
        "staff_id": "S0001",
        "from": "2026-11-01",
        "to": "2026-11-30",
        "kind": "complaint",
        "start": "2026-11-27T09:00:00%2B08:00",
        # A/B post cover (AB岗): no absence or gap is seeded either
        "window_id": "W-A01",
        "absence_id": "00000000-0000-4000-8000-000000000004",
        "day": "2026-11-23",
        "month": "2026-11",
        # The notifications' outbox (外发消息): no message is seeded
        "message_id": "00000000-0000-4000-8000-000000000005",
    }


def _headers(tokens: Tokens, caller: str) -> dict[str, str]:
    return {} if caller == "anonymous" else getattr(tokens, caller)


def _problem_with_refusal(response: Response) -> str | None:
    """What is wrong with an answer to an edge value: a 500, or a refusal without a code."""
    if response.status_code >= 500:
        return f"answered {response.status_code}: {response.text[:300]}"
    if response.status_code < 400:
        return None
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return f"answered {response.status_code} without the error body: {response.text[:300]}"
    if not CODE.fullmatch(str(error.get("code"))) or not error.get("message"):
        return f"answered {response.status_code} with a malformed error: {error}"
    return None


def _refused_as_invalid_character(response: Response, field: str, character: str) -> str | None:
    """What is wrong with the answer to text holding `character` in `field`, if anything."""
    if response.status_code != 422:
        return f"answered {response.status_code}: {response.text[:300]}"
    error = response.json()["error"]
    named = [
        item
        for item in error.get("fields", [])
        if item["type"] == "invalid_character" and item["field"].endswith(field)
    ]
    if error["code"] != "invalid_character" or not named:
        return f"answered {error}"
    if described(character) not in error["message"] or field not in error["message"]:
        return f"the message does not name {field} and {described(character)}: {error['message']}"
    return None


def _get_parameters(openapi: dict[str, Any]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    for path, operations in openapi["paths"].items():
        if "get" in operations and path.startswith(API_PREFIX):
            yield path, operations["get"].get("parameters", [])


def _url(path: str, parameters: list[dict[str, Any]], values: dict[str, str]) -> str:
    for name in re.findall(r"{(\w+)}", path):
        path = path.replace(f"{{{name}}}", values[name])
    query = "&".join(
        f"{p['name']}={values[p['name']]}"
        for p in parameters
        if p["in"] == "query" and p["name"] in values
    )
    return f"{path}?{query}" if query else path


@pytest.mark.slow
@pytest.mark.parametrize("caller", CALLERS)
def test_no_parameter_of_any_get_route_answers_an_edge_value_with_a_server_error(
    client: TestClient, tokens: Tokens, seeded: Seeded, openapi: dict[str, Any], caller: str
) -> None:
    valid = _valid_parameters(seeded)
    headers = _headers(tokens, caller)
    failures: list[str] = []
    swept = 0
    for path, parameters in _get_parameters(openapi):
        needed = {
            p["name"]: valid.get(p["name"])
            for p in parameters
            if p["in"] == "path" or p.get("required")
        }
        unknown = [name for name, value in needed.items() if value is None]
        assert not unknown, f"{path}: give the sweep a valid value of {unknown}"
        for parameter in parameters:
            if parameter["in"] not in ("path", "query"):
                continue
            for value in EDGE_VALUES_IN_URLS:
                url = _url(path, parameters, {**needed, parameter["name"]: value})
                response = client.get(url, headers=headers)
                swept += 1
                where = f"GET {path} {parameter['in']} {parameter['name']}={value[:40]}"
                problem = _problem_with_refusal(response)
                if problem is None and value in UNSTORABLE_IN_URLS:
                    problem = _refused_as_invalid_character(
                        response, parameter["name"], UNSTORABLE_IN_URLS[value]
                    )
                if problem is not None:
                    failures.append(f"{where}: {problem}")
    assert swept > 500, "the sweep found too few parameters: are the routes still there?"
    assert not failures, "\n".join(failures)


def _sample_bodies(seeded: Seeded) -> dict[str, dict[str, Any]]:
    """A body each command's schema accepts, with every optional text field given, so each
    text field can be spoilt alone."""
    reason = {"reason": "原因"}
    return {
        "CaseCreate": {
            "kind": "complaint",
            "channel": "hotline",
            "department": SAMPLE_DEPARTMENT,
            "window": SAMPLE_WINDOW,
            "staff": "S0001",
            "category": "服务态度",
            "summary": "态度生硬",
            "details": "窗口人员态度生硬",
            "complainant": {"name": "王芳", "phone": "13812345678", "address": "人民路1号"},
        },
        "CaseAssign": {"department": SAMPLE_DEPARTMENT, "note": "请核实"},
        "Reason": reason,
        "ExtensionBody": {"working_days": 3, "reason": "需要调查"},
        "ResultCreate": {
            "outcome": "substantiated",
            "actions": "已约谈",
            "answer": "已答复",
            "proposed_deduction": {"rule": "rude_attitude", "staff": "S0001", "window": "W-A01"},
        },
        "CallbackReached": {"reached": True, "satisfaction": "satisfied", "comment": "满意"},
        "MergeBody": {"into": str(seeded.case)},
        "NoteCreate": {"text": "已电话联系", "public": True},
        "SuperviseBody": {"note": "请加快办理"},
        "DeductionCreate": {
            "rule": "lateness_early_leave",
            "staff": "S0001",
            "window": SAMPLE_WINDOW,
            "occurred_at": "2026-11-26T09:00:00+08:00",
            "evidence": "考勤记录",
            "source": {"type": "patrol", "ref": "巡查-1"},
        },
        "OrderCreate": {
            "department": SAMPLE_DEPARTMENT,
            "window": SAMPLE_WINDOW,
            "staff": "S0001",
            "problem": "窗口无人",
            "requirements": "排班到岗",
            "source": {"type": "inspection", "ref": "检查-1"},
        },
        "RectificationReportCreate": {"measures": "已排班", "evidence": "排班表"},
        "AcceptBody": {"note": "验收通过"},
        "RejectBody": {"reasons": "仍无人", "working_days": 3},
        "EvaluationCreate": {
            "window": SAMPLE_WINDOW,
            "staff": "S0001",
            "rating": 1,
            "comment": "等太久",
            "service_item": "不动产登记",
        },
        "CaseStatusQuery": {"tracking_number": "HL20261127-0001", "access_code": "K7M2P-9QXRT"},
        "AnswerTemplateCreate": {"category": "服务态度", "title": "致歉", "text": "已约谈当事人"},
        "AnswerTemplateEdit": {"category": "服务态度", "title": "致歉", "text": "已约谈当事人"},
        "ReminderCreate": {"message": "请尽快办理"},
        "AppealCreate": {"reasons": "当事人当时在解释政策", "evidence": "录音一段"},
        "DirectionBody": {"note": "请三个工作日内办结", "working_days": 3},
        "NoticeCreate": {
            "title": "关于窗口服务的通报",
            "text": "予以通报批评",
            "kind": "criticism",
            "subject": {"type": "window", "id": SAMPLE_WINDOW},
        },
        "NoticeEdit": {"title": "关于窗口服务的通报", "text": "予以通报批评", "kind": "criticism"},
        "AssessmentCreate": {
            "title": "11月千人千题",
            "date": "2026-11-20",
            "pass_mark": 60,
            "results": [{"staff": "S0001", "score": 58}],
        },
        "VisitCreate": {
            "date": "2026-11-26",
            "method": "patrol",
            "windows": [SAMPLE_WINDOW],
            "summary": "巡查窗口",
        },
        "DeductionFinding": {
            "type": "deduction",
            "rule": "lateness_early_leave",
            "staff": "S0001",
            "occurred_at": "2026-11-26T10:00:00+08:00",
            "evidence": "考勤记录",
        },
        "OrderFinding": {
            "type": "order",
            "department": SAMPLE_DEPARTMENT,
            "problem": "办事指南未公示",
            "requirements": "公示办事指南",
        },
        "CaseFinding": {
            "type": "case",
            "kind": "complaint",
            "channel": "walk_in",
            "window": SAMPLE_WINDOW,
            "summary": "排队无人引导",
            "complainant": {"name": "张三", "phone": "13800000000", "address": "某路 1 号"},
        },
        "CheckpointUpload": {
            "statement": "oversight checkpoint",
            "signature": "c2lnbmF0dXJl",
            "chain_hash": "00",
            "key_id": "key",
            "public_key": "a2V5",
        },
        "SurveyBatchCreate": {
            "source": "third_party",
            "provider": "某某测评公司",
            "window": SAMPLE_WINDOW,
            "from": "2026-11-01",
            "to": "2026-11-20",
            "counts": {"1": 0, "2": 1, "3": 1, "4": 4, "5": 4},
        },
        "AbsenceCreate": {
            "staff": "S0001",
            "from": "2026-12-07",
            "to": "2026-12-07",
            "reason": "病假",
            "covered_by": "S0002",
        },
    }


def _resolved(openapi: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _text_fields(
    openapi: dict[str, Any], schema: dict[str, Any]
) -> Iterator[tuple[str | int, ...]]:
    """The path of every field of a body that takes text (ids, enums, dates included); in a
    list, its first item's."""
    schema = _resolved(openapi, schema)
    for option in schema.get("anyOf", []):
        yield from _text_fields(openapi, option)
    if schema.get("type") == "array":
        for inner in _text_fields(openapi, schema["items"]):
            yield (0, *inner)
    if schema.get("type") == "string":
        yield ()
    for name, field in schema.get("properties", {}).items():
        for inner in _text_fields(openapi, field):
            yield (name, *inner)


def _spoilt(body: dict[str, Any], field: tuple[str | int, ...], character: str) -> dict[str, Any]:
    spoilt = copy.deepcopy(body)
    holder = spoilt
    for name in field[:-1]:
        holder = holder[name]
    holder[field[-1]] = f"ok{character}ok"
    return spoilt


def _commands(
    openapi: dict[str, Any], valid: dict[str, str]
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Each command that reads a JSON body: its URL, its schema's name and its schema."""
    for path, operations in openapi["paths"].items():
        body = operations.get("post", {}).get("requestBody")
        if body is None:
            continue
        # An upload (evidence files, §17) is multipart, no JSON text: the file's name, its
        # only text, is sanitised rather than refused (tests/e2e/test_attachments_http.py).
        if "application/json" not in body["content"]:
            continue
        # A body of several kinds (`oneOf`: a visit's finding) is swept kind by kind.
        for schema in body["content"]["application/json"]["schema"].get("oneOf") or [
            body["content"]["application/json"]["schema"]
        ]:
            named = [option for option in [schema, *schema.get("anyOf", [])] if "$ref" in option]
            yield _url(path, [], valid), named[0]["$ref"].rsplit("/", 1)[1], schema


@pytest.mark.slow
def test_every_text_field_of_every_command_refuses_unstorable_characters_recording_nothing(
    client: TestClient,
    container: Container,
    tokens: Tokens,
    seeded: Seeded,
    openapi: dict[str, Any],
) -> None:
    samples = _sample_bodies(seeded)
    failures: list[str] = []
    fields = 0
    swept = set()
    before = position(container)
    for url, name, schema in _commands(openapi, _valid_parameters(seeded)):
        assert name in samples, f"POST {url}: give the sweep a valid {name} body"
        swept.add(url)
        for field in dict.fromkeys(_text_fields(openapi, schema)):
            fields += 1
            for character in UNSTORABLE_IN_BODIES:
                content = json.dumps(_spoilt(samples[name], field, character))
                for caller in CALLERS:
                    response = client.post(
                        url,
                        content=content,
                        headers={**_headers(tokens, caller), "Content-Type": "application/json"},
                    )
                    if response.status_code not in (401, 403):
                        break
                where = ".".join(str(part) for part in field)
                # A list of text is refused as a whole, naming the item ("windows: item 1: …").
                named = ".".join(str(part) for part in field[:-1]) if field[-1] == 0 else where
                problem = _refused_as_invalid_character(response, named, character)
                if problem is not None:
                    failures.append(f"POST {url} {where} {described(character)}: {problem}")
    assert fields > 60, "the sweep found too few text fields: are the commands still there?"
    assert {f"{API_PREFIX}/evaluations", f"{API_PREFIX}/public/case-status"} <= swept
    assert not failures, "\n".join(failures)
    assert position(container) == before, "a refused command recorded something"


@pytest.mark.parametrize(
    ("url", "name"),
    [("/cases?q=a%00b", "q"), ("/audit/events?actor=a%00b", "actor")],
)
def test_a_nul_in_a_free_text_filter_is_refused_naming_the_filter(
    client: TestClient, tokens: Tokens, url: str, name: str
) -> None:
    response = client.get(f"{API_PREFIX}{url}", headers=tokens.inspector)

    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "invalid_character",
        "message": f"{name}: the character U+0000 at position 2 cannot be recorded",
        "fields": [
            {
                "field": f"query.{name}",
                "message": "the character U+0000 at position 2 cannot be recorded",
                "type": "invalid_character",
            }
        ],
    }


@pytest.mark.parametrize(
    "url", ["/cases", "/audit/events", "/staff/S0001/history"], ids=["cases", "feed", "staff"]
)
@pytest.mark.parametrize(
    "cursor",
    [
        "cDk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5",  # p99999999999999999999999
        "cDkyMjMzNzIwMzY4NTQ3NzU4MDg",  # p9223372036854775808: one past bigint
        "cC0x",  # p-1
        "cMKy",  # p², a digit to str.isdigit but not to int
    ],
    ids=["far past bigint", "one past bigint", "negative", "superscript two"],
)
def test_a_cursor_that_names_no_position_of_the_log_is_refused_as_invalid_cursor(
    client: TestClient, tokens: Tokens, url: str, cursor: str
) -> None:
    response = client.get(f"{API_PREFIX}{url}?cursor={cursor}", headers=tokens.inspector)

    assert error_of(response) == (422, "invalid_cursor")


def test_the_last_position_of_the_log_is_a_cursor_like_any_other(
    client: TestClient, tokens: Tokens
) -> None:
    cursor = "cDkyMjMzNzIwMzY4NTQ3NzU4MDc"  # p9223372036854775807

    response = client.get(f"{API_PREFIX}/audit/events?cursor={cursor}", headers=tokens.inspector)

    assert response.status_code == 200, response.text


@pytest.mark.parametrize("after", [str(2**53), str(2**63), str(2**64), "-1"])
def test_a_position_to_wait_for_that_the_log_cannot_reach_is_refused(
    client: TestClient, tokens: Tokens, after: str
) -> None:
    response = client.get(f"{API_PREFIX}/cases?after={after}", headers=tokens.operator)

    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "query.after"


def test_a_summary_holding_a_nul_is_refused_naming_the_field_the_character_and_where(
    client: TestClient, tokens: Tokens, container: Container
) -> None:
    before = position(container)

    response = client.post(
        f"{API_PREFIX}/cases",
        json={"kind": "complaint", "channel": "hotline", "summary": "ab\x00c"},
        headers=tokens.operator,
    )

    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "invalid_character",
        "message": "summary: the character U+0000 at position 3 cannot be recorded",
        "fields": [
            {
                "field": "body.summary",
                "message": "the character U+0000 at position 3 cannot be recorded",
                "type": "invalid_character",
            }
        ],
    }
    assert position(container) == before


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x0b"], ids=["NUL", "ESC", "VT"])
def test_a_bearer_token_holding_a_control_character_is_refused_as_invalid_character(
    client: TestClient, character: str
) -> None:
    response = client.get(
        f"{API_PREFIX}/cases", headers={"Authorization": f"Bearer tok{character}en"}
    )

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_character"
    assert error["fields"][0]["field"] == "header.Authorization"


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x1f"], ids=["NUL", "ESC", "US"])
def test_an_idempotency_key_holding_a_control_character_is_refused_recording_nothing(
    client: TestClient, container: Container, character: str
) -> None:
    before = position(container)

    response = client.post(
        f"{API_PREFIX}/evaluations",
        json={"window": SAMPLE_WINDOW, "rating": 1, "comment": "等太久"},
        headers={"Idempotency-Key": f"key{character}1"},
    )

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_character"
    assert error["message"] == (
        f"Idempotency-Key: the character {described(character)} at position 4 cannot be recorded"
    )
    assert position(container) == before


def _string_schemas(
    openapi: dict[str, Any], schema: dict[str, Any], where: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    schema = _resolved(openapi, schema)
    for option in schema.get("anyOf", []):
        yield from _string_schemas(openapi, option, where)
    if schema.get("type") == "string":
        yield where, schema
    for name, field in schema.get("properties", {}).items():
        yield from _string_schemas(openapi, field, f"{where}.{name}")


def test_the_openapi_says_every_text_a_request_carries_refuses_unstorable_characters(
    openapi: dict[str, Any],
) -> None:
    """Clients and fuzzers generate from the OpenAPI: text it calls valid must be accepted."""
    undocumented = []
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            places = [
                (f"{p['in']} {p['name']}", p["schema"]) for p in operation.get("parameters", [])
            ]
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                places.append(("body", body["schema"]))
            for place, schema in places:
                for where, text in _string_schemas(openapi, schema, place):
                    if "enum" in text or text.get("format") == "uuid":
                        continue
                    pattern = re.compile(text.get("pattern", ""))
                    if any(pattern.search(f"ok{c}ok") for c in NAMED_IN_PATTERNS):
                        undocumented.append(f"{method.upper()} {path} {where}")
                    try:
                        # A pattern schemathesis cannot read, it drops: generated text
                        # would then hold anything.
                        jsonschema_rs.validator_for(text)
                    except jsonschema_rs.ValidationError:
                        undocumented.append(f"{method.upper()} {path} {where}: unreadable")
    assert not undocumented, "\n".join(undocumented)
