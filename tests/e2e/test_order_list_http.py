"""The list of rectification orders over HTTP (`GET /rectification-orders`, §7, §11): filters,
cursor pages, a department's own orders only, and bad input refused with a code."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.conftest import Tokens, error_of
from tests.factories import API, OTHER_DEPARTMENT, SAMPLE_DEPARTMENT, SAMPLE_WINDOW, posted
from tests.support import SettableTimeSource

ORDERS = f"{API}/rectification-orders"


def issued(client: TestClient, tokens: Tokens, **overrides: Any) -> dict[str, Any]:
    """An order issued through the API: the sample department's window, five working days."""
    body = {
        "department": SAMPLE_DEPARTMENT,
        "window": SAMPLE_WINDOW,
        "problem": "窗口未落实一次性告知",
        "requirements": "组织学习一次性告知制度",
        "working_days": 5,
        "source": {"type": "inspection", "ref": "2026年11月暗访"},
        **overrides,
    }
    return posted(client, "/rectification-orders", tokens.inspector, body)  # type: ignore[no-any-return]


def listed(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = client.get(ORDERS, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def numbers(page: dict[str, Any]) -> list[str]:
    return [item["tracking_number"] for item in page["items"]]


def test_orders_are_listed_newest_first_a_page_at_a_time_with_a_stable_cursor(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    # given five orders
    orders = [issued(client, tokens, problem=f"窗口问题 {n}") for n in range(5)]
    catch_up()

    # when the inspector reads them two at a time
    first = listed(client, tokens.inspector, limit=2)
    second = listed(client, tokens.inspector, limit=2, cursor=first["next"])
    third = listed(client, tokens.inspector, limit=2, cursor=second["next"])

    # then every order comes once, newest first, and the last page says there is no more
    newest_first = [order["tracking_number"] for order in reversed(orders)]
    assert numbers(first) + numbers(second) + numbers(third) == newest_first
    assert third["next"] is None
    assert first["items"][0]["status"] == "issued"
    assert first["items"][0]["status_label"] == "已下发"
    assert first["items"][0]["binding_deadline"] == "acknowledge"
    assert first["items"][0]["working_seconds_left"] > 0


def test_the_filters_find_orders_by_status_window_staff_text_and_issue_date(
    client: TestClient, tokens: Tokens, catch_up: Any, time_source: SettableTimeSource
) -> None:
    # given an acknowledged order at a window, one to the other department naming a staff
    # member, and one issued two days later
    at_window = issued(client, tokens, problem="叫号系统长期故障")
    posted(client, f"/rectification-orders/{at_window['id']}/acknowledge", tokens.department)
    elsewhere = issued(client, tokens, department=OTHER_DEPARTMENT, window=None, staff="S0010")
    time_source.advance(days=2)
    later = issued(client, tokens, window=None)
    catch_up()

    # when the inspector filters
    def found(**params: Any) -> list[str]:
        return numbers(listed(client, tokens.inspector, **params))

    # then
    assert found(status="in_progress") == [at_window["tracking_number"]]
    assert found(window=SAMPLE_WINDOW) == [at_window["tracking_number"]]
    assert found(staff="S0010") == [elsewhere["tracking_number"]]
    assert found(department=OTHER_DEPARTMENT) == [elsewhere["tracking_number"]]
    assert found(q="叫号系统") == [at_window["tracking_number"]]
    assert found(q=later["tracking_number"]) == [later["tracking_number"]]
    assert found(issued_from="2026-11-29") == [later["tracking_number"]]
    assert found(issued_to="2026-11-28") == [
        elsewhere["tracking_number"],
        at_window["tracking_number"],
    ]
    assert found(q="100%_不存在") == []


def test_overdue_and_extension_filters_find_the_orders_that_need_the_inspector(
    client: TestClient, tokens: Tokens, catch_up: Any, time_source: SettableTimeSource
) -> None:
    # given one order asking for an extension and another never acknowledged, long after
    asking = issued(client, tokens, working_days=10)
    posted(client, f"/rectification-orders/{asking['id']}/acknowledge", tokens.department)
    posted(
        client,
        f"/rectification-orders/{asking['id']}/extension",
        tokens.department,
        {"working_days": 3, "reason": "需要采购新的叫号设备"},
    )
    forgotten = issued(client, tokens)
    time_source.advance(days=4)
    catch_up()

    # when
    overdue = listed(client, tokens.inspector, overdue="true")
    extension = listed(client, tokens.inspector, extension_requested="true")
    on_time = listed(client, tokens.inspector, overdue="false")

    # then
    assert numbers(overdue) == [forgotten["tracking_number"]]
    assert overdue["items"][0]["overdue"] is True
    assert overdue["items"][0]["working_seconds_left"] < 0
    assert numbers(extension) == [asking["tracking_number"]]
    assert numbers(on_time) == [asking["tracking_number"]]


def test_a_department_lists_only_the_orders_issued_to_it_and_an_operator_lists_all(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    # given an order to each of two departments
    mine = issued(client, tokens)
    theirs = issued(client, tokens, department=OTHER_DEPARTMENT, window=None)
    catch_up()

    # when
    own = listed(client, tokens.department)
    other = listed(client, tokens.other_department)
    everything = listed(client, tokens.operator)
    asked_for_another = client.get(
        ORDERS, params={"department": OTHER_DEPARTMENT}, headers=tokens.department
    )

    # then
    assert numbers(own) == [mine["tracking_number"]]
    assert numbers(other) == [theirs["tracking_number"]]
    assert set(numbers(everything)) == {mine["tracking_number"], theirs["tracking_number"]}
    assert error_of(asked_for_another) == (403, "not_your_department")


def test_a_list_waits_for_the_inspectors_own_order_to_be_projected(
    client: TestClient, tokens: Tokens, catch_up: Any
) -> None:
    # given
    order = issued(client, tokens)
    catch_up()

    # when
    page = listed(client, tokens.inspector, after=order["position"])

    # then
    assert page["caught_up"] is True
    assert numbers(page) == [order["tracking_number"]]


def _cursor_of(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"colour": "red"}, "invalid_request"),
        ({"status": "pending"}, "invalid_request"),
        ({"department": "../etc"}, "invalid_request"),
        ({"window": "W A01"}, "invalid_request"),
        ({"q": "告知\x00"}, "invalid_character"),
        ({"q": "\x07"}, "invalid_character"),
        ({"q": "长" * 101}, "invalid_request"),
        ({"issued_from": "27/11/2026"}, "invalid_request"),
        ({"issued_from": "2026-02-30"}, "invalid_request"),
        ({"issued_from": "2026-12-01", "issued_to": "2026-11-01"}, "invalid_request"),
        ({"limit": "0"}, "invalid_request"),
        ({"limit": "-1"}, "invalid_request"),
        ({"limit": "201"}, "invalid_request"),
        ({"limit": "9" * 40}, "invalid_request"),
        ({"after": "-5"}, "invalid_request"),
        ({"after": "9" * 40}, "invalid_request"),
        ({"overdue": "perhaps"}, "invalid_request"),
        ({"cursor": "not a cursor!"}, "invalid_request"),
        ({"cursor": "abc"}, "invalid_cursor"),
        ({"cursor": _cursor_of("p" + "9" * 30)}, "invalid_cursor"),
        ({"cursor": _cursor_of("p-5")}, "invalid_cursor"),
    ],
    ids=[
        "unknown filter",
        "unknown status",
        "malformed department",
        "malformed window",
        "NUL in the text",
        "control character as the text",
        "text too long",
        "malformed date",
        "no such day",
        "range backwards",
        "limit zero",
        "limit negative",
        "limit too large",
        "limit huge",
        "negative position",
        "huge position",
        "overdue not a boolean",
        "malformed cursor",
        "cursor not handed out",
        "cursor past the last position",
        "cursor with a negative position",
    ],
)
def test_bad_filters_are_refused_with_a_code_never_a_server_error(
    client: TestClient, tokens: Tokens, params: dict[str, str], code: str
) -> None:
    # when
    response = client.get(ORDERS, params=params, headers=tokens.inspector)

    # then
    assert error_of(response) == (422, code)
