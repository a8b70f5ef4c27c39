"""The dashboard through the ASGI client: the period picker, each chart's table and JSON
block, the CSV downloads, bad periods told in Chinese, and who may see it.

The clock starts on Friday 27 November 2026, 10:00: "this month" is November 2026.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.actor import Actor, Role
from domain.case import Kind
from interfaces.bootstrap import Container
from tests.factories import (
    OTHER_DEPARTMENT,
    SAMPLE_DEPARTMENT,
    assigned_case,
    rated,
    registered_case,
)
from tests.support import SettableTimeSource
from tests.web_support import assert_refused, assert_shows, signed_in

DASHBOARD = "/console/dashboard"
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}
CHARTS = ("rates", "overdue", "kinds", "categories", "ratings", "satisfaction")
DEPARTMENT = Actor("deeds.clerk", Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)
TAXATION = Actor("tax.clerk", Role.DEPARTMENT, department=OTHER_DEPARTMENT)
SCRIPT_IN_A_CATEGORY = "</script><script>alert(1)</script>"


@pytest.fixture
def a_month_of_work(container: Container, catch_up: Callable[[], object]) -> None:
    """Two complaints about attitude assigned to the deeds office, which acknowledges one at
    once; a suggestion without a category; the sample window rated 5 and 1 (the bad rating
    opens a third complaint)."""
    app = container.supervision
    first = assigned_case(app, category="服务态度")
    assigned_case(app, category="服务态度")
    registered_case(app, kind=Kind.SUGGESTION, category=None)
    app.acknowledge_case(first, DEPARTMENT)
    rated(app, 5, 1)
    catch_up()


def spec_of(page: str, chart: str) -> Any:
    """The numbers the page hands its script for one chart."""
    block = rf'<script type="application/json" id="chart-{chart}-data">(.*?)</script>'
    found = re.search(block, page)
    assert found, f"no JSON block for {chart}"
    return json.loads(found.group(1))


def rows_of(answer: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


def test_the_dashboard_shows_this_month_with_every_chart_beside_its_table(
    inspector: TestClient, a_month_of_work: None
) -> None:
    # when
    page = inspector.get(DASHBOARD)

    # then: November is picked, and each chart has its container, its table and its CSV
    assert page.status_code == 200
    assert_shows(
        page,
        'id="from" name="from" type="date" value="2026-11-01"',
        'id="to" name="to" type="date" value="2026-11-30"',
        ">开始日期</label>",
        ">结束日期</label>",
        ">查看</button>",
    )
    for chart in CHARTS:
        assert f'data-chart="chart-{chart}-data"' in page.text
        assert f"/console/dashboard/{chart}.csv?from=2026-11-01&amp;to=2026-11-30" in page.text
    assert page.text.count("<caption>") == len(CHARTS)
    assert '<script src="/static/dashboard.js" defer></script>' in page.text
    # and the numbers, in the charts' blocks and in the tables
    rates = spec_of(page.text, "rates")
    deeds = rates["categories"].index("不动产登记中心")
    assert rates["series"][0]["name"] == "签收及时率（%）"
    assert rates["series"][0]["data"][deeds] == 100.0
    assert spec_of(page.text, "kinds") == {
        "drawing": "bars",
        "categories": ["投诉", "建议"],
        "series": [{"name": "工单数", "data": [3, 1]}],
    }
    assert spec_of(page.text, "categories")["categories"][0] == "服务态度"
    assert "未分类" in spec_of(page.text, "categories")["categories"]
    ratings = spec_of(page.text, "ratings")
    assert [series["data"] for series in ratings["series"]] == [[1], [0], [0], [0], [1]]
    assert '<th scope="row">投诉</th><td>3</td>' in page.text


def test_the_department_rates_come_worst_first_without_departments_judged_on_nothing(
    client: TestClient,
    container: Container,
    time_source: SettableTimeSource,
    catch_up: Callable[[], object],
) -> None:
    # given: taxation acknowledges at once; the deeds office lets its deadline pass; the
    # other departments are given nothing
    app = container.supervision
    assigned_case(app)
    app.acknowledge_case(assigned_case(app, department=OTHER_DEPARTMENT), TAXATION)
    time_source.advance(days=4)  # Tuesday 1 December
    catch_up()
    inspector = signed_in(client, container, Role.INSPECTOR)

    # when
    rates = spec_of(inspector.get(DASHBOARD, params=NOVEMBER).text, "rates")

    # then
    assert rates["categories"] == ["不动产登记中心", "税务局"]
    assert [series["data"] for series in rates["series"]] == [
        [0.0, 100.0],
        [None, None],
        [None, None],
    ]


def test_a_period_with_nothing_in_it_says_so_in_every_table(inspector: TestClient) -> None:
    page = inspector.get(DASHBOARD, params={"from": "2025-01-01", "to": "2025-01-31"})

    assert page.status_code == 200
    # every day of the period is listed, with nothing overdue
    assert page.text.count("该期间没有数据。") == len(
        ("rates", "kinds", "categories", "ratings", "satisfaction")
    )
    assert spec_of(page.text, "overdue")["categories"][:2] == ["2025-01-01", "2025-01-02"]


def test_each_charts_csv_is_utf8_with_a_bom_and_its_tables_numbers(
    inspector: TestClient, a_month_of_work: None
) -> None:
    # when
    kinds = inspector.get(f"{DASHBOARD}/kinds.csv", params=NOVEMBER)
    ratings = inspector.get(f"{DASHBOARD}/ratings.csv", params=NOVEMBER)
    overdue = inspector.get(f"{DASHBOARD}/overdue.csv", params=NOVEMBER)
    rates = inspector.get(f"{DASHBOARD}/rates.csv", params=NOVEMBER)

    # then
    assert kinds.status_code == 200
    assert kinds.content.startswith(b"\xef\xbb\xbf")
    assert kinds.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        'filename="dashboard-kinds-20261101-20261130.csv"' in kinds.headers["content-disposition"]
    )
    assert rows_of(kinds) == [["诉求类型", "工单数"], ["投诉", "3"], ["建议", "1"]]
    assert rows_of(ratings)[0] == [
        "窗口",
        "非常不满意（1）",
        "不满意（2）",
        "一般（3）",
        "满意（4）",
        "非常满意（5）",
    ]
    assert rows_of(ratings)[1][1:] == ["1", "0", "0", "0", "1"]
    assert rows_of(overdue)[0] == ["日期", "超期工单数"]
    assert rows_of(overdue)[-1] == ["2026-11-27", "0"]
    assert ["不动产登记中心", "100.0", "", ""] in rows_of(rates)


def test_an_unknown_chart_has_no_csv(inspector: TestClient) -> None:
    answer = inspector.get(f"{DASHBOARD}/secrets.csv", params=NOVEMBER)

    assert answer.status_code == 404
    assert "<html" in answer.text


@pytest.mark.parametrize(
    ("period", "said"),
    [
        ({"from": "2026-11-30", "to": "2026-11-01"}, "统计期间（开始日期须不晚于结束日期"),
        ({"from": "2024-01-01", "to": "2026-11-30"}, "至多一年）：格式不正确"),
        ({"from": "2026-02-30", "to": "2026-03-31"}, "开始日期：格式不正确"),
        ({"from": "-2026-11-01", "to": "2026-11-30"}, "开始日期：格式不正确"),
        ({"from": "2026-11-01", "to": "99999-01-01"}, "结束日期：格式不正确"),
        ({"from": "2026-11-01", "to": "1" * 5000}, "结束日期：格式不正确"),
    ],
)
def test_a_bad_period_is_told_in_chinese_and_draws_nothing(
    inspector: TestClient, period: dict[str, str], said: str
) -> None:
    page = inspector.get(DASHBOARD, params=period)

    assert_refused(page, said, "<h1>数据看板</h1>")
    assert "data-chart=" not in page.text


@pytest.mark.parametrize(
    "period",
    [
        {"from": "2026-11-01\x00"},
        {"from": "9999-12-01", "to": "9999-12-31"},
        {"from": "0001-01-01", "to": "0001-01-31"},
    ],
)
def test_a_control_character_or_a_day_at_the_calendars_ends_is_refused_as_a_page(
    inspector: TestClient, period: dict[str, str]
) -> None:
    page = inspector.get(DASHBOARD, params=period)

    assert page.status_code == 422
    assert "<html" in page.text


def test_a_csv_of_a_bad_period_goes_back_to_the_dashboard_saying_why(
    inspector: TestClient,
) -> None:
    answer = inspector.get(
        f"{DASHBOARD}/kinds.csv", params={"from": "2026-11-30", "to": "x"}, follow_redirects=False
    )
    page = inspector.get(DASHBOARD)

    assert answer.status_code == 303
    assert answer.headers["location"] == DASHBOARD
    assert "结束日期：格式不正确" in page.text


def test_text_a_person_typed_cannot_break_out_of_a_charts_json_block(
    inspector: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    # given: a case whose category is a script
    registered_case(container.supervision, category=SCRIPT_IN_A_CATEGORY)
    catch_up()

    # when
    page = inspector.get(DASHBOARD)

    # then: the category reads as text in the table and in the chart's numbers
    assert "<script>alert(1)" not in page.text
    assert spec_of(page.text, "categories")["categories"] == [SCRIPT_IN_A_CATEGORY]


def test_operators_get_the_dashboard_and_its_link(client: TestClient, container: Container) -> None:
    operator = signed_in(client, container, Role.OPERATOR)

    page = operator.get(DASHBOARD)
    home = operator.get("/console/")

    assert page.status_code == 200
    assert 'href="/console/dashboard"' in home.text
    assert ">数据看板</a>" in home.text


@pytest.mark.parametrize(
    ("role", "department"), [(Role.DEPARTMENT, SAMPLE_DEPARTMENT), (Role.ADMIN, None)]
)
@pytest.mark.parametrize("path", [DASHBOARD, f"{DASHBOARD}/kinds.csv"])
def test_departments_and_admins_get_the_chinese_refusal(
    client: TestClient, container: Container, role: Role, department: str | None, path: str
) -> None:
    page = signed_in(client, container, role, department=department).get(path)

    assert page.status_code == 403
    assert "无法完成操作" in page.text
