"""The console's scores, lists and monthly report (§6, §13): who reads which page, what each
shows, the printable lists, the report's files, and bad filters refused in Chinese."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import Container
from interfaces.reports import CSV_HEADERS
from tests.e2e.conftest import Tokens
from tests.factories import API, INSPECTOR, OTHER_DEPARTMENT, SAMPLE_DEPARTMENT, a_deduction
from tests.web_support import assert_error_page, signed_in

PAGES = [
    "/console/scores",
    "/console/blue-list",
    "/console/red-list",
    "/console/reports/monthly",
]
NOVEMBER = "month=2026-11"
# The day of the fixture's lateness and harsh attitude (Mon 2 Nov 2026, Asia/Shanghai).
SECOND_OF_NOVEMBER = "date=2026-11-02"


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=OFFICE_TZ)


@pytest.fixture
def november(container: Container, catch_up: Callable[[], object]) -> dict[str, Any]:
    """November's deductions recorded and the read side caught up."""
    recorded = record_november(container)
    catch_up()
    return recorded


def record_november(container: Container) -> dict[str, Any]:
    """November so far: 韩蕾 (S0001, 不动产登记中心, W-A01) late (−2) and rude (−5, her window
    too) on the 2nd, a revoked −5 on the 3rd; 彭莉 (S0010, 税务局) on her phone (−3) on the 2nd."""
    app = container.supervision
    app.load_conduct_rules(default_conduct_rules(), Actor("admin", Role.ADMIN))
    late = app.record_deduction(a_deduction(evidence="考勤 9:40 到岗"), INSPECTOR)
    rude = app.record_deduction(
        a_deduction(rule="harsh_attitude", occurred_at=at(2, 15), evidence="暗访录像：言语生硬"),
        INSPECTOR,
    )
    notice = app.record_deduction(
        a_deduction(rule="one_time_notice", occurred_at=at(3, 10), evidence="未一次性告知"),
        INSPECTOR,
    )
    app.revoke_deduction(notice.id, reason="申诉成立", by=INSPECTOR)
    phone = app.record_deduction(
        a_deduction(rule="phone_or_games", staff="S0010", occurred_at=at(2, 16), evidence="玩手机"),
        INSPECTOR,
    )
    return {"late": late, "rude": rude, "notice": notice, "phone": phone}


def rows_of(page: str) -> list[str]:
    """The page's table rows as their text, tags dropped (enough to find a line)."""
    rows = []
    for chunk in page.split("<tr")[1:]:
        cells = chunk.split(">", 1)[1].split("</tr>")[0]
        text = ""
        inside = False
        for char in cells:
            if char == "<":
                inside = True
            elif char == ">":
                inside = False
                text += " "
            elif not inside:
                text += char
        rows.append(" ".join(text.split()))
    return rows


# Who gets the pages ---------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", [Role.OPERATOR, Role.INSPECTOR])
def test_the_centre_reads_every_scores_page(
    client: TestClient, container: Container, role: Role, page: str
) -> None:
    # Given an operator or an inspector signed in
    signed_in(client, container, role)

    # When they open the page
    answer = client.get(page)

    # Then it answers in Chinese, printable
    assert answer.status_code == 200, answer.text
    assert '<html lang="zh-CN">' in answer.text
    assert "data-print" in answer.text


@pytest.mark.parametrize("page", PAGES)
def test_a_department_reads_every_scores_page_for_itself(page: str, department: TestClient) -> None:
    answer = department.get(page)

    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(
    "page", ["/console/scores", "/console/blue-list", "/console/reports/monthly"]
)
def test_a_department_asking_for_another_departments_figures_gets_a_chinese_403(
    client: TestClient, container: Container, page: str
) -> None:
    signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)

    answer = client.get(f"{page}?department={OTHER_DEPARTMENT}")

    assert answer.status_code == 403
    assert "无法完成操作" in answer.text
    assert "税务局" not in answer.text.split("<main", 1)[1]


def test_the_navigation_leads_each_role_to_its_pages(
    client: TestClient, container: Container
) -> None:
    inspector = signed_in(client, container, Role.INSPECTOR).get("/console/").text
    for link in (
        '"/console/scores">月度考评',
        '"/console/reports/monthly">月度报告',
        '"/console/blue-list">蓝榜',
        '"/console/red-list">红榜',
    ):
        assert link in inspector

    department = (
        signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)
        .get("/console/scores")
        .text
    )
    assert '"/console/scores" aria-current="page">本部门考评' in department
    assert '"/console/blue-list">蓝榜' in department


# The scorecards -------------------------------------------------------------------


def test_the_scorecards_show_scores_and_every_deduction_with_revoked_ones_marked(
    client: TestClient, container: Container, november: dict[str, Any]
) -> None:
    # Given November's deductions, one revoked
    signed_in(client, container, Role.INSPECTOR)

    # When the inspector opens the real-estate registration centre's November
    page = client.get(f"/console/scores?{NOVEMBER}&department={SAMPLE_DEPARTMENT}").text
    rows = rows_of(page)

    # Then 韩蕾 has 100 − 2 − 5 = 93 and her window 95; the revoked 5 does not count
    assert "月度考评（2026年11月）" in page
    assert "韩蕾 W-A01 93 7 2" in rows
    assert "W-A01 不动产登记综合受理窗口 95 5 1" in rows
    # And every deduction is listed, the revoked one marked as such
    assert any(r.startswith("2026-11-02 09:40") and r.endswith("有效") for r in rows)
    revoked = [r for r in rows if r.startswith("2026-11-03 10:00")]
    assert len(revoked) == 1
    assert "已撤销" in revoked[0]
    assert "deduction--revoked" in page
    # And nothing of another department
    assert "彭莉" not in page


def test_a_department_sees_its_own_scorecards_without_choosing(
    client: TestClient, container: Container, november: dict[str, Any]
) -> None:
    signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)

    page = client.get(f"/console/scores?{NOVEMBER}").text

    assert "韩蕾 W-A01 93 7 2" in rows_of(page)
    assert "彭莉" not in page
    assert 'name="department"' not in page  # nothing to choose


@pytest.mark.parametrize(
    ("role", "department", "page", "shown", "hidden"),
    [
        pytest.param(
            Role.OPERATOR,
            None,
            f"/console/scores?{NOVEMBER}&department=",
            ['name="department"', "selected"],
            [],
            id="the centre is shown a department when none is chosen",
        ),
        pytest.param(
            Role.INSPECTOR,
            None,
            f"/console/blue-list?{SECOND_OF_NOVEMBER}",
            ["蓝榜（2026年11月2日）", "考勤 9:40 到岗", "玩手机", "巡查"],
            [],
            id="the staff blue list shows the day's deductions with their evidence",
        ),
        pytest.param(
            Role.OPERATOR,
            None,
            f"/console/blue-list?{SECOND_OF_NOVEMBER}&department=taxation",
            ["玩手机"],
            ["考勤 9:40 到岗"],
            id="the staff blue list filters by department",
        ),
        pytest.param(
            Role.DEPARTMENT,
            OTHER_DEPARTMENT,
            f"/console/blue-list?{SECOND_OF_NOVEMBER}",
            ["玩手机"],
            ["韩蕾"],
            id="a department sees its own blue list entries only",
        ),
        pytest.param(
            None,
            None,
            f"/blue-list?{SECOND_OF_NOVEMBER}",
            ["韩蕾"],
            ["考勤 9:40 到岗"],
            id="the public blue list still shows no evidence",
        ),
    ],
)
def test_a_scores_page_shows_its_reader_what_they_may_see_and_nothing_else(
    client: TestClient,
    container: Container,
    november: dict[str, Any],
    role: Role | None,
    department: str | None,
    page: str,
    shown: list[str],
    hidden: list[str],
) -> None:
    # Given November's deductions and the reader (a member of the public signs in as no one)
    if role is not None:
        signed_in(client, container, role, department=department)

    # When they open the page
    text = client.get(page).text

    # Then it shows what is theirs to see and nothing they may not
    assert [item for item in shown if item not in text] == []
    assert [item for item in hidden if item in text] == []


def test_the_staff_red_list_of_one_department_leaves_out_the_deducted(
    client: TestClient, container: Container, november: dict[str, Any]
) -> None:
    signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)

    page = client.get(f"/console/red-list?{NOVEMBER}&department={SAMPLE_DEPARTMENT}").text

    assert "红榜（2026年11月）" in page
    assert "W-A02" in page
    assert "韩蕾" not in page
    assert "税务局" not in page.split("<table", 1)[1]


def test_the_api_red_list_takes_a_department_too(
    client: TestClient, tokens: Tokens, november: dict[str, Any]
) -> None:
    answer = client.get(f"{API}/red-list", params={"month": "2026-11", "department": "taxation"})

    assert answer.status_code == 200, answer.text
    staff = answer.json()["staff"]
    assert {item["department"] for item in staff} == {"taxation"}
    assert "彭莉" not in {item["name"] for item in staff}


def test_the_lists_print_on_a4_without_the_navigation(inspector: TestClient) -> None:
    page = inspector.get("/console/blue-list").text

    css = inspector.get("/static/oversight.css").text

    assert 'class="button button--quiet no-print" data-print' in page
    assert "@page { size: A4" in css
    assert ".site-header, .site-nav" in css.split("@media print", 1)[1]
    assert "<script>" not in page


# The monthly report ---------------------------------------------------------------


def test_the_monthly_report_page_has_a_summary_every_department_and_its_files(
    november: dict[str, Any], inspector: TestClient
) -> None:
    page = inspector.get(f"/console/reports/monthly?{NOVEMBER}").text
    rows = rows_of(page)

    assert "2026年11月 双百分考核月度报告" in page
    assert any(r.startswith("不动产登记中心") and r.endswith("2 7") for r in rows)
    assert any(r.startswith("税务局") and r.endswith("1 3") for r in rows)
    assert 'href="/console/reports/monthly.xlsx?month=2026-11"' in page
    assert 'href="/console/reports/monthly.csv?month=2026-11"' in page
    # The report lists what is in force, as the API's report does
    assert "未一次性告知" not in page


def test_the_monthly_report_downloads_as_a_workbook_carrying_the_deductions(
    client: TestClient, container: Container, tokens: Tokens, november: dict[str, Any]
) -> None:
    # Given an inspector at the console
    signed_in(client, container, Role.INSPECTOR)

    # When they download November's report as XLSX
    answer = client.get(f"/console/reports/monthly.xlsx?{NOVEMBER}")

    # Then it is the API's own workbook, with the deductions on the department's sheet
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].endswith('"oversight-report-2026-11.xlsx"')
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames[0] == "汇总"
    cells = [c for row in book["不动产登记中心"].iter_rows(values_only=True) for c in row]
    assert "考勤 9:40 到岗" in cells
    assert "暗访录像：言语生硬" in cells
    assert "未一次性告知" not in cells
    api = client.get(
        f"{API}/reports/monthly",
        params={"month": "2026-11", "format": "xlsx"},
        headers=tokens.inspector,
    )
    api_book = load_workbook(io.BytesIO(api.content))
    assert [list(s.values) for s in api_book] == [list(s.values) for s in book]


def test_a_department_downloads_its_own_report_as_csv(
    client: TestClient, container: Container, november: dict[str, Any]
) -> None:
    signed_in(client, container, Role.DEPARTMENT, department=OTHER_DEPARTMENT)

    answer = client.get(f"/console/reports/monthly.csv?{NOVEMBER}")

    assert answer.status_code == 200
    assert answer.headers["content-disposition"].endswith('"oversight-report-2026-11-taxation.csv"')
    as_of, *lines = csv.reader(io.StringIO(answer.content.decode("utf-8-sig")))
    assert as_of[0] == "数据截至"
    assert tuple(lines[0]) == CSV_HEADERS
    assert {line[1] for line in lines[1:]} == {"税务局"}
    assert any("玩手机" in line for line in lines)


def test_the_api_report_lists_revoked_deductions_when_asked_and_marks_them(
    client: TestClient, tokens: Tokens, november: dict[str, Any]
) -> None:
    params = {"month": "2026-11", "department": SAMPLE_DEPARTMENT}

    plain = client.get(f"{API}/reports/monthly", params=params, headers=tokens.inspector).json()
    every = client.get(
        f"{API}/reports/monthly", params={**params, "revoked": "true"}, headers=tokens.inspector
    ).json()
    workbook = client.get(
        f"{API}/reports/monthly",
        params={**params, "revoked": "true", "format": "xlsx"},
        headers=tokens.inspector,
    )

    in_force = plain["departments"][0]["deductions"]
    listed = every["departments"][0]["deductions"]
    assert [line["revoked"] for line in in_force] == [False, False]
    assert [(line["evidence"], line["revoked"]) for line in listed][-1] == ("未一次性告知", True)
    assert listed[-1]["revoked_at"] is not None
    # The scores are the same: a revoked deduction never counts
    assert every["departments"][0]["staff"] == plain["departments"][0]["staff"]
    cells = [
        c
        for row in load_workbook(io.BytesIO(workbook.content))["不动产登记中心"].iter_rows(
            values_only=True
        )
        for c in row
    ]
    assert any(isinstance(c, str) and c.endswith("（已撤销）") for c in cells)


# Bad filters ----------------------------------------------------------------------


MALFORMED = "格式不正确，请核对。"
CONTROL_CHARACTER = "内容含有无法保存的字符"


@pytest.mark.parametrize(
    ("page", "status", "message"),
    [
        ("/console/scores?month=2026-13", 422, f"月份：{MALFORMED}"),
        ("/console/scores?month=99999-01", 422, f"月份：{MALFORMED}"),
        ("/console/red-list?month=garbage", 422, f"月份：{MALFORMED}"),
        ("/console/reports/monthly?month=2026-1", 422, f"月份：{MALFORMED}"),
        ("/console/reports/monthly.xlsx?month=2026-00", 422, f"月份：{MALFORMED}"),
        ("/console/blue-list?date=garbage", 422, f"日期：{MALFORMED}"),
        ("/console/blue-list?date=2026-02-30", 422, f"日期：{MALFORMED}"),
        ("/console/blue-list?date=999999999-01-01", 422, f"日期：{MALFORMED}"),
        ("/console/scores?department=..%2Fetc", 422, f"部门：{MALFORMED}"),
        ("/console/scores?month=2026-11%00", 422, CONTROL_CHARACTER),
        ("/console/blue-list?date=%00", 422, CONTROL_CHARACTER),
        ("/console/reports/monthly?department=tax%01ation", 422, CONTROL_CHARACTER),
        ("/console/scores?month=2099-01", 422, "该月份尚未到来。"),
        ("/console/blue-list?date=2099-01-01", 422, "该日期尚未到来。"),
        ("/console/reports/monthly.csv?month=2099-01", 422, "该月份尚未到来。"),
        ("/console/reports/monthly?department=no-such-bureau", 422, "没有该部门。"),
    ],
)
def test_a_bad_filter_is_refused_with_a_chinese_page_never_a_500(
    client: TestClient, container: Container, page: str, status: int, message: str
) -> None:
    # Given an inspector
    signed_in(client, container, Role.INSPECTOR)

    # When a page is asked for with a filter it cannot take
    answer = client.get(page)

    # Then a Chinese page says what is wrong
    assert answer.status_code == status
    assert '<html lang="zh-CN">' in answer.text
    assert message in answer.text


def test_a_file_format_other_than_xlsx_or_csv_is_refused(inspector: TestClient) -> None:
    answer = inspector.get("/console/reports/monthly.json")

    assert_error_page(answer, 422)
