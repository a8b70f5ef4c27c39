"""The department's desk through the ASGI client: its answer templates page, and the result
form on the case page that offers them and, where the case allows, a proposed deduction."""

from __future__ import annotations

from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from domain.actor import Actor, Role
from domain.answer_templates import AnswerTemplate
from domain.case import Kind
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import Container
from tests.factories import OTHER_DEPARTMENT, SAMPLE_DEPARTMENT, assigned_case
from tests.web_support import assert_shows, post_action, post_form, signed_in

PAGE = "/console/templates"
OPERATOR = Actor("operator-1", Role.OPERATOR, name="李小红")
DEEDS = Actor("deeds", Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)
APOLOGY = "经核实，窗口工作人员态度生硬，已批评教育，向您致歉。"
TEMPLATE = {"category": "服务态度", "title": "态度问题致歉", "text": APOLOGY}


def as_department(client: TestClient, container: Container) -> TestClient:
    return signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)


def posted_result(client: TestClient, case_id: UUID, fields: dict[str, str]) -> Response:
    """Post the case page's result form, as the department's browser does."""
    return post_action(client, f"/console/cases/{case_id}", "post_result", fields)


def a_template(container: Container, **fields: str) -> AnswerTemplate:
    kept = {**TEMPLATE, **fields}
    return container.supervision.create_answer_template(SAMPLE_DEPARTMENT, **kept, by=DEEDS)


def acknowledged(container: Container, **fields: object) -> UUID:
    case_id = assigned_case(container.supervision, OPERATOR, **fields)
    container.supervision.acknowledge_case(case_id, DEEDS)
    return case_id


def result_form(client: TestClient, case_id: UUID) -> str:
    return client.get(f"/console/cases/{case_id}").text


# The templates page ---------------------------------------------------------------------------


def test_a_department_lists_its_templates_by_category(
    client: TestClient, container: Container
) -> None:
    # given a template of each of two categories, and one of another department
    a_template(container)
    a_template(container, category="办事效率", title="说明办理时限", text="已在时限内办结。")
    container.supervision.create_answer_template(
        OTHER_DEPARTMENT,
        **{**TEMPLATE, "title": "别人的模板"},
        by=Actor("tax", Role.DEPARTMENT, department=OTHER_DEPARTMENT),
    )
    as_department(client, container)

    # when
    page = client.get(PAGE)

    # then
    assert page.status_code == 200
    assert_shows(
        page,
        "<h1>答复模板</h1>",
        '<h2 id="category-1">服务态度</h2>',
        '<h2 id="category-2">办事效率</h2>',
    )
    assert page.text.index("态度问题致歉") < page.text.index("说明办理时限")
    assert "别人的模板" not in page.text
    assert 'href="/console/templates"' in page.text  # the navigation's link


def test_a_department_creates_edits_and_retires_a_template_through_the_page(
    client: TestClient, container: Container
) -> None:
    as_department(client, container)

    # when it creates a template
    created = post_form(client, PAGE, TEMPLATE)
    (template,) = container.supervision.answer_templates(SAMPLE_DEPARTMENT, DEEDS)
    # and edits it
    edited = post_form(
        client, f"{PAGE}/{template.id}/edit", {**TEMPLATE, "text": "已整改。"}, from_page=PAGE
    )
    after_edit = client.get(PAGE).text
    # and retires it
    retired = post_form(client, f"{PAGE}/{template.id}/retire", {}, from_page=PAGE)

    # then each went back to the page saying so, and the book holds none live
    assert created.status_code == edited.status_code == retired.status_code == 303
    assert "已整改。" in after_edit
    assert "已停用答复模板。" in client.get(PAGE).text
    assert container.supervision.answer_templates(SAMPLE_DEPARTMENT, DEEDS) == []


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"title": "致\x00歉"}, "模板标题：内容含有无法保存的字符"),
        ({"text": "答复\x1b内容"}, "模板内容：内容含有无法保存的字符"),
        ({"title": "长" * 61}, "模板标题：内容过长"),
        ({"text": "长" * 10_001}, "模板内容：内容过长"),
        ({"title": "  "}, "模板标题：请填写。"),
        ({"category": "没有的分类"}, "没有该分类。"),
    ],
    ids=["nul", "escape", "long-title", "long-text", "blank", "category"],
)
def test_a_template_the_record_cannot_hold_is_refused_in_chinese_with_the_form_kept(
    client: TestClient, container: Container, fields: dict[str, str], says: str
) -> None:
    as_department(client, container)

    answer = post_form(client, PAGE, {**TEMPLATE, **fields})

    assert answer.status_code == 422
    assert says in answer.text
    assert APOLOGY in answer.text or "text" in fields
    assert container.supervision.answer_templates(SAMPLE_DEPARTMENT, DEEDS) == []


def test_a_taken_title_and_an_unknown_template_are_refused_in_chinese(
    client: TestClient, container: Container
) -> None:
    template = a_template(container)
    as_department(client, container)

    taken = post_form(client, PAGE, TEMPLATE)
    unknown = post_form(client, f"{PAGE}/{UUID(int=7)}/retire", {}, from_page=PAGE)
    after_unknown = client.get(PAGE).text
    malformed = post_form(client, f"{PAGE}/not-an-id/edit", TEMPLATE, from_page=PAGE)
    edited_away = post_form(
        client, f"{PAGE}/{template.id}/edit", {**TEMPLATE, "category": "?"}, from_page=PAGE
    )

    assert taken.status_code == 409
    assert "同一分类下已有同名的答复模板。" in taken.text
    assert unknown.status_code == 303
    assert "未找到该答复模板。" in after_unknown
    assert malformed.status_code == 422
    assert edited_away.status_code == 422
    assert "没有该分类。" in edited_away.text
    assert '<details class="action" open>' in edited_away.text


# The result form ------------------------------------------------------------------------------


def test_the_result_form_offers_the_cases_category_first_then_the_others(
    client: TestClient, container: Container
) -> None:
    other = a_template(container, category="办事效率", title="说明办理时限", text="已办结。")
    own = a_template(container)
    retired = a_template(container, title="旧模板")
    container.supervision.retire_answer_template(SAMPLE_DEPARTMENT, retired.id, by=DEEDS)
    case_id = acknowledged(container, category="服务态度")
    as_department(client, container)

    html = result_form(client, case_id)

    assert '<label for="post_result-template">答复模板</label>' in html
    assert 'data-fills="post_result-answer"' in html
    assert html.index(f'value="{own.id}"') < html.index(f'value="{other.id}"')
    assert f'data-text="{APOLOGY}"' in html
    assert str(retired.id) not in html
    assert '<label for="post_result-answer">答复内容</label>' in html


def test_without_a_script_the_use_template_button_fills_the_answer_and_records_nothing(
    client: TestClient, container: Container
) -> None:
    template = a_template(container)
    case_id = acknowledged(container)
    as_department(client, container)

    answer = posted_result(
        client,
        case_id,
        {"outcome": "substantiated", "template": str(template.id), "use_template": "1"},
    )

    assert answer.status_code == 200
    assert f">{APOLOGY}</textarea>" in answer.text
    assert '<option value="substantiated" selected>' in answer.text
    case = container.supervision.get_case(case_id, OPERATOR)
    assert case.status == "in_progress"


def test_using_no_template_says_which_field_to_choose(
    client: TestClient, container: Container
) -> None:
    a_template(container)
    case_id = acknowledged(container)
    as_department(client, container)

    answer = posted_result(client, case_id, {"template": "\x00", "use_template": "1"})

    assert answer.status_code == 200
    assert "答复模板：请选择一个模板。" in answer.text


@pytest.fixture
def complaint_about_s0001(client: TestClient, container: Container) -> UUID:
    """A complaint about staff member S0001 at the sample window, acknowledged by the
    department, whose person is signed in; the conduct catalogue loaded."""
    container.supervision.load_conduct_rules(default_conduct_rules(), Actor("a", Role.ADMIN))
    case_id = acknowledged(container, staff="S0001")
    as_department(client, container)
    return case_id


def test_a_complaint_found_substantiated_is_answered_with_a_proposed_deduction(
    client: TestClient, container: Container, complaint_about_s0001: UUID
) -> None:
    # given a complaint about staff member S0001 at the sample window
    case_id = complaint_about_s0001
    html = result_form(client, case_id)

    # when the department posts its result proposing a deduction
    answer = posted_result(
        client,
        case_id,
        {
            "outcome": "substantiated",
            "answer": APOLOGY,
            "proposed_rule": "harsh_attitude",
            "proposed_staff": "S0001",
        },
    )

    # then the form offered it, and the case holds the proposal for an inspector
    assert "<legend>建议扣分" in html
    assert '<label for="post_result-proposed_rule">扣分事项</label>' in html
    assert answer.status_code == 303
    case = container.supervision.get_case(case_id, OPERATOR)
    assert case.proposed_deduction is not None
    assert (case.proposed_deduction["rule"], case.proposed_deduction["staff"]) == (
        "harsh_attitude",
        "S0001",
    )


def test_a_proposed_deduction_with_another_outcome_is_refused_in_chinese(
    client: TestClient, complaint_about_s0001: UUID
) -> None:
    case_id = complaint_about_s0001

    answer = posted_result(
        client,
        case_id,
        {"outcome": "resolved", "answer": "已解决", "proposed_rule": "harsh_attitude"},
    )

    assert answer.status_code == 422
    assert "只有核实属实的投诉或举报才能建议扣分" in answer.text
    assert ">已解决</textarea>" in answer.text


def test_a_request_offers_no_proposed_deduction(client: TestClient, container: Container) -> None:
    case_id = acknowledged(container, kind=Kind.REQUEST)
    as_department(client, container)

    html = result_form(client, case_id)

    assert "提交办理结果" in html
    assert "建议扣分" not in html
    assert 'id="post_result-template"' not in html  # the department keeps none yet
