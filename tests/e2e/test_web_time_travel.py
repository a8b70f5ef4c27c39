"""查看历史时点 at the console (§14) through the ASGI client: boards, lists, scores, reports and
the case page read as the record stood at `as_of`, with the banner and without write actions,
the control keeping the page's filters, links to a case keeping the instant, and bad instants
refused in Chinese, never as a 500."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from infrastructure.audit_projection import AuditEventsRunner
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import Container
from tests.factories import (
    ESCALATED_AT,
    INSPECTOR,
    OTHER_DEPARTMENT,
    SAMPLE_DEPARTMENT,
    SAMPLE_DEPARTMENT_ACTOR,
    SAMPLE_SUPERIOR,
    a_deduction,
    acknowledged_case,
    answer,
    assign,
    assigned_case,
    case_asking_extension,
    escalated_case,
    registration,
)
from tests.support import SettableTimeSource
from tests.web_support import assert_error_page, assert_hides, assert_shows, signed_in

# The record is made at 10:00 (the tests' start); at 12:00 the case moves to taxation, the
# deeds office answers another, and the patrol's deduction is revoked. 11:00 is between: what
# the datetime-local control sends.
THEN = "2026-11-27T11:00"
BANNER = "正在查看 2026年11月27日 11:00 的历史记录（记录时间），数据不会随新记录变化。"
BANNER_NAME = 'role="status" aria-label="历史时点"'
PAST = f"as_of={THEN}"
ANSWERED_AT_NOON = "已为群众补办登记手续"


@dataclass(frozen=True)
class History:
    """What was recorded before and after 11:00."""

    tracking_number: str  # assigned to the deeds office at 10:00, to taxation at 12:00
    revoked: UUID  # a patrol's deduction of 10:00, revoked at 12:00
    kept: UUID  # a visit's deduction of 10:00, still in force
    moved: UUID  # the case of `tracking_number`
    waiting: UUID  # assigned to the deeds office at 10:00, still to be acknowledged
    answered: UUID  # acknowledged by the deeds office at 10:00, answered at 12:00
    asking: UUID  # acknowledged at 10:00, asking for an extension since


@pytest.fixture
def history(
    container: Container, time_source: SettableTimeSource, catch_up: Callable[[], object]
) -> History:
    app = container.supervision
    app.load_conduct_rules(default_conduct_rules(), Actor("admin", Role.ADMIN))
    registered = registration(app, summary="窗口拒收材料")
    assign(app, registered.case.id)
    waiting = assigned_case(app, summary="仍待签收的投诉")
    asking = case_asking_extension(app, summary="需要现场核查的投诉")
    answered = acknowledged_case(app, summary="中午答复的投诉")
    revoked = app.record_deduction(
        a_deduction(occurred_at=datetime(2026, 11, 27, 9, 0, tzinfo=OFFICE_TZ)), INSPECTOR
    )
    kept = app.record_deduction(
        a_deduction(
            rule="harsh_attitude",
            occurred_at=datetime(2026, 11, 27, 9, 30, tzinfo=OFFICE_TZ),
            evidence="暗访录像：言语生硬",
        ),
        INSPECTOR,
    )
    time_source.advance(hours=2)
    assign(app, registered.case.id, department=OTHER_DEPARTMENT)
    answer(app, answered, answer=ANSWERED_AT_NOON)
    app.revoke_deduction(revoked.id, reason="考勤记录有误", by=INSPECTOR)
    catch_up()
    return History(
        registered.case.tracking_number,
        revoked.id,
        kept.id,
        registered.case.id,
        waiting,
        answered,
        asking,
    )


def main_of(page: Response) -> str:
    """The page's content, below the header and navigation (which hold the sign-out form)."""
    return page.text.split("<main", 1)[1]


def test_the_inbox_as_of_before_a_reassignment_shows_the_case_with_the_banner(
    history: History, department: TestClient
) -> None:
    then = department.get(f"/console/?{PAST}")
    now = department.get("/console/")

    assert then.status_code == 200
    assert_shows(then, history.tracking_number, BANNER, BANNER_NAME, ">回到现在</a>")
    assert 'href="/console/"' in main_of(then)
    assert history.tracking_number not in now.text
    assert_hides(now, BANNER_NAME)


def test_the_old_departments_board_as_of_then_holds_the_case_and_the_new_ones_does_not(
    history: History, inspector: TestClient
) -> None:
    old_then = inspector.get(f"/console/boards/{SAMPLE_DEPARTMENT}?{PAST}")
    new_then = inspector.get(f"/console/boards/{OTHER_DEPARTMENT}?{PAST}")
    old_now = inspector.get(f"/console/boards/{SAMPLE_DEPARTMENT}")
    new_now = inspector.get(f"/console/boards/{OTHER_DEPARTMENT}")

    assert_shows(old_then, history.tracking_number, BANNER)
    assert history.tracking_number not in new_then.text
    assert history.tracking_number not in old_now.text
    assert_shows(new_now, history.tracking_number)


def test_the_inbox_of_the_past_has_no_acknowledgement_and_is_not_polled(
    history: History, department: TestClient
) -> None:
    then = department.get(f"/console/?{PAST}")
    now = department.get("/console/")

    assert_shows(now, ">批量签收</button>", 'type="checkbox"', 'hx-get="/console/inbox"')
    assert_shows(then, "仍待签收的投诉")
    assert_hides(then, ">批量签收</button>", 'type="checkbox"', 'hx-get="/console/inbox"')
    assert 'method="post"' not in main_of(then)


# The pages of boards, lists, scores and reports an inspector reads, and those of the public.
INSPECTORS_PAGES = [
    f"/console/boards/{SAMPLE_DEPARTMENT}",
    "/console/cases",
    "/console/supervision",
    "/console/deductions",
    f"/console/scores?department={SAMPLE_DEPARTMENT}",
    "/console/blue-list",
    "/console/red-list",
    "/console/reports/monthly",
    "/blue-list",
    "/red-list",
]


def test_every_page_of_the_past_shows_the_banner_and_posts_nothing(
    history: History, inspector: TestClient
) -> None:
    for page in INSPECTORS_PAGES:
        then = inspector.get(f"{page}{'&' if '?' in page else '?'}{PAST}")
        now = inspector.get(page)

        assert then.status_code == 200, page
        assert_shows(then, BANNER, 'aria-label="选择历史时点"', 'value="2026-11-27T11:00"')
        assert 'method="post"' not in main_of(then), page
        assert BANNER_NAME not in now.text, page
        assert 'aria-label="选择历史时点"' in now.text, page


def test_the_inspectors_write_actions_are_there_now_and_gone_in_the_past(
    history: History, inspector: TestClient
) -> None:
    queue_then = inspector.get(f"/console/supervision?{PAST}")
    queue_now = inspector.get("/console/supervision")
    deductions_then = inspector.get(f"/console/deductions?{PAST}")
    deductions_now = inspector.get("/console/deductions")

    assert_shows(queue_then, "需要现场核查的投诉")
    assert_shows(queue_now, ">批准延期</button>", ">驳回延期</button>")
    assert_hides(queue_then, ">批准延期</button>", ">驳回延期</button>")
    assert_shows(main_of(deductions_now), ">撤销</button>", ">记录扣分</a>", "已撤销（")
    assert_hides(main_of(deductions_then), ">撤销</button>", ">记录扣分</a>", "已撤销（")


def test_the_departments_scores_as_of_then_count_the_revoked_deduction_with_no_appeal_form(
    history: History, department: TestClient
) -> None:
    then = department.get(f"/console/scores?month=2026-11&{PAST}")
    now = department.get("/console/scores?month=2026-11")

    appeal_form = f'action="/console/deductions/{history.kept}/appeal"'
    assert_shows(now, appeal_form, "已撤销（")
    assert_shows(then, BANNER, "考勤记录")
    assert_hides(then, appeal_form, "已撤销（", "提交申诉")


def test_the_blue_list_and_the_monthly_report_as_of_then_still_hold_the_revoked_deduction(
    history: History, inspector: TestClient
) -> None:
    blue_then = inspector.get(f"/console/blue-list?date=2026-11-27&{PAST}")
    blue_now = inspector.get("/console/blue-list?date=2026-11-27")
    public_then = inspector.get(f"/blue-list?date=2026-11-27&{PAST}")
    report_then = inspector.get(f"/console/reports/monthly.csv?month=2026-11&{PAST}")
    report_now = inspector.get("/console/reports/monthly.csv?month=2026-11")

    assert_shows(blue_then, "考勤记录", "暗访录像：言语生硬")
    assert_shows(blue_now, "暗访录像：言语生硬")
    assert_hides(blue_now, "考勤记录")
    assert_shows(public_then, BANNER, "迟到早退")
    assert report_then.status_code == report_now.status_code == 200
    assert "考勤记录" in report_then.content.decode("utf-8-sig")
    assert "考勤记录" not in report_now.content.decode("utf-8-sig")


def test_the_pages_links_and_forms_keep_the_instant_and_the_control_keeps_the_filters(
    history: History, inspector: TestClient
) -> None:
    kept = quote("2026-11-27T11:00:00+08:00", safe="")
    cases = inspector.get(f"/console/cases?kind=complaint&{PAST}")
    report = inspector.get(f"/console/reports/monthly?month=2026-11&{PAST}")

    assert_shows(
        cases,
        '<input type="hidden" name="as_of" value="2026-11-27T11:00:00+08:00">',
        '<input type="hidden" name="kind" value="complaint">',
        f"/console/cases/export.xlsx?kind=complaint&amp;as_of={kept}",
        f'href="/console/cases?as_of={kept}">清除条件</a>',
        'href="/console/cases?kind=complaint">回到现在</a>',
    )
    assert_hides(cases, ">保存筛选</button>")
    assert_shows(report, f"/console/reports/monthly.xlsx?month=2026-11&amp;as_of={kept}")


def test_a_wall_clock_time_is_read_in_the_offices_time_like_the_same_instant_with_an_offset(
    history: History, inspector: TestClient
) -> None:
    board = f"/console/boards/{SAMPLE_DEPARTMENT}"
    wall_clock = inspector.get(f"{board}?{PAST}")
    in_utc = inspector.get(f"{board}?as_of=2026-11-27T03:00:00Z")
    a_day = inspector.get(f"{board}?as_of=2026-11-26")

    assert_shows(wall_clock, BANNER, history.tracking_number)
    assert_shows(in_utc, BANNER, history.tracking_number)
    assert_shows(a_day, "正在查看 2026年11月26日 23:59 的历史记录")
    assert history.tracking_number not in a_day.text


@pytest.mark.parametrize(
    ("as_of", "status", "said"),
    [
        ("昨天上午", 422, "历史时点的格式不正确"),
        ("2026-13-01T10:00", 422, "历史时点的格式不正确"),
        ("99999-01-01T10:00", 422, "历史时点的格式不正确"),
        ("2026-11-27T11:00" + "0" * 100, 422, "历史时点的格式不正确"),
        ("0001-01-01T00:00", 422, "历史时点的格式不正确"),
        ("0001-01-01T00:00:00+09:00", 422, "历史时点的格式不正确"),
        ("2026-11-28T09:00", 422, "历史时点不能晚于现在"),
        ("2099-01-01T10:00+08:00", 422, "历史时点不能晚于现在"),
        ("2026-11-27T11:00\x00", 422, "无法保存的字符"),
        ("2026-11-27T11:00\x1b", 422, "无法保存的字符"),
    ],
)
def test_a_bad_instant_is_refused_in_chinese_on_the_inbox_and_on_the_case_page(
    history: History, department: TestClient, as_of: str, status: int, said: str
) -> None:
    for page in ("/console/", case_page(history.waiting)):
        refused = department.get(page, params={"as_of": as_of})

        assert_error_page(refused, status)
        assert said in refused.text, (page, refused.text)


def test_every_page_refuses_a_malformed_instant_in_chinese(
    history: History, inspector: TestClient
) -> None:
    for page in INSPECTORS_PAGES:
        answer = inspector.get(page, params={"as_of": "not-a-time"})

        assert_error_page(answer, 422)
        assert "历史时点的格式不正确" in answer.text, page


# The case page (/console/cases/{id}) as of an instant ------------------------------------------


def case_page(case_id: UUID) -> str:
    return f"/console/cases/{case_id}"


def test_the_case_page_as_of_then_shows_the_case_as_it_stood_under_the_banner_with_no_form(
    history: History, department: TestClient
) -> None:
    then = department.get(f"{case_page(history.answered)}?{PAST}")
    now = department.get(case_page(history.answered))

    assert then.status_code == now.status_code == 200
    assert_shows(then, BANNER, BANNER_NAME, "中午答复的投诉", ">办理中</span>")
    assert_shows(main_of(then), f'href="{case_page(history.answered)}">回到现在</a>')
    assert_hides(then, ANSWERED_AT_NOON, ">已答复</span>", "可办理的操作", "上传附件")
    assert 'method="post"' not in main_of(then)
    assert_shows(now, ANSWERED_AT_NOON, ">已答复</span>", "上传附件")
    assert_hides(now, BANNER_NAME)


def test_the_case_page_as_of_then_has_the_timeline_up_to_then_only(
    history: History, inspector: TestClient
) -> None:
    then = inspector.get(f"{case_page(history.moved)}?{PAST}")
    now = inspector.get(case_page(history.moved))

    assigned = '<time datetime="2026-11-27T10:00:00+08:00">'
    reassigned = '<time datetime="2026-11-27T12:00:00+08:00">'
    assert_shows(then, assigned)
    assert_hides(main_of(then), reassigned, ">下发整改通知</a>", ">发布通报</a>")
    assert_shows(main_of(now), assigned, reassigned, ">下发整改通知</a>", ">发布通报</a>")


def test_the_case_page_as_of_then_counts_the_time_left_at_that_instant(
    history: History, department: TestClient
) -> None:
    then = department.get(f"{case_page(history.waiting)}?{PAST}")
    now = department.get(case_page(history.waiting))

    # 11:00 on Friday: 6.5 office hours that day and 8.5 on Monday before 17:30; 12:00: one less.
    assert_shows(then, "剩余 1 个工作日 6 小时")
    assert_shows(now, "剩余 1 个工作日 5 小时")


def test_a_case_moved_on_since_is_read_as_of_then_by_the_department_that_held_it_only(
    history: History, client: TestClient, container: Container
) -> None:
    deeds_then = signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT).get(
        f"{case_page(history.moved)}?{PAST}"
    )
    deeds_now = client.get(case_page(history.moved))
    client.cookies.clear()
    taxation = signed_in(client, container, Role.DEPARTMENT, department=OTHER_DEPARTMENT)
    taxation_then = taxation.get(f"{case_page(history.moved)}?{PAST}")
    taxation_now = taxation.get(case_page(history.moved))

    assert_shows(deeds_then, BANNER, history.tracking_number)
    assert_error_page(deeds_now, 403)
    assert_error_page(taxation_then, 403)
    assert "只有承办部门可以办理或查看该工单" in taxation_then.text
    assert taxation_now.status_code == 200


def test_the_case_page_as_of_before_the_case_was_registered_is_the_consoles_404(
    history: History, inspector: TestClient
) -> None:
    before = inspector.get(case_page(history.waiting), params={"as_of": "2026-11-27T09:59"})

    assert_error_page(before, 404)
    assert "未找到该工单" in before.text


def test_the_case_page_as_of_an_instant_the_read_side_has_not_reached_asks_to_retry(
    history: History,
    department: TestClient,
    container: Container,
    time_source: SettableTimeSource,
) -> None:
    # given: an acknowledgement that only the audit feed (record time) has seen yet
    time_source.advance(minutes=5)
    container.supervision.acknowledge_case(history.waiting, SAMPLE_DEPARTMENT_ACTOR)
    with AuditEventsRunner(container.database_url, container.supervision) as feed:
        feed.run_until_caught_up()
    container.read_side_history.wait_seconds = 0.2  # type: ignore[attr-defined]

    page = department.get(
        case_page(history.waiting), params={"as_of": time_source.now().isoformat()}
    )

    assert_error_page(page, 503)
    assert "该时点的记录仍在整理中，请稍后刷新。" in page.text


def test_the_links_of_past_lists_and_boards_open_the_case_at_the_same_instant(
    history: History, client: TestClient, container: Container
) -> None:
    kept = quote("2026-11-27T11:00:00+08:00", safe="")
    signed_in(client, container, Role.INSPECTOR)
    cases = client.get(f"/console/cases?{PAST}")
    queue = client.get(f"/console/supervision?{PAST}")
    client.cookies.clear()
    signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)
    inbox = client.get(f"/console/?{PAST}")
    inbox_now = client.get("/console/")

    for page in (cases, inbox):
        assert_shows(page, f'href="{case_page(history.moved)}?as_of={kept}"')
    assert_shows(queue, f'href="{case_page(history.asking)}?as_of={kept}"')
    assert_shows(inbox_now, f'href="{case_page(history.waiting)}"')


def test_the_superiors_escalated_work_of_the_past_links_its_case_at_the_same_instant(
    client: TestClient,
    container: Container,
    time_source: SettableTimeSource,
    catch_up: Callable[[], object],
) -> None:
    case_id = escalated_case(container.supervision, time_source.set)
    time_source.set(ESCALATED_AT.replace(minute=40))
    signed_in(client, container, Role.DEPARTMENT, department=SAMPLE_SUPERIOR)
    catch_up()  # the record after 10:35 indexed: so the record of 10:35 is known whole

    desk = client.get("/console/", params={"as_of": "2026-12-28T10:35"})

    kept = quote("2026-12-28T10:35:00+08:00", safe="")
    assert_shows(desk, "下级超期件", f'href="{case_page(case_id)}?as_of={kept}"')
