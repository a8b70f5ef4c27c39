"""The operator's intake desk through the ASGI client: the form, registration, the access
code shown once, the caller's earlier cases by a keyed digest, likely duplicates and merge."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from uuid import UUID

import psycopg
import pytest
from fastapi.testclient import TestClient

from domain.actor import Role
from interfaces.bootstrap import Container
from interfaces.web.csrf import FORM_TOKEN_HEADER
from tests.factories import INSPECTOR, SAMPLE_WINDOW, registered_case, registration
from tests.web_support import ORIGIN, assert_shows, form_token, post_form, signed_in

NEW = "/console/cases/new"
PHONE = "13812345678"
INTAKE = {
    "kind": "complaint",
    "channel": "hotline",
    "window": SAMPLE_WINDOW,
    "category": "服务态度",
    "summary": "窗口人员态度生硬",
    "details": "上午十点办理不动产登记时被训斥",
    "complainant_name": "王芳",
    "complainant_phone": PHONE,
}


@pytest.fixture
def operator(client: TestClient, container: Container) -> TestClient:
    return signed_in(client, container, Role.OPERATOR, name="李话务")


def register(client: TestClient, **fields: Any) -> Any:
    return post_form(client, NEW, {**INTAKE, **fields})


def test_the_intake_form_has_the_controls_named_as_the_contract_says(operator: TestClient) -> None:
    # when
    page = operator.get(NEW)

    # then
    assert page.status_code == 200
    for name in (
        "诉求类型",
        "渠道",
        "窗口",
        "工作人员",
        "分类",
        "紧急",
        "摘要",
        "详情",
        "姓名",
        "手机号",
    ):
        assert re.search(rf"<label for=\"[a-z_]+\">{name}( \*)?</label>", page.text), name
    assert_shows(
        page,
        '<button type="submit" class="button">登记</button>',
        'hx-trigger="keyup changed delay:300ms"',
        "投诉",
        "服务态度",
        "W-A01",
    )


def test_registering_shows_the_tracking_number_and_the_access_code_once(
    operator: TestClient, container: Container
) -> None:
    # when
    answer = register(operator)
    page = operator.get(answer.headers["location"])
    again = operator.get(answer.headers["location"])

    # then
    assert answer.status_code == 303
    assert re.fullmatch(r"/console/cases/[0-9a-f-]{36}/registered", answer.headers["location"])
    code = re.search(r'<dd class="receipt__code">([A-Z0-9-]{8,})</dd>\s*</dl>', page.text)
    assert code, page.text
    assert re.search(r"HL\d{8}-\d{4}", page.text)
    assert "data-print" in page.text
    assert "打印" in page.text
    assert "no-store" in page.headers["cache-control"]
    assert code.group(1) not in again.text
    assert "只在登记后显示一次" in again.text


def test_the_registration_records_the_person_as_the_actor(
    operator: TestClient, container: Container
) -> None:
    # when
    answer = register(operator)
    case_id = answer.headers["location"].split("/")[3]

    # then
    history = container.supervision.case_history(UUID(case_id), INSPECTOR)
    assert history[0].actor["name"] == "李话务"


def test_a_missing_summary_is_named_in_chinese_and_the_input_kept(operator: TestClient) -> None:
    # when
    page = register(operator, summary="")

    # then
    assert page.status_code == 422
    assert_shows(page, "摘要：请填写。", "上午十点办理不动产登记时被训斥", f'value="{PHONE}"')


def test_a_malformed_phone_is_refused_in_chinese(operator: TestClient) -> None:
    # when
    page = register(operator, complainant_phone="abc")

    # then
    assert page.status_code == 422
    assert "手机号：格式不正确" in page.text


def test_control_characters_are_refused_in_chinese(operator: TestClient) -> None:
    # when
    page = register(operator, summary="态度\x00生硬")

    # then
    assert page.status_code == 422
    assert "无法保存的字符" in page.text


def test_an_unknown_window_is_refused_in_chinese_beside_the_form(operator: TestClient) -> None:
    # when
    page = register(operator, window="W-NONE")

    # then
    assert page.status_code == 409
    assert "请修改以下内容" in page.text
    assert "窗口人员态度生硬" in page.text


def test_registering_without_the_form_token_is_refused(operator: TestClient) -> None:
    # when
    answer = operator.post(NEW, data=INTAKE, headers={"Origin": ORIGIN}, follow_redirects=False)

    # then
    assert answer.status_code == 403
    assert "无法完成操作" in answer.text


def lookup(client: TestClient, phone: str) -> Any:
    token = form_token(client, NEW)
    return client.post(
        f"{NEW}/caller",
        data={"complainant_phone": phone},
        headers={"Origin": ORIGIN, FORM_TOKEN_HEADER: token, "HX-Request": "true"},
    )


def test_the_callers_earlier_cases_are_found_by_their_phone_however_it_is_written(
    operator: TestClient, catch_up: Callable[[], object]
) -> None:
    # given
    register(operator)
    catch_up()

    # when
    found = lookup(operator, "+86 138-1234-5678")
    other = lookup(operator, "13900000000")

    # then
    assert found.status_code == 200
    assert re.search(r"HL\d{8}-\d{4}", found.text)
    assert "已登记" in found.text
    assert "投诉" in found.text
    assert "<html" not in found.text
    assert "没有以往登记的工单" in other.text


def test_the_read_tables_hold_no_phone_in_clear_and_erasure_removes_the_digest(
    operator: TestClient, container: Container, database_url: str, catch_up: Callable[[], object]
) -> None:
    # given
    case_id = registered_case(container.supervision)
    catch_up()

    # when
    before = dump_of_read_tables(database_url)
    digest = digest_of(database_url, case_id)
    container.supervision.erase_personal_data(case_id, reason="本人申请", by=INSPECTOR)
    catch_up()

    # then
    assert PHONE not in before
    assert "12345678" not in before
    assert digest == container.phone_digest(PHONE)
    assert digest_of(database_url, case_id) is None
    assert "没有以往登记的工单" in lookup(operator, PHONE).text


def dump_of_read_tables(database_url: str) -> str:
    with psycopg.connect(database_url) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                " AND tablename NOT LIKE '%events%' AND tablename NOT LIKE 'stored%'"
            )
        ]
        return "".join(
            repr(connection.execute(f'SELECT * FROM "{table}"').fetchall()) for table in tables
        )


def digest_of(database_url: str, case_id: Any) -> str | None:
    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT phone_digest FROM case_list WHERE id = %s", (case_id,)
        ).fetchone()
        return row[0] if row else None


def test_likely_duplicates_at_the_window_are_listed_and_merged(
    operator: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    # given
    first = registration(container.supervision, summary="排队两小时无人办理").case
    answer = register(operator)
    catch_up()

    # when
    fragment = operator.get(f"{NEW}/duplicates", params={"window": SAMPLE_WINDOW})
    page = operator.get(answer.headers["location"])
    merged = post_form(
        operator,
        answer.headers["location"].replace("/registered", "/merge"),
        {"into": first.tracking_number},
        from_page=answer.headers["location"],
    )

    # then
    assert "排队两小时无人办理" in fragment.text
    assert "合并</button>" in page.text
    assert first.tracking_number in page.text
    assert merged.status_code == 303
    new_id = answer.headers["location"].split("/")[3]
    assert merged.headers["location"] == f"/console/cases/{new_id}"
    assert container.supervision.get_case(UUID(new_id), INSPECTOR).status == ("merged")


def test_a_malformed_window_finds_no_duplicates(operator: TestClient) -> None:
    # when
    fragment = operator.get(f"{NEW}/duplicates", params={"window": "../../etc"})

    # then
    assert fragment.status_code == 200
    assert "<table" not in fragment.text
