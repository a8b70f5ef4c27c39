"""The deduction form and the list of deductions through the ASGI client: recording through
the form (read into the API's own schema), refusals in Chinese, the list's filters and
pages, revocation with a reason, and who may see what."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.discipline import DeductionAnswer
from domain.actor import Role
from domain.scorecard import SubjectKind
from interfaces.bootstrap import Container
from interfaces.web.routers.deductions import office_moment
from tests.e2e.test_discipline_http import rules  # noqa: F401 (a fixture)
from tests.factories import INSPECTOR, OTHER_DEPARTMENT, SAMPLE_DEPARTMENT, a_deduction
from tests.web_support import assert_shows, post_form, signed_in

FORM = "/console/deductions/new"
LIST = "/console/deductions"


@pytest.fixture
def inspector(inspector: TestClient, rules: None) -> TestClient:  # noqa: F811 (the fixture imported)
    """The shared inspector's client, with the conduct catalogue loaded."""
    return inspector


def a_deduction_form(**fields: str) -> dict[str, str]:
    """What an inspector types for staff S0001 (韩蕾, W-A01) answering harshly this morning."""
    return {
        "rule": "harsh_attitude",
        "staff": "S0001",
        "window": "",
        "occurred_at": "2026-11-27T09:30",
        "evidence": "暗访录像：言语生硬",
        "source_type": "unannounced_visit",
        "source_ref": "AF-2026-031",
        **fields,
    }


def recorded(container: Container, **fields: Any) -> DeductionAnswer:
    return container.supervision.record_deduction(a_deduction(**fields), INSPECTOR)


# The form ---------------------------------------------------------------------------------


def test_the_form_offers_each_rule_with_its_code_text_and_points_and_the_pickers(
    inspector: TestClient,
) -> None:
    page = inspector.get(FORM)

    assert page.status_code == 200
    for name in ("扣分事项", "工作人员", "窗口", "发生时间", "证据", "来源"):
        assert f">{name}</label>" in page.text, name
    assert_shows(
        page,
        "harsh_attitude · 态度生硬/言语粗暴（5 分）",
        'list="staff-options"',
        '<option value="S0001" label="韩蕾',
        '<option value="W-A01"',
        ">记录扣分</button>",
    )


def test_the_rule_fragment_shows_the_chosen_rules_text_and_points(inspector: TestClient) -> None:
    fragment = inspector.get(f"{FORM}/rule", params={"rule": "integrity"})
    unknown = inspector.get(f"{FORM}/rule", params={"rule": "no_such_rule"})

    assert fragment.status_code == 200
    assert "吃拿卡要" in fragment.text
    assert "扣完为止" in fragment.text
    assert unknown.status_code == 200  # the first rule is shown instead


def test_an_inspector_records_a_deduction_through_the_form_and_sees_it_listed(
    inspector: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    # when
    answer = post_form(inspector, FORM, a_deduction_form())
    catch_up()
    listed = inspector.get(answer.headers["location"])

    # then
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{LIST}?from=2026-11-27&to=2026-11-27"
    assert_shows(
        listed, "已记录扣分：态度生硬/言语粗暴，5 分。", "暗访录像：言语生硬", "韩蕾（S0001）"
    )
    scores = container.supervision.scorecard
    assert scores(SubjectKind.STAFF, "S0001", "2026-11").score == 95
    assert scores(SubjectKind.WINDOW, "W-A01", "2026-11").score == 95


def test_the_same_form_sent_twice_records_one_deduction(
    inspector: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    # given the form's own key, as the page hands it out
    key = re.search(r'name="request_key" value="([^"]+)"', inspector.get(FORM).text)
    assert key is not None

    # when a double click sends it twice
    for _ in range(2):
        answer = post_form(inspector, FORM, a_deduction_form(request_key=key.group(1)))
        assert answer.status_code == 303
    catch_up()

    # then
    assert container.supervision.scorecard(SubjectKind.STAFF, "S0001", "2026-11").score == 95
    assert inspector.get(LIST).text.count("暗访录像：言语生硬") == 1


def test_a_moment_typed_without_an_offset_is_read_in_the_offices_time() -> None:
    assert office_moment("2026-11-27T09:30") == "2026-11-27T09:30:00+08:00"
    assert office_moment("2026-11-27T09:30:15") == "2026-11-27T09:30:15+08:00"
    assert office_moment("yesterday") == "yesterday"


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"evidence": "录像\x00截图"}, "证据："),
        ({"evidence": ""}, "证据：请填写。"),
        ({"occurred_at": "2026-11-28T09:30"}, "发生时间不能晚于现在。"),
        ({"occurred_at": "去年冬天"}, "发生时间：格式不正确"),
        ({"occurred_at": "2026-02-30T09:30"}, "发生时间：格式不正确"),
        ({"rule": "no_such_rule"}, "没有该扣分事项。"),
        ({"rule": "Not A Code"}, "扣分事项：格式不正确"),
        ({"points": "99999999999999999999999"}, "扣分分值：格式不正确"),
        ({"points": "-5"}, "扣分分值：格式不正确"),
        ({"points": "101"}, "扣分分值：格式不正确"),
        ({"staff": "S9999"}, "没有该工作人员。"),
        ({"staff": "", "window": ""}, "扣分"),
        ({"source_type": "rumour"}, "来源：格式不正确"),
    ],
)
def test_bad_input_stays_on_the_form_with_a_chinese_message_and_records_nothing(
    inspector: TestClient,
    container: Container,
    catch_up: Callable[[], object],
    fields: dict[str, str],
    said: str,
) -> None:
    # when
    answer = post_form(inspector, FORM, a_deduction_form(**fields))
    catch_up()

    # then
    assert answer.status_code == 422, answer.text
    assert said in answer.text
    assert 'role="alert"' in answer.text
    assert "暗访录像" in answer.text or fields.get("evidence") is not None  # kept as typed
    assert "没有符合条件的扣分记录" in inspector.get(LIST).text


@pytest.mark.parametrize(
    ("role", "department"),
    [(Role.OPERATOR, None), (Role.DEPARTMENT, SAMPLE_DEPARTMENT), (Role.ADMIN, None)],
)
def test_only_inspectors_get_the_deduction_form(
    client: TestClient, container: Container, role: Role, department: str | None
) -> None:
    signed_in(client, container, role, department=department)

    assert client.get(FORM).status_code == 403
    assert post_form(client, FORM, a_deduction_form(), from_page="/console/").status_code == 403


# The list ---------------------------------------------------------------------------------


def test_the_list_filters_by_staff_rule_standing_and_days(
    inspector: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    # given
    recorded(container, evidence="考勤 9:40 到岗")
    recorded(
        container, rule="window_unattended", staff=None, window="W-A02", evidence="巡查时空岗20分钟"
    )
    catch_up()

    # when
    by_staff = inspector.get(LIST, params={"staff": "S0001"})
    by_rule = inspector.get(LIST, params={"rule": "window_unattended"})
    other_days = inspector.get(LIST, params={"from": "2026-11-20", "to": "2026-11-27"})
    revoked = inspector.get(LIST, params={"revoked": "true"})

    # then
    assert "考勤 9:40 到岗" in by_staff.text
    assert "空岗20分钟" not in by_staff.text
    assert "空岗20分钟" in by_rule.text
    assert "没有符合条件的扣分记录" in other_days.text
    assert "没有符合条件的扣分记录" in revoked.text


def test_the_list_comes_in_pages(
    inspector: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    # given 51 deductions, one more than a page
    for minute in range(51):
        recorded(container, evidence=f"考勤记录 {minute:02d}")
    catch_up()

    # when
    first = inspector.get(LIST)
    following = first.text.split('href="/console/deductions?cursor=')[1].split('"')[0]
    second = inspector.get(LIST, params={"cursor": following})

    # then
    assert "考勤记录 50" in first.text
    assert "考勤记录 00" not in first.text
    assert "考勤记录 00" in second.text
    assert "下一页" not in second.text


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"from": "2026-13-01"}, "发生日期起：格式不正确"),
        ({"from": "2026-11-27", "to": "2026-11-01"}, "格式不正确"),
        ({"staff": "S0001\x01"}, ""),
        ({"rule": "Not A Code"}, "扣分事项：格式不正确"),
        ({"cursor": "!!"}, "页码：格式不正确"),
        ({"department": "no-such-office"}, "部门：没有该部门。"),
    ],
)
def test_a_bad_filter_is_refused_in_chinese(
    inspector: TestClient, params: dict[str, str], said: str
) -> None:
    page = inspector.get(LIST, params=params)

    assert page.status_code in (400, 422), page.text
    assert said in page.text
    assert 'lang="zh-CN"' in page.text


def test_an_inspector_revokes_a_deduction_with_a_reason(
    inspector: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    # given
    deduction = recorded(container)
    catch_up()

    # when
    without = post_form(inspector, f"{LIST}/{deduction.id}/revoke", {"reason": ""}, from_page=LIST)
    revoked = post_form(
        inspector,
        f"{LIST}/{deduction.id}/revoke",
        {"reason": "申诉成立：考勤机故障", "query": "staff=S0001"},
        from_page=LIST,
    )
    catch_up()
    page = inspector.get(revoked.headers["location"])

    # then
    assert without.status_code == 303
    assert revoked.headers["location"] == f"{LIST}?staff=S0001"
    assert_shows(page, "已撤销扣分：迟到早退。", "申诉成立：考勤机故障")
    assert ">撤销理由</label>" not in page.text  # nothing left in force to revoke


def test_revoking_twice_is_refused_in_chinese(
    inspector: TestClient, container: Container, catch_up: Callable[[], object]
) -> None:
    # given
    deduction = recorded(container)
    container.supervision.revoke_deduction(deduction.id, reason="申诉成立", by=INSPECTOR)
    catch_up()

    # when
    answer = post_form(
        inspector, f"{LIST}/{deduction.id}/revoke", {"reason": "再次撤销"}, from_page=LIST
    )
    page = inspector.get(LIST)

    # then
    assert answer.status_code == 303
    assert "该扣分已撤销。" in page.text


def test_an_operator_reads_the_list_without_revoking(
    client: TestClient,
    container: Container,
    rules: None,  # noqa: F811 (the fixture imported)
    catch_up: Callable[[], object],
) -> None:
    # given
    deduction = recorded(container)
    catch_up()
    signed_in(client, container, Role.OPERATOR)

    # when
    page = client.get(LIST)
    answer = post_form(client, f"{LIST}/{deduction.id}/revoke", {"reason": "x"}, from_page=LIST)

    # then
    assert page.status_code == 200
    assert "考勤记录" in page.text
    assert "撤销理由" not in page.text
    assert answer.status_code == 403


def test_a_department_reads_its_own_deductions_only(
    client: TestClient,
    container: Container,
    rules: None,  # noqa: F811 (the fixture imported)
    catch_up: Callable[[], object],
) -> None:
    # given one deduction in the sample department, one in another
    recorded(container, evidence="本部门的扣分")
    recorded(container, staff="S0015", evidence="别的部门的扣分")
    catch_up()
    signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)

    # when
    own = client.get(LIST)
    asking_for_another = client.get(LIST, params={"department": OTHER_DEPARTMENT})

    # then
    assert "本部门的扣分" in own.text
    assert "别的部门的扣分" not in own.text
    assert "别的部门的扣分" not in asking_for_another.text
    assert 'id="department"' not in own.text
