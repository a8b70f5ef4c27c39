"""The reads the inspector's desk needs, over HTTP: cases awaiting a decision (an extension
request, a proposed deduction), the list of deductions with its filters and pages, and the
directory pickers' search by number or name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from application.supervision import Supervision
from interfaces.bootstrap import Container
from tests.e2e.conftest import Tokens, get
from tests.e2e.test_discipline_http import deduct, month, rules  # noqa: F401 (fixtures)
from tests.factories import (
    API,
    INSPECTOR,
    OTHER_DEPARTMENT,
    SAMPLE_DEPARTMENT,
    assigned_case,
    case_asking_extension,
    case_proposing_deduction,
)

# Cases awaiting an inspector ----------------------------------------------------------


def ids_of(listed: dict[str, Any]) -> list[str]:
    return [item["id"] for item in listed["items"]]


def cases_listed(client: TestClient, tokens: Tokens, **filters: str) -> list[str]:
    """The ids of the cases the inspector's list shows with these filters."""
    return ids_of(get(client, "/cases", tokens.inspector, **filters))


def test_the_case_list_finds_the_extension_requests_awaiting_a_decision(
    client: TestClient, tokens: Tokens, container: Container, catch_up: Callable[[], object]
) -> None:
    # given a case asking for more days, and one that does not
    asking = case_asking_extension(container.supervision)
    assigned_case(container.supervision)
    catch_up()

    # when
    listed = get(client, "/cases", tokens.inspector, extension_requested="true")

    # then
    assert ids_of(listed) == [str(asking)]
    assert listed["items"][0]["extension_requested"] is True


@pytest.mark.usefixtures("rules")
def test_the_case_list_finds_proposed_deductions_no_inspector_has_decided(
    client: TestClient, tokens: Tokens, container: Container, catch_up: Callable[[], object]
) -> None:
    # given one proposal waiting, one dismissed
    waiting = case_proposing_deduction(container.supervision)
    dismissed = case_proposing_deduction(container.supervision, rule="phone_or_games")
    container.supervision.dismiss_proposed_deduction(dismissed, reason="情节轻微", by=INSPECTOR)
    catch_up()

    # when
    proposed = get(client, "/cases", tokens.inspector, proposal="proposed")
    decided = cases_listed(client, tokens, proposal="dismissed")

    # then
    assert ids_of(proposed) == [str(waiting)]
    assert proposed["items"][0]["proposed_deduction"] == {
        "status": "proposed",
        "status_label": "建议扣分待审定",
        "rule": "harsh_attitude",
        "staff": None,
        "window": "W-A01",
        "points": None,
    }
    assert decided == [str(dismissed)]


def granted_extension(supervision: Supervision) -> UUID:
    asking = case_asking_extension(supervision)
    supervision.grant_extension(asking, INSPECTOR)
    return asking


def confirmed_proposal(supervision: Supervision) -> UUID:
    proposing = case_proposing_deduction(supervision)
    supervision.confirm_proposed_deduction(proposing, INSPECTOR)
    return proposing


@pytest.mark.usefixtures("rules")
@pytest.mark.parametrize(
    ("decided_case", "awaiting", "found_by"),
    [
        pytest.param(granted_extension, {"extension_requested": "true"}, {}, id="extension"),
        pytest.param(
            confirmed_proposal, {"proposal": "proposed"}, {"proposal": "confirmed"}, id="proposal"
        ),
    ],
)
def test_a_decided_case_leaves_the_list_of_those_awaiting_a_decision(
    client: TestClient,
    tokens: Tokens,
    container: Container,
    catch_up: Callable[[], object],
    decided_case: Callable[[Supervision], UUID],
    awaiting: dict[str, str],
    found_by: dict[str, str],
) -> None:
    # given
    case_id = decided_case(container.supervision)
    catch_up()

    # then
    assert cases_listed(client, tokens, **awaiting) == []
    assert cases_listed(client, tokens, **found_by) == [str(case_id)]


# The list of deductions ----------------------------------------------------------------


def test_the_list_of_deductions_runs_last_recorded_first_with_revoked_ones(
    client: TestClient,
    tokens: Tokens,
    month: dict[str, Any],  # noqa: F811
) -> None:
    listed = get(client, "/deductions", tokens.inspector)

    assert len(listed["items"]) == len(month) - 1  # the revocation is no deduction
    assert listed["items"][-1]["id"] == month["late_han"]["id"]
    revoked = next(i for i in listed["items"] if i["id"] == month["notice_han"]["id"])
    assert revoked["revoked"] is True
    assert revoked["revoke_reason"] == "申诉成立：已提供告知书存根"
    assert revoked["staff_name"] == "韩蕾"


def test_the_list_of_deductions_filters_by_standing_staff_window_rule_and_days(
    client: TestClient,
    tokens: Tokens,
    month: dict[str, Any],  # noqa: F811
) -> None:
    def listed(**params: Any) -> list[str]:
        return ids_of(get(client, "/deductions", tokens.inspector, **params))

    assert listed(revoked="true") == [month["notice_han"]["id"]]
    assert month["notice_han"]["id"] not in listed(revoked="false")
    assert set(listed(staff="S0001")) == {
        month[name]["id"] for name in ("late_han", "rude_han", "notice_han")
    }
    assert listed(window="W-A03") == [month["guide_first_minutes"]["id"]]
    assert set(listed(rule="lateness_early_leave", **{"from": "2026-11-01"})) == {
        month[name]["id"] for name in ("late_han", "late_meng")
    }
    # the days of Asia/Shanghai: 16:10 UTC on 31 October is 00:10 on 1 November there
    assert listed(**{"from": "2026-10-31", "to": "2026-10-31"}) == [
        month["late_huang_october"]["id"]
    ]


def test_the_list_of_deductions_comes_in_pages_with_a_cursor(
    client: TestClient,
    tokens: Tokens,
    month: dict[str, Any],  # noqa: F811
) -> None:
    first = get(client, "/deductions", tokens.inspector, limit=4)
    second = get(client, "/deductions", tokens.inspector, limit=4, cursor=first["next"])
    everything = get(client, "/deductions", tokens.inspector)

    assert len(first["items"]) == 4
    assert ids_of(first) + ids_of(second) == ids_of(everything)[:8]


def test_a_department_lists_its_own_deductions_only(
    client: TestClient,
    tokens: Tokens,
    month: dict[str, Any],  # noqa: F811
) -> None:
    own = tokens.department

    listed = get(client, "/deductions", own)
    refused = client.get(f"{API}/deductions", params={"department": OTHER_DEPARTMENT}, headers=own)

    assert listed["items"]
    assert {item["department"] for item in listed["items"]} == {SAMPLE_DEPARTMENT}
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("path", "params"),
    [
        *(
            ("/cases", params)
            for params in (
                {"proposal": "maybe"},
                {"proposal": "proposed\x00"},
                {"extension_requested": "perhaps"},
            )
        ),
        *(
            ("/deductions", params)
            for params in (
                {"from": "2026-11-31"},
                {"from": "2026-11-10", "to": "2026-11-01"},
                {"staff": "S0001\x00"},
                {"rule": "Not A Rule"},
                {"limit": "1000000000000000000000"},
                {"limit": "-1"},
                {"cursor": "!!"},
                {"revoked": "sometimes"},
                {"colour": "blue"},
            )
        ),
        *(("/staff", {"q": q}) for q in ("", "韩\x00", "x" * 51)),
    ],
)
def test_a_bad_filter_of_the_new_reads_is_refused_with_422(
    client: TestClient, tokens: Tokens, path: str, params: dict[str, str]
) -> None:
    response = client.get(f"{API}{path}", params=params, headers=tokens.inspector)

    assert response.status_code == 422, response.text
    assert "error" in response.json()


def test_an_unknown_department_of_the_deductions_is_refused(
    client: TestClient, tokens: Tokens
) -> None:
    response = client.get(
        f"{API}/deductions", params={"department": "no-such-office"}, headers=tokens.inspector
    )

    assert response.status_code == 422, response.text


# The directory pickers ---------------------------------------------------------------


def test_staff_are_found_by_part_of_their_number_or_name(
    client: TestClient, tokens: Tokens
) -> None:
    by_name = get(client, "/staff", tokens.inspector, q="韩")
    by_number = get(client, "/staff", tokens.inspector, q="s0001")

    assert "S0001" in [s["id"] for s in by_name["items"]]
    assert all("韩" in s["name"] for s in by_name["items"])
    assert [s["id"] for s in by_number["items"]] == ["S0001"]


def test_windows_are_found_by_number_within_a_department(
    client: TestClient, tokens: Tokens
) -> None:
    found = get(client, "/windows", tokens.inspector, q="A0", department=SAMPLE_DEPARTMENT)
    nothing = get(client, "/windows", tokens.inspector, q="没有这个窗口")

    assert found["items"]
    assert all(w["department"] == SAMPLE_DEPARTMENT for w in found["items"])
    assert all("A0" in w["id"] for w in found["items"])
    assert nothing["items"] == []
