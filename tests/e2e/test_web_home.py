"""The console's home (/console/) through the ASGI client: a department's inbox by time left,
its polled fragment counting new cases, bulk acknowledgement, and the operator's desk."""

from __future__ import annotations

import re
from collections.abc import Callable
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from domain.actor import Actor, Role
from interfaces.bootstrap import Container
from interfaces.web.navigation import BY_ROLE
from tests.factories import OTHER_DEPARTMENT, SAMPLE_DEPARTMENT, assigned_case, registered_case
from tests.support import SettableTimeSource
from tests.web_support import assert_shows, post_form, signed_in

OPERATOR = Actor("operator-1", Role.OPERATOR, name="李小红")
ROW_NUMBER = re.compile(r'<a href="/console/cases/[0-9a-f-]+">([A-Z0-9-]+)</a>')


def number_of(container: Container, case_id: UUID) -> str:
    return container.supervision.get_case(case_id, OPERATOR).tracking_number


def test_the_inbox_lists_the_departments_open_cases_least_time_left_first(
    client: TestClient,
    container: Container,
    time_source: SettableTimeSource,
    catch_up: Callable[[], object],
) -> None:
    first = assigned_case(container.supervision, OPERATOR)
    time_source.advance(hours=2)
    later = assigned_case(container.supervision, OPERATOR)
    urgent = assigned_case(container.supervision, OPERATOR, urgent=True)
    assigned_case(container.supervision, OPERATOR, department=OTHER_DEPARTMENT)
    catch_up()
    signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)

    page = client.get("/console/")

    assert page.status_code == 200
    shown = ROW_NUMBER.findall(page.text)
    assert shown[0] == number_of(container, urgent)
    assert set(shown) == {number_of(container, c) for c in (first, later, urgent)}
    assert_shows(
        page,
        f'aria-label="{number_of(container, first)}"',
        "批量签收",
        'hx-get="/console/inbox"',
        "<title>(3) 待办工单",
        "time-left--",
    )


def test_the_polled_fragment_counts_new_cases_in_the_title(
    client: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    assigned_case(container.supervision, OPERATOR)
    catch_up()
    signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)
    before = client.get("/console/inbox").text

    assigned_case(container.supervision, OPERATOR)
    catch_up()
    after = client.get("/console/inbox")

    assert "<title>(1) 待办工单" in before
    assert after.status_code == 200
    assert after.text.lstrip().startswith("<title>(2) 待办工单")
    assert len(ROW_NUMBER.findall(after.text)) == 2
    assert "<html" not in after.text


def test_bulk_acknowledgement_acknowledges_each_chosen_case_and_says_how_each_went(
    client: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    one = assigned_case(container.supervision, OPERATOR)
    two = assigned_case(container.supervision, OPERATOR)
    elsewhere = assigned_case(container.supervision, OPERATOR, department=OTHER_DEPARTMENT)
    catch_up()
    signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT, name="王登记")

    answer = post_form(
        client,
        "/console/inbox/acknowledge",
        {"case": [str(one), str(two), str(elsewhere)]},
        from_page="/console/",
    )

    assert answer.status_code == 303
    for case_id in (one, two):
        assert container.supervision.get_case(case_id, OPERATOR).status == "in_progress"
    assert container.supervision.get_case(elsewhere, OPERATOR).status == "assigned"
    shown = client.get("/console/").text
    assert_shows(
        shown,
        f"{number_of(container, one)}：已签收",
        f"{number_of(container, two)}：已签收",
        "只有承办部门可以办理或查看该工单",
    )
    history = container.supervision.case_history(one, Actor("i", Role.INSPECTOR))
    assert history[-1].actor is not None
    assert history[-1].actor["name"] == "王登记"


def test_bulk_acknowledgement_with_nothing_chosen_asks_for_a_choice(department: TestClient) -> None:
    answer = post_form(department, "/console/inbox/acknowledge", {}, from_page="/console/")

    assert answer.status_code == 303
    assert "请先勾选要签收的工单" in department.get("/console/").text


def test_bulk_acknowledgement_refuses_a_garbled_choice_in_chinese(department: TestClient) -> None:
    answer = post_form(
        department, "/console/inbox/acknowledge", {"case": "not-a-case"}, from_page="/console/"
    )

    assert answer.status_code == 303
    assert "所选工单：未找到该工单。" in department.get("/console/").text


def test_bulk_acknowledgement_without_the_form_token_is_refused(
    client: TestClient, container: Container
) -> None:
    case_id = assigned_case(container.supervision, OPERATOR)
    signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)

    answer = client.post(
        "/console/inbox/acknowledge",
        data={"case": str(case_id)},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )

    assert answer.status_code == 403
    assert container.supervision.get_case(case_id, OPERATOR).status == "assigned"


def test_only_a_department_polls_an_inbox(client: TestClient, container: Container) -> None:
    signed_in(client, container, Role.OPERATOR)

    assert client.get("/console/inbox").status_code == 403


def test_the_operators_home_counts_the_work_waiting_and_links_to_it(
    client: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    registered_case(container.supervision, OPERATOR)
    registered_case(container.supervision, OPERATOR)
    assigned_case(container.supervision, OPERATOR)
    catch_up()
    signed_in(client, container, Role.OPERATOR)

    page = client.get("/console/").text

    assert re.search(r"待派单</span> <span class=\"count__number\">2</span>", page)
    for link in ("/console/routing", "/console/callbacks", "/console/cases", "/console/cases/new"):
        assert f'href="{link}' in page


def test_an_inspector_and_an_admin_get_a_home_of_links(
    client: TestClient, container: Container
) -> None:
    inspector_home = signed_in(client, container, Role.INSPECTOR).get("/console/")
    client.cookies.clear()
    admin_home = signed_in(client, container, Role.ADMIN).get("/console/")

    assert inspector_home.status_code == 200
    assert 'href="/console/dashboard"' in inspector_home.text
    assert admin_home.status_code == 200
    assert 'href="/console/admin/qr-codes"' in admin_home.text


@pytest.mark.parametrize("role", list(BY_ROLE))
def test_every_link_of_a_roles_navigation_opens_for_a_person_of_that_role(
    role: Role, client: TestClient, container: Container
) -> None:
    # given
    department = SAMPLE_DEPARTMENT if role is Role.DEPARTMENT else None
    person = signed_in(client, container, role, department=department)

    # when
    answers = {url: person.get(url).status_code for _, url in BY_ROLE[role]}

    # then
    assert answers == dict.fromkeys(answers, 200)
