"""The superior department's pages (提级督办) through the ASGI client: its home and 下级部门
page listing the work escalated to it, its subordinates' boards read only, the direction form
on an escalated case, the escalation in the timeline, and the inspectors' own section."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from domain.actor import Role
from interfaces.bootstrap import Container
from tests.factories import (
    INSPECTOR,
    OTHER_DEPARTMENT,
    SAMPLE_DEPARTMENT,
    SAMPLE_SUPERIOR,
    assigned_case,
    escalated_case,
)
from tests.support import SettableTimeSource
from tests.web_support import assert_error_page, assert_shows, post_form, signed_in


@pytest.fixture
def escalated(
    container: Container, time_source: SettableTimeSource, catch_up: Callable[[], object]
) -> UUID:
    """A case of the sample department the clock escalated to its superior (before anyone
    signs in: the weeks it takes would end their session)."""
    case_id = escalated_case(container.supervision, time_source.set, summary="超期未办结的投诉")
    catch_up()
    return case_id


@pytest.fixture
def superior(client: TestClient, container: Container) -> TestClient:
    return signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_SUPERIOR)


def test_the_superiors_home_lists_the_escalated_case_with_a_link(
    escalated: UUID, superior: TestClient
) -> None:
    home = superior.get("/console/")

    assert home.status_code == 200
    assert_shows(
        home,
        "下级超期件（1）",
        f'href="/console/cases/{escalated}"',
        "不动产登记中心",
        'href="/console/boards"',
    )


def test_a_department_without_subordinates_sees_no_such_section(
    client: TestClient, container: Container
) -> None:
    department = signed_in(client, container, Role.DEPARTMENT, department=OTHER_DEPARTMENT)

    home = department.get("/console/")
    boards = department.get("/console/boards")

    assert "下级超期件" not in home.text
    assert "本部门没有下级部门。" in boards.text


def test_the_superior_reads_its_subordinates_board_without_any_action(
    escalated: UUID, superior: TestClient
) -> None:
    index = superior.get("/console/boards")
    board = superior.get(f"/console/boards/{SAMPLE_DEPARTMENT}")

    assert f'href="/console/boards/{SAMPLE_DEPARTMENT}"' in index.text
    assert board.status_code == 200
    assert "不动产登记中心 待办看板" in board.text
    assert "只读" in board.text
    # Its one form is the GET form of 查看历史时点: nothing is posted from a board.
    assert 'method="post"' not in board.text.split("<main", 1)[1]
    assert "上级主管部门：市自然资源局" in board.text


def test_the_superior_cannot_read_the_board_of_a_department_not_below_it(
    superior: TestClient,
) -> None:
    refused = superior.get(f"/console/boards/{OTHER_DEPARTMENT}")

    assert_error_page(refused, 403)


def test_the_superior_directs_the_escalated_case_from_its_page(
    escalated: UUID, superior: TestClient
) -> None:
    page_url = f"/console/cases/{escalated}"
    page = superior.get(page_url)
    assert_shows(
        page,
        "提级督办",
        '<label for="direction-note">督办意见</label>',
        '<label for="direction-days">期限（工作日）</label>',
        ">下达督办意见</button>",
    )

    answer = post_form(
        superior,
        f"{page_url}/escalation/direct",
        {"note": "请于三个工作日内办结并报告", "working_days": "3"},
        from_page=page_url,
    )

    assert answer.status_code == 303
    assert answer.headers["location"] == page_url
    again = superior.get(page_url)
    assert_shows(again, "已下达督办意见", "上级督办意见", "请于三个工作日内办结并报告")


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"note": "督办", "working_days": "0"}, "督办期限须为 1 至 30 个工作日。"),
        ({"note": "督办", "working_days": "很多"}, "期限（工作日）"),
        ({"note": "", "working_days": "3"}, "督办意见"),
    ],
)
def test_a_bad_direction_comes_back_in_chinese(
    escalated: UUID, superior: TestClient, fields: dict[str, str], said: str
) -> None:
    page_url = f"/console/cases/{escalated}"

    answer = post_form(superior, f"{page_url}/escalation/direct", fields, from_page=page_url)

    assert answer.status_code == 303
    assert said in superior.get(page_url).text


def test_the_subordinate_sees_the_escalation_in_the_timeline_but_no_direction_form(
    escalated: UUID, client: TestClient, container: Container
) -> None:
    department = signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)

    page = department.get(f"/console/cases/{escalated}")

    assert "提级督办" in page.text
    assert "下达督办意见" not in page.text


def test_work_escalated_to_the_inspectors_has_its_section_in_the_supervision_queue(
    container: Container,
    time_source: SettableTimeSource,
    catch_up: Callable[[], object],
    client: TestClient,
) -> None:
    # given: a case of the tax bureau, which has no superior, escalated by the clock
    app = container.supervision
    case_id = assigned_case(app, department=OTHER_DEPARTMENT, summary="税务超期件")
    time_source.set(time_source.now().replace(month=12, day=21, hour=9))
    app.observe_case_clock(case_id)
    app.supervise_case(case_id, note="督办", by=INSPECTOR)
    time_source.set(time_source.now().replace(day=28, hour=17))
    app.observe_case_clock(case_id)
    catch_up()
    inspector = signed_in(client, container, Role.INSPECTOR)

    queue = inspector.get("/console/supervision")

    section = queue.text.split("提级至督查的超期件", 1)[1]
    assert f'href="/console/cases/{case_id}"' in section
    assert "税务局" in section


def test_the_directory_page_shows_each_departments_superior(
    client: TestClient, container: Container
) -> None:
    admin = signed_in(client, container, Role.ADMIN)

    page = admin.get("/console/admin/directory")

    assert '<th scope="col">上级主管部门</th>' in page.text
    assert "<td>市自然资源局</td>" in page.text
