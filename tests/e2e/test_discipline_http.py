"""The double-hundred system over HTTP: a hand-checked month of deductions, its scores, blue
and red lists and monthly reports, and every refusal."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from domain.actor import Actor, Role
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import Container
from interfaces.reports import CSV_HEADERS
from tests.e2e.conftest import Tokens, error_of, get, position
from tests.factories import API, SAMPLE_DEPARTMENT

WINDOWS, STAFF = 61, 110  # in the sample directory

# The hand-checked month (November 2026; the clock stands at 27 November 10:00):
#   S0001 韩蕾 (W-A01)  2 迟到早退 + 5 态度生硬 (+5 一次性告知, revoked)  → 93
#   W-A01              5 态度生硬 (韩蕾 named alone, rule for both)      → 95
#   W-A02              5 窗口无人 + 10 与群众争吵                          → 85
#   S0003 黄德胜 (W-A02) 10 与群众争吵 (2 迟到早退 on 31 October 23:30)    → 90
#   W-A03              2 未公示 (1 November 00:10, still 31 October UTC)  → 98
#   S0010 彭莉 (W-A06)  4 玩手机 (inspector's points instead of 3)        → 96
#   S0011 孟霞 (W-A07)  吃拿卡要 (all remaining) + 2 迟到早退              → 0
#   W-A07              吃拿卡要                                           → 0
NOVEMBER = {
    ("window", "W-A01"): 95,
    ("window", "W-A02"): 85,
    ("window", "W-A03"): 98,
    ("window", "W-A07"): 0,
    ("staff", "S0001"): 93,
    ("staff", "S0003"): 90,
    ("staff", "S0010"): 96,
    ("staff", "S0011"): 0,
}


def deduction(**fields: Any) -> dict[str, Any]:
    return {"evidence": "督查组巡查记录", "source": {"type": "patrol"}, **fields}


MONTH_OF_ACTIVITY: list[tuple[str, dict[str, Any]]] = [
    (
        "late_han",
        deduction(
            rule="lateness_early_leave",
            staff="S0001",
            occurred_at="2026-11-02T09:40:00+08:00",
            evidence="考勤 9:40 到岗",
        ),
    ),
    (
        "rude_han",
        deduction(
            rule="harsh_attitude",
            staff="S0001",
            occurred_at="2026-11-03T10:15:00+08:00",
            evidence="暗访录像：言语生硬",
            source={"type": "unannounced_visit"},
        ),
    ),
    (
        "unattended",
        deduction(
            rule="window_unattended",
            window="W-A02",
            occurred_at="2026-11-03T14:00:00+08:00",
            evidence="窗口无人",
        ),
    ),
    (
        "quarrel",
        deduction(
            rule="quarrel_with_citizen",
            staff="S0003",
            window="W-A02",
            occurred_at="2026-11-05T11:00:00+08:00",
            evidence="与办事群众争吵",
            source={"type": "case", "ref": "HL20261105-0003"},
        ),
    ),
    (
        "phone",
        deduction(
            rule="phone_or_games",
            staff="S0010",
            points=4,
            occurred_at="2026-11-10T16:00:00+08:00",
            evidence="监控：玩手机",
        ),
    ),
    (
        "integrity",
        deduction(
            rule="integrity",
            staff="S0011",
            occurred_at="2026-11-12T09:00:00+08:00",
            evidence="收受购物卡",
            source={"type": "case", "ref": "HL20261111-0002"},
        ),
    ),
    (
        "late_meng",
        deduction(
            rule="lateness_early_leave",
            staff="S0011",
            occurred_at="2026-11-12T10:00:00+08:00",
            evidence="考勤 10:00",
        ),
    ),
    (
        "notice_han",
        deduction(
            rule="one_time_notice",
            staff="S0001",
            occurred_at="2026-11-18T15:00:00+08:00",
            evidence="未告知",
        ),
    ),
    (
        "late_huang_october",
        deduction(
            rule="lateness_early_leave",
            staff="S0003",
            occurred_at="2026-10-31T23:30:00+08:00",
            evidence="迟到",
        ),
    ),
    (
        "guide_first_minutes",
        deduction(
            rule="guide_not_posted",
            window="W-A03",
            occurred_at="2026-10-31T16:10:00Z",
            evidence="未公示",
        ),
    ),
]


@pytest.fixture
def rules(container: Container) -> None:
    container.supervision.load_conduct_rules(default_conduct_rules(), Actor("admin", Role.ADMIN))


@pytest.fixture
def month(client: TestClient, tokens: Tokens, rules: None, catch_up: Any) -> dict[str, Any]:
    """November's deductions recorded, one revoked, and the read side caught up."""
    answers = {name: deduct(client, tokens, body) for name, body in MONTH_OF_ACTIVITY}
    revoked = client.post(
        f"{API}/deductions/{answers['notice_han']['id']}/revoke",
        json={"reason": "申诉成立：已提供告知书存根"},
        headers=tokens.inspector,
    )
    assert revoked.status_code == 200, revoked.text
    answers["revoked"] = revoked.json()
    catch_up()
    return answers


def deduct(client: TestClient, tokens: Tokens, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"{API}/deductions", json=body, headers=tokens.inspector)
    assert response.status_code == 201, response.text
    return response.json()


# Commands -------------------------------------------------------------------------


def test_a_deduction_answers_both_cards_new_scores_and_its_position(
    client: TestClient, tokens: Tokens, rules: None, container: Container
) -> None:
    answer = deduct(client, tokens, MONTH_OF_ACTIVITY[1][1])

    assert answer["rule"] == "harsh_attitude"
    assert answer["rule_name"] == "态度生硬/言语粗暴"
    assert answer["points"] == 5
    assert answer["month"] == "2026-11"
    assert [(c["subject"], c["id"], c["score"], c["deducted"]) for c in answer["cards"]] == [
        ("staff", "S0001", 95, 5),
        ("window", "W-A01", 95, 5),
    ]
    assert answer["position"] == position(container)


def test_the_month_of_activity_answers_as_hand_checked(month: dict[str, Any]) -> None:
    assert [(c["id"], c["score"]) for c in month["integrity"]["cards"]] == [
        ("S0011", 0),
        ("W-A07", 0),
    ]
    assert [(c["id"], c["score"]) for c in month["late_meng"]["cards"]] == [("S0011", 0)]
    assert [(c["id"], c["score"]) for c in month["quarrel"]["cards"]] == [
        ("S0003", 90),
        ("W-A02", 85),
    ]
    assert month["late_huang_october"]["month"] == "2026-10"
    assert month["guide_first_minutes"]["month"] == "2026-11"
    assert month["revoked"]["revoked"] is True
    assert [(c["id"], c["score"]) for c in month["revoked"]["cards"]] == [
        ("S0001", 93),
        ("W-A01", 95),
    ]


def test_a_retry_with_the_same_idempotency_key_answers_the_first_answer_and_records_nothing(
    client: TestClient, tokens: Tokens, rules: None, container: Container
) -> None:
    headers = {**tokens.inspector, "Idempotency-Key": "patrol-2026-11-03-0001"}
    body = MONTH_OF_ACTIVITY[1][1]
    first = client.post(f"{API}/deductions", json=body, headers=headers)
    recorded = position(container)

    again = client.post(f"{API}/deductions", json=body, headers=headers)
    other = client.post(f"{API}/deductions", json={**body, "points": 6}, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert error_of(other) == (422, "idempotency_key_reused")
    assert position(container) == recorded


# Reading --------------------------------------------------------------------------


def test_every_window_and_staff_member_has_the_hand_checked_score(
    client: TestClient, tokens: Tokens, month: dict[str, Any]
) -> None:
    scores = get(
        client, "/scores", tokens.inspector, month="2026-11", after=month["revoked"]["position"]
    )

    assert scores["caught_up"] is True
    assert len(scores["items"]) == WINDOWS + STAFF
    by_subject = {(i["subject"], i["id"]): i for i in scores["items"]}
    assert {k: i["score"] for k, i in by_subject.items() if i["score"] != 100} == NOVEMBER
    assert by_subject[("staff", "S0001")]["deducted"] == 7
    assert by_subject[("staff", "S0011")]["deducted"] == 100
    assert by_subject[("staff", "S0001")]["name"] == "韩蕾"
    assert by_subject[("staff", "S0001")]["department_name"] == "不动产登记中心"


def test_october_only_has_the_lateness_of_its_last_half_hour(
    client: TestClient, tokens: Tokens, month: dict[str, Any]
) -> None:
    scores = get(client, "/scores", tokens.operator, month="2026-10", subject="staff")

    assert len(scores["items"]) == STAFF
    assert {i["id"]: i["score"] for i in scores["items"] if i["score"] != 100} == {"S0003": 98}


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (
            "2026-11-03",
            [
                ("harsh_attitude", "S0001", "W-A01", ["window", "staff"], 5),
                ("window_unattended", None, "W-A02", ["window"], 5),
            ],
        ),
        (
            "2026-11-12",
            [
                ("integrity", "S0011", "W-A07", ["window", "staff"], 100),
                ("lateness_early_leave", "S0011", "W-A07", ["staff"], 2),
            ],
        ),
        ("2026-11-18", []),
        ("2026-11-01", [("guide_not_posted", None, "W-A03", ["window"], 2)]),
        ("2026-10-31", [("lateness_early_leave", "S0003", "W-A02", ["staff"], 2)]),
    ],
    ids=["two on one day", "all remaining and more", "revoked", "first minutes", "last minutes"],
)
def test_a_days_blue_list_shows_its_deductions_in_force(
    client: TestClient,
    tokens: Tokens,
    month: dict[str, Any],
    day: str,
    expected: list[tuple[Any, ...]],
) -> None:
    blue = get(client, "/blue-list", tokens.inspector, date=day)

    assert blue["date"] == day
    assert [
        (i["rule"], i["staff"], i["window"], i["charged"], i["points"]) for i in blue["items"]
    ] == expected


def test_a_blue_list_line_names_the_rule_the_people_and_the_evidence(
    client: TestClient, tokens: Tokens, month: dict[str, Any]
) -> None:
    (quarrel,) = get(client, "/blue-list", tokens.operator, date="2026-11-05")["items"]

    assert quarrel["rule_name"] == "与群众争吵"
    assert (quarrel["staff_name"], quarrel["window_name"]) == ("黄德胜", "不动产登记综合受理窗口")
    assert quarrel["evidence"] == "与办事群众争吵"
    assert quarrel["source"] == {"type": "case", "ref": "HL20261105-0003"}
    assert quarrel["occurred_at"] == "2026-11-05T11:00:00+08:00"


def test_the_red_list_is_public_and_names_everyone_with_no_deduction_in_force(
    client: TestClient, month: dict[str, Any]
) -> None:
    red = get(client, "/red-list", {}, month="2026-11")

    assert len(red["windows"]) == WINDOWS - 4
    assert len(red["staff"]) == STAFF - 4
    staff_names = {i["name"] for i in red["staff"]}
    assert "夏芳" in staff_names  # S0002, W-A01's B post: nothing deducted
    assert staff_names.isdisjoint({"韩蕾", "黄德胜", "彭莉", "孟霞"})
    assert {i["window"] for i in red["windows"]}.isdisjoint({"W-A01", "W-A02", "W-A03", "W-A07"})
    assert set(red["staff"][0]) == {"name", "department", "department_name", "window"}


def test_the_monthly_report_lists_a_departments_scores_and_every_deduction_in_force(
    client: TestClient, tokens: Tokens, month: dict[str, Any]
) -> None:
    report = get(
        client, "/reports/monthly", tokens.inspector, month="2026-11", department=SAMPLE_DEPARTMENT
    )

    (department,) = report["departments"]
    assert department["name"] == "不动产登记中心"
    assert [(w["id"], w["score"]) for w in department["windows"]] == [
        ("W-A01", 95),
        ("W-A02", 85),
        ("W-A03", 98),
        ("W-A04", 100),
        ("W-A05", 100),
    ]
    assert len(department["staff"]) == 10
    assert [(d["rule"], d["points"]) for d in department["deductions"]] == [
        ("guide_not_posted", 2),
        ("lateness_early_leave", 2),
        ("harsh_attitude", 5),
        ("window_unattended", 5),
        ("quarrel_with_citizen", 10),
    ]


def test_the_xlsx_report_has_a_summary_and_a_sheet_per_department_with_chinese_headers(
    client: TestClient, tokens: Tokens, month: dict[str, Any]
) -> None:
    response = client.get(
        f"{API}/reports/monthly",
        params={"month": "2026-11", "format": "xlsx"},
        headers=tokens.inspector,
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["content-disposition"] == (
        'attachment; filename="oversight-report-2026-11.xlsx"'
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "汇总"
    assert len(book.sheetnames) == 31
    assert {"不动产登记中心", "税务局"} <= set(book.sheetnames)
    summary = book["汇总"]
    assert "2026年11月" in summary["A1"].value
    assert [c.value for c in summary[2]][:3] == [
        "数据截至",
        "2026-11-27T10:00:00+08:00",
        "生成报表时的记录（未指定时点）",
    ]
    assert [c.value for c in summary[3]] == [
        "部门",
        "窗口数",
        "工作人员数",
        "窗口平均分",
        "工作人员平均分",
        "扣分次数",
        "扣分",
    ]
    (deeds,) = [
        row for row in summary.iter_rows(min_row=3, values_only=True) if row[0] == "不动产登记中心"
    ]
    assert deeds == ("不动产登记中心", 5, 10, 95.6, 98.3, 5, 24)
    sheet = book["不动产登记中心"]
    assert sheet["A1"].value == "不动产登记中心 2026年11月 双百分考核"
    assert [c.value for c in sheet[2]][:5] == ["类别", "窗口", "工作人员", "得分", "扣分"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert ("窗口", "W-A01 不动产登记综合受理窗口", None, 95, 5) in [r[:5] for r in rows]
    assert ("工作人员", "W-A01", "韩蕾", 93, 7) in [r[:5] for r in rows]
    headers = [r for r in rows if r and r[0] == "时间"]
    assert headers
    assert list(headers[0]) == [
        "时间",
        "窗口",
        "工作人员",
        "扣分事项",
        "扣分",
        "扣分对象",
        "依据",
        "来源",
    ]
    assert sheet.column_dimensions["B"].width >= 20
    assert sheet.column_dimensions["G"].width >= 10


def test_the_csv_report_is_utf8_with_a_byte_order_mark_for_excel(
    client: TestClient, tokens: Tokens, month: dict[str, Any]
) -> None:
    response = client.get(
        f"{API}/reports/monthly",
        params={"month": "2026-11", "format": "csv", "department": SAMPLE_DEPARTMENT},
        headers=tokens.operator,
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == (
        'attachment; filename="oversight-report-2026-11-real-estate-registration.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    as_of, *rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    assert as_of == ["数据截至", "2026-11-27T10:00:00+08:00", "生成报表时的记录（未指定时点）"]
    assert tuple(rows[0]) == CSV_HEADERS
    han = [row for row in rows if row[4] == "韩蕾"]
    assert [(row[5], row[6], row[7], row[8]) for row in han] == [
        ("93", "7", "迟到早退", "2"),
        ("93", "7", "态度生硬/言语粗暴", "5"),
    ]
    (xia,) = [row for row in rows if row[4] == "夏芳"]
    assert (xia[5], xia[6], xia[7]) == ("100", "0", "")


# Roles --------------------------------------------------------------------------------


def test_a_department_sees_only_its_own_scores_lists_and_report(
    client: TestClient, tokens: Tokens, month: dict[str, Any]
) -> None:
    own = get(client, "/scores", tokens.department, month="2026-11")
    own_blue = get(client, "/blue-list", tokens.department, date="2026-11-12")
    report = get(client, "/reports/monthly", tokens.department, month="2026-11")

    assert len(own["items"]) == 15
    assert {i["department"] for i in own["items"]} == {SAMPLE_DEPARTMENT}
    assert own_blue["items"] == []
    assert [d["id"] for d in report["departments"]] == [SAMPLE_DEPARTMENT]
    for path, params in (
        ("/scores", {"department": "taxation"}),
        ("/blue-list", {"department": "taxation"}),
        ("/reports/monthly", {"department": "taxation", "format": "xlsx"}),
    ):
        refused = client.get(f"{API}{path}", params=params, headers=tokens.department)
        assert error_of(refused) == (403, "not_your_department")


def test_the_conduct_catalogue_is_listed_to_every_signed_in_role(
    client: TestClient, tokens: Tokens, rules: None
) -> None:
    for headers in (tokens.operator, tokens.department, tokens.inspector, tokens.admin):
        items = get(client, "/conduct-rules", headers)["items"]
        assert len(items) == len(default_conduct_rules())
    (integrity,) = [i for i in items if i["code"] == "integrity"]
    assert integrity == {
        "code": "integrity",
        "name": "吃拿卡要",
        "name_en": "Integrity violation (bribes, gifts, obstruction)",
        "points": 100,
        "applies_to": "both",
        "all_remaining": True,
    }
    assert client.get(f"{API}/conduct-rules").status_code == 401


@pytest.mark.parametrize(
    ("path", "who", "status"),
    [
        ("/scores", "admin", 403),
        ("/blue-list", "admin", 403),
        ("/reports/monthly", "admin", 403),
        ("/scores", None, 401),
        ("/blue-list", None, 401),
        ("/reports/monthly", None, 401),
    ],
)
def test_scores_lists_and_reports_are_for_operators_departments_and_inspectors(
    client: TestClient, tokens: Tokens, path: str, who: str | None, status: int
) -> None:
    headers = getattr(tokens, who) if who else {}

    assert client.get(f"{API}{path}", headers=headers).status_code == status


@pytest.mark.parametrize("who", ["operator", "department", "admin", None])
def test_only_inspectors_record_or_revoke_deductions(
    client: TestClient, tokens: Tokens, rules: None, container: Container, who: str | None
) -> None:
    headers = getattr(tokens, who) if who else {}
    before = position(container)

    recorded = client.post(f"{API}/deductions", json=MONTH_OF_ACTIVITY[0][1], headers=headers)
    revoked = client.post(
        f"{API}/deductions/00000000-0000-0000-0000-000000000001/revoke",
        json={"reason": "申诉成立"},
        headers=headers,
    )

    expected = 401 if who is None else 403
    assert (recorded.status_code, revoked.status_code) == (expected, expected)
    assert position(container) == before


# Refusals -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"rule": "sleeping_on_duty"}, "unknown_rule"),
        ({"staff": "S9999"}, "unknown_staff"),
        ({"staff": None, "window": "W-Z99"}, "unknown_window"),
        ({"window": "W-A02"}, "staff_not_at_window"),
        ({"points": 0}, "invalid_request"),
        ({"points": 101}, "invalid_request"),
        ({"rule": "window_unattended"}, "rule_not_applicable"),
        ({"rule": "lateness_early_leave", "staff": None, "window": "W-A01"}, "rule_not_applicable"),
        ({"staff": None}, "subject_required"),
        ({"rule": "integrity", "points": 50}, "points_fixed_by_rule"),
        ({"occurred_at": "2026-11-27T10:01:00+08:00"}, "occurred_in_future"),
        ({"occurred_at": "yesterday"}, "invalid_request"),
        ({"occurred_at": "2026-11-03T10:15:00"}, "invalid_request"),
        ({"evidence": ""}, "invalid_request"),
        ({"source": {"type": "rumour"}}, "invalid_request"),
        ({"department": "taxation"}, "invalid_request"),
    ],
    ids=[
        "unknown rule",
        "unknown staff",
        "unknown window",
        "staff not at window",
        "no points",
        "too many points",
        "window rule for a staff member",
        "staff rule for a window",
        "nobody",
        "all remaining made cheaper",
        "in the future",
        "malformed moment",
        "moment without offset",
        "no evidence",
        "unknown source",
        "unknown field",
    ],
)
def test_a_deduction_the_record_cannot_accept_is_refused_with_422_and_records_nothing(
    client: TestClient,
    tokens: Tokens,
    rules: None,
    container: Container,
    changes: dict[str, Any],
    code: str,
) -> None:
    body = {**MONTH_OF_ACTIVITY[1][1], **changes}
    before = position(container)

    response = client.post(f"{API}/deductions", json=body, headers=tokens.inspector)

    assert error_of(response) == (422, code)
    assert position(container) == before


def test_revoking_twice_is_a_conflict_and_an_unknown_deduction_is_not_found(
    client: TestClient, tokens: Tokens, rules: None
) -> None:
    recorded = deduct(client, tokens, MONTH_OF_ACTIVITY[0][1])
    path = f"{API}/deductions/{recorded['id']}/revoke"
    first = client.post(path, json={"reason": "申诉成立"}, headers=tokens.inspector)

    second = client.post(path, json={"reason": "再次撤销"}, headers=tokens.inspector)
    unknown = client.post(
        f"{API}/deductions/6a1f0e3c-0000-4000-8000-000000000000/revoke",
        json={"reason": "申诉成立"},
        headers=tokens.inspector,
    )
    no_reason = client.post(path, json={"reason": ""}, headers=tokens.inspector)

    assert first.status_code == 200
    assert error_of(second) == (409, "deduction_already_revoked")
    assert error_of(unknown) == (404, "deduction_not_found")
    assert error_of(no_reason) == (422, "invalid_request")


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("/scores", {"month": "2026-13"}, "invalid_request"),
        ("/scores", {"month": "2026-1"}, "invalid_request"),
        ("/scores", {"month": "2026-12"}, "month_in_future"),
        ("/scores", {"subject": "department"}, "invalid_request"),
        ("/scores", {"department": "ministry-of-magic"}, "unknown_department"),
        ("/blue-list", {"date": "2026-11-28"}, "date_in_future"),
        ("/blue-list", {"date": "28/11/2026"}, "invalid_request"),
        ("/red-list", {"month": "2027-01"}, "month_in_future"),
        ("/red-list", {"month": "November"}, "invalid_request"),
        ("/reports/monthly", {"month": "2026-12"}, "month_in_future"),
        ("/reports/monthly", {"format": "pdf"}, "invalid_request"),
        ("/reports/monthly", {"colour": "red"}, "invalid_request"),
    ],
)
def test_months_and_days_in_the_future_or_malformed_are_refused(
    client: TestClient, tokens: Tokens, path: str, params: dict[str, str], code: str
) -> None:
    response = client.get(f"{API}{path}", params=params, headers=tokens.inspector)

    assert error_of(response) == (422, code)
