"""Appeals at the console (申诉, §15): the department appeals from its scores page, the
inspectors decide on the appeal page, each page marks how the appeal stands, and bad input
comes back in Chinese, never as a 500."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import Container
from tests.factories import INSPECTOR, OTHER_DEPARTMENT, SAMPLE_DEPARTMENT, a_deduction
from tests.support import SettableTimeSource
from tests.web_support import assert_shows, post_form, signed_in

SCORES = "/console/scores?month=2026-11"
APPEALS = "/console/appeals"


@pytest.fixture
def deduction_id(container: Container, catch_up: Callable[[], object]) -> UUID:
    """韩蕾 (S0001) rude on 26 November, recorded on the 27th: 5 points, her window's too."""
    app = container.supervision
    app.load_conduct_rules(default_conduct_rules(), Actor("admin", Role.ADMIN))
    recorded = app.record_deduction(
        a_deduction(
            rule="harsh_attitude",
            occurred_at=datetime(2026, 11, 26, 15, tzinfo=OFFICE_TZ),
            evidence="暗访录像：言语生硬",
        ),
        INSPECTOR,
    )
    catch_up()
    return recorded.id


def appeal_from_scores(client: TestClient, deduction_id: UUID, **fields: str) -> object:
    return post_form(
        client,
        f"/console/deductions/{deduction_id}/appeal",
        {"reasons": "当事人系在解释政策", "evidence": "现场录音", **fields},
        from_page=SCORES,
    )


def test_the_departments_scores_page_offers_an_appeal_form_on_each_appealable_deduction(
    department: TestClient, deduction_id: UUID
) -> None:
    page = department.get(SCORES)

    assert page.status_code == 200
    assert_shows(
        page,
        f'action="/console/deductions/{deduction_id}/appeal"',
        "申诉理由",
        "证据",
        "提交申诉",
        "2026-12-04 17:30",  # until when it may be appealed
    )


def test_an_appeal_from_the_scores_page_goes_to_the_appeal_page_and_marks_the_deduction(
    department: TestClient, deduction_id: UUID, catch_up: Callable[[], object]
) -> None:
    sent = appeal_from_scores(department, deduction_id)
    catch_up()
    appeals = department.get(APPEALS)
    scores = department.get(SCORES)

    assert (sent.status_code, sent.headers["location"]) == (303, APPEALS)  # type: ignore[attr-defined]
    assert_shows(appeals, "已提交申诉", "待审定的申诉（1）", "当事人系在解释政策")
    assert "（申诉中）" in scores.text
    assert "申诉中 1" in scores.text
    assert f'action="/console/deductions/{deduction_id}/appeal"' not in scores.text


def test_the_inspectors_grant_an_appeal_with_a_reason_and_the_deduction_is_revoked(
    client: TestClient, container: Container, deduction_id: UUID, catch_up: Callable[[], object]
) -> None:
    appeal = container.supervision.appeal_deduction(
        deduction_id,
        reasons="当事人系在解释政策",
        evidence=None,
        by=Actor("deeds", Role.DEPARTMENT, department=SAMPLE_DEPARTMENT),
    )
    catch_up()
    inspector = signed_in(client, container, Role.INSPECTOR)
    queue = inspector.get(APPEALS)

    granted = post_form(
        inspector, f"{APPEALS}/{appeal.id}/grant", {"reason": "系解释政策"}, from_page=APPEALS
    )
    catch_up()
    after = inspector.get(APPEALS)
    scores = inspector.get(f"{SCORES}&department={SAMPLE_DEPARTMENT}")

    assert_shows(queue, "待审定的申诉（1）", "2026-12-04 17:30", "维持扣分", "撤销扣分")
    assert granted.status_code == 303
    assert_shows(after, "已审定申诉：撤销扣分", "待审定的申诉（0）", "系解释政策")
    assert "已撤销" in scores.text
    assert "申诉撤销扣分" in scores.text


def test_a_decision_without_a_reason_or_with_a_control_character_comes_back_in_chinese(
    client: TestClient, container: Container, deduction_id: UUID, catch_up: Callable[[], object]
) -> None:
    appeal = container.supervision.appeal_deduction(
        deduction_id,
        reasons="申诉",
        evidence=None,
        by=Actor("deeds", Role.DEPARTMENT, department=SAMPLE_DEPARTMENT),
    )
    catch_up()
    inspector = signed_in(client, container, Role.INSPECTOR)

    blank = post_form(inspector, f"{APPEALS}/{appeal.id}/uphold", {"reason": ""}, from_page=APPEALS)
    blank_page = inspector.get(APPEALS)
    control = post_form(
        inspector, f"{APPEALS}/{appeal.id}/uphold", {"reason": "理\u0000由"}, from_page=APPEALS
    )
    control_page = inspector.get(APPEALS)

    assert blank.status_code == 303
    assert "理由" in blank_page.text
    assert "待审定的申诉（1）" in blank_page.text
    assert control.status_code in (303, 422)
    assert control_page.status_code == 200


def test_an_appeal_with_bad_text_is_refused_in_chinese(
    department: TestClient, deduction_id: UUID
) -> None:
    nul = appeal_from_scores(department, deduction_id, reasons="理由\u0000")
    empty = appeal_from_scores(department, deduction_id, reasons="")
    page = department.get(SCORES)

    assert nul.status_code in (303, 422)  # type: ignore[attr-defined]
    assert empty.status_code == 303  # type: ignore[attr-defined]
    assert "申诉理由" in page.text
    assert f'action="/console/deductions/{deduction_id}/appeal"' in page.text


def test_an_appeal_after_the_window_is_refused_in_chinese(
    client: TestClient,
    container: Container,
    deduction_id: UUID,
    time_source: SettableTimeSource,
) -> None:
    time_source.set(datetime(2026, 12, 7, 9, tzinfo=OFFICE_TZ))
    department = signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)
    before = department.get(SCORES)

    late = appeal_from_scores(department, deduction_id)
    page = department.get(SCORES)

    assert "提交申诉" not in before.text
    assert late.status_code == 303  # type: ignore[attr-defined]
    assert "已超过申诉期限" in page.text


def test_another_department_sees_no_form_and_an_operator_may_not_open_the_appeal_page(
    client: TestClient, container: Container, deduction_id: UUID
) -> None:
    other = signed_in(client, container, Role.DEPARTMENT, department=OTHER_DEPARTMENT)
    other_scores = other.get(SCORES)
    refused = appeal_from_scores(other, deduction_id)
    refused_page = other.get(SCORES)
    operator = signed_in(client, container, Role.OPERATOR, username="operator-x")

    assert "提交申诉" not in other_scores.text
    assert refused.status_code == 303  # type: ignore[attr-defined]
    assert "只有被扣分工作人员或窗口所属部门可以申诉" in refused_page.text
    assert operator.get(APPEALS).status_code == 403
