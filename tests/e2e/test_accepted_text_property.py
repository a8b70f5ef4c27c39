"""A property of the whole service: whatever text the API accepts in a command, every read
model, the ledger and the reports handle it (issue 12: no input may stop a projection).

Hypothesis draws text from every Unicode category — control characters, lone surrogates,
non-characters, right-to-left marks, emoji, Chinese — into each free-text field of the
commands people send. A command the API refuses must record nothing; after one it accepts,
the worker brings every runner to the head of the log with none failing, and a
list asked with `?after=` the command's position has caught up. At the end the ledger
verifies and the month's report is produced in every format.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import psycopg
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.actor import Actor, Role
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import Container
from tests.e2e.bodies import INSPECTION_ORDER, RUDE_REMARK
from tests.e2e.conftest import Tokens, position
from tests.factories import API, SAMPLE_DEPARTMENT, SAMPLE_WINDOW
from tests.support import SettableTimeSource

MONTH = "2026-11"
# Any code point at all, surrogates included (Hypothesis leaves them out unless told), and
# the text the centre's people mostly type, so that most drawn commands are accepted.
ANY_CHARACTER = st.characters(exclude_categories=[])
CHINESE = st.sampled_from("窗口人员态度生硬排队两小时材料一次性告知王芳李雷和平路号")
# What has broken read sides, spreadsheets and browsers elsewhere: NUL and other controls,
# lone surrogates, non-characters, line and paragraph separators, bidirectional overrides, a
# byte-order mark, a C1 control, and the starts of spreadsheet formulas.
TROUBLE = st.sampled_from(
    [
        "\x00",
        "\x07",
        "\x0b",
        "\x1b",
        "\ud800",
        "\udfff",
        "\ufffe",
        "\uffff",
        "\u2028",
        "\u202e",
        "\ufeff",
        "\x85",
        "=",
        '=HYPERLINK("x")',
        "@",
        "+",
        "-",
        "\t",
    ]
)
TEXT = st.one_of(
    st.text(ANY_CHARACTER, min_size=1, max_size=30),
    st.text(CHINESE, min_size=1, max_size=30),
    st.builds(
        lambda a, b, c: a + b + c,
        st.text(CHINESE, max_size=10),
        st.lists(st.one_of(TROUBLE, ANY_CHARACTER), min_size=1, max_size=5).map("".join),
        st.text(CHINESE, max_size=10),
    ),
)
Send = Callable[[str, str, dict[str, str], Any], Any]


def _case(send: Send, tokens: Tokens, text: str) -> str | None:
    registered = send(
        "POST",
        "/cases",
        tokens.operator,
        {
            "kind": "complaint",
            "channel": "hotline",
            "window": SAMPLE_WINDOW,
            "summary": text,
            "details": text,
            "category": text[:50],
            "complainant": {"name": text[:100], "address": text},
        },
    )
    return registered["id"] if registered else None


def _handled_case(send: Send, tokens: Tokens) -> str:
    case_id = _case(send, tokens, "排队两小时")
    assert case_id is not None
    send("POST", f"/cases/{case_id}/assign", tokens.operator, {"department": SAMPLE_DEPARTMENT})
    send("POST", f"/cases/{case_id}/acknowledge", tokens.department, None)
    return case_id


def _commands(send: Send, tokens: Tokens, text: str) -> list[Callable[[], Any]]:
    """Every command with free text, the drawn text in each of its text fields."""

    def note() -> Any:
        case_id = _handled_case(send, tokens)
        send("POST", f"/cases/{case_id}/notes", tokens.operator, {"text": text, "public": True})

    def return_and_stop() -> Any:
        case_id = _handled_case(send, tokens)
        send("POST", f"/cases/{case_id}/clock/stop", tokens.department, {"reason": text})

    def answer_and_callback() -> Any:
        case_id = _handled_case(send, tokens)
        send(
            "POST",
            f"/cases/{case_id}/result",
            tokens.department,
            {"outcome": "resolved", "actions": text, "answer": text},
        )
        send(
            "POST",
            f"/cases/{case_id}/callback",
            tokens.operator,
            {"reached": True, "satisfaction": "satisfied", "comment": text},
        )
        send("POST", f"/cases/{case_id}/reopen", tokens.operator, {"reason": text})

    def deduction() -> Any:
        recorded = send("POST", "/deductions", tokens.inspector, {**RUDE_REMARK, "evidence": text})
        if recorded:
            send("POST", f"/deductions/{recorded['id']}/revoke", tokens.inspector, {"reason": text})

    def order() -> Any:
        issued = send(
            "POST",
            "/rectification-orders",
            tokens.inspector,
            {**INSPECTION_ORDER, "problem": text, "requirements": text},
        )
        if issued:
            send(
                "POST", f"/rectification-orders/{issued['id']}/acknowledge", tokens.department, None
            )
            send(
                "POST",
                f"/rectification-orders/{issued['id']}/report",
                tokens.department,
                {"measures": text, "evidence": text},
            )

    def rating() -> Any:
        send("POST", "/evaluations", {}, {"window": SAMPLE_WINDOW, "rating": 1, "comment": text})

    return [
        lambda: _case(send, tokens, text),
        note,
        return_and_stop,
        answer_and_callback,
        deduction,
        order,
        rating,
    ]


def _runners_at(database_url: str, head: int) -> tuple[dict[str, int], list[str]]:
    with psycopg.connect(database_url) as connection:
        behind = dict(
            connection.execute(
                "SELECT name, position FROM projection_tracking "
                "WHERE position < %s AND name NOT LIKE %s",
                (head, "%_rebuild"),
            ).fetchall()
        )
        failing = [row[0] for row in connection.execute("SELECT name FROM runner_health")]
    return behind, failing


def test_any_text_the_api_accepts_reaches_every_read_model_the_ledger_and_the_reports(
    client: TestClient,
    container: Container,
    tokens: Tokens,
    time_source: SettableTimeSource,
    database_url: str,
) -> None:
    container.supervision.load_conduct_rules(default_conduct_rules(), Actor("admin", Role.ADMIN))
    worker = container.worker()
    accepted: list[str] = []

    def send(method: str, path: str, headers: dict[str, str], body: Any) -> Any:
        before = position(container)
        # ASCII-escaped JSON, as a client sends a lone surrogate (UTF-8 cannot carry one).
        response = client.request(
            method,
            f"{API}{path}",
            headers={**headers, "Content-Type": "application/json"},
            content=json.dumps(body).encode() if body is not None else None,
        )
        assert response.status_code < 500, response.text
        if response.status_code >= 400:
            assert position(container) == before, f"{path} refused but recorded something"
            return None
        answer = response.json()
        accepted.append(path)
        # then: the worker takes every runner to the head, none failing (a second turn, for
        # the policy to pass what it recorded itself in the first)...
        worker.run_once()
        worker.run_once()
        head = position(container)
        assert _runners_at(database_url, head) == ({}, [])
        # ...and the read side, asked to wait for the command, has seen it
        listed = client.get(
            f"{API}/cases", params={"after": answer.get("position", head)}, headers=tokens.inspector
        )
        assert listed.json()["caught_up"] is True
        return answer

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(text=TEXT, which=st.integers(min_value=0, max_value=6))
    def accepted_text_is_handled_everywhere(text: str, which: int) -> None:
        time_source.advance(minutes=7)  # past the minute of the public rate limit
        _commands(send, tokens, text)[which]()

    try:
        accepted_text_is_handled_everywhere()
    finally:
        worker.close()

    # then, over everything the API accepted: the ledger verifies, the reports come out
    assert len(accepted) > 40, "most drawn commands should be accepted"
    assert client.get("/readyz").status_code == 200
    verified = client.post(f"{API}/audit/verify", headers=tokens.inspector).json()
    assert verified["ok"], verified
    for report_format in ("json", "csv", "xlsx"):
        report = client.get(
            f"{API}/reports/monthly",
            params={"month": MONTH, "format": report_format},
            headers=tokens.inspector,
        )
        assert report.status_code == 200, report.text
