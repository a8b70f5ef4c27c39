"""Staff assessments (千人千题) as pages through the ASGI client: an inspector records a session
from lines of "工号 分数", reads it and the staff who owe a retest; a department sees its own
staff's; refusals are said in Chinese and keep what was typed."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from domain.actor import Role
from domain.labels import error_message
from interfaces.bootstrap import Container
from tests.factories import INSPECTOR, OTHER_DEPARTMENT, SAMPLE_DEPARTMENT
from tests.web_support import assert_error_page, assert_shows, post_form, signed_in

FORM = {
    "title": "11月千人千题",
    "date": "2026-11-20",
    "pass_mark": "60",
    # As pasted from a spreadsheet: id, name, score; separated by tabs, spaces or commas.
    "results": "S0001\t韩蕾\t58\nS0002 92\n\nS0010，45\n",
}
SESSION_URL = re.compile(r"/console/assessments/([0-9a-f-]{36})$")


def test_an_inspector_records_a_session_from_lines_and_sees_who_failed(
    catch_up: Callable[[], object], inspector: TestClient
) -> None:
    answer = post_form(inspector, "/console/assessments/new", FORM)
    found = SESSION_URL.search(answer.headers.get("location", ""))
    assert answer.status_code == 303, answer.text
    assert found
    page = inspector.get(found.group(0))
    catch_up()
    listed = inspector.get("/console/assessments")
    due = inspector.get("/console/assessments/retests")

    assert "已录入成绩：3 人参考，2 人不合格。" in page.text
    assert page.text.count("不合格，须补考") == 2
    assert "韩蕾" in page.text
    assert "11月千人千题" in listed.text
    assert "待补考人员（2 人）" in listed.text
    assert "彭莉" in due.text
    assert "韩蕾" in due.text
    assert "夏芳" not in due.text


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"results": "S0001 58\nS9999 70"}, "S9999"),
        ({"results": "S0001 58\nS0001 70"}, error_message("assessment_staff_repeated")),
        ({"results": "S0001"}, "成绩第 1 行"),
        ({"results": "S0001 150"}, "成绩"),
        ({"date": "2026-12-25"}, error_message("assessment_date_in_future")),
        ({"title": ""}, "考试名称"),
        ({"pass_mark": "-3"}, "合格分"),
    ],
)
def test_a_form_the_record_cannot_take_is_shown_again_with_the_problem_in_chinese(
    fields: dict[str, str], said: str, inspector: TestClient
) -> None:
    answer = post_form(inspector, "/console/assessments/new", {**FORM, **fields})

    assert_error_page(answer, 422)
    assert said in answer.text
    assert f'value="{fields.get("title", FORM["title"])}"' in answer.text  # kept as typed


def test_a_department_sees_its_own_staffs_results_and_retests_only(
    client: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    session = container.supervision.record_assessment(
        title="11月千人千题",
        held_on=container.supervision.time_source.now().date(),
        pass_mark=60,
        results=[("S0001", 58), ("S0010", 45)],
        by=INSPECTOR,
    )
    catch_up()
    signed_in(client, container, Role.DEPARTMENT, department=OTHER_DEPARTMENT)

    page = client.get(f"/console/assessments/{session.id}")
    due = client.get("/console/assessments/retests")
    form = client.get("/console/assessments/new")

    assert "彭莉" in page.text
    assert "韩蕾" not in page.text
    assert "彭莉" in due.text
    assert "韩蕾" not in due.text
    assert form.status_code == 403


def test_a_department_none_of_whose_staff_sat_a_session_is_refused_it(
    client: TestClient, container: Container
) -> None:
    session = container.supervision.record_assessment(
        title="窗口业务考试",
        held_on=container.supervision.time_source.now().date(),
        pass_mark=60,
        results=[("S0010", 90)],
        by=INSPECTOR,
    )
    signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)

    answer = client.get(f"/console/assessments/{session.id}")

    assert answer.status_code == 403
    assert "本部门没有工作人员参加这场考试" in answer.text


def test_the_monthly_report_page_shows_the_staffs_latest_results(
    client: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    container.supervision.record_assessment(
        title="11月千人千题",
        held_on=container.supervision.time_source.now().date(),
        pass_mark=60,
        results=[("S0001", 58)],
        by=INSPECTOR,
    )
    catch_up()
    signed_in(client, container, Role.INSPECTOR)

    page = client.get("/console/reports/monthly", params={"month": "2026-11"})

    assert_shows(page, "千人千题", "待补考", "<td>不动产登记中心</td>")
