"""The pages' filters: dates in the office's time zone, time left in working days with its
colour, labels and masking as the catalogue and the API have them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from starlette.requests import Request

from domain.actor import Role
from domain.calendar import OFFICE_TZ
from interfaces.web.navigation import BY_ROLE, PUBLIC, navigation_for
from interfaces.web.templating import (
    WORKING_DAY_SECONDS,
    Person,
    period_shown,
    prose_date,
    table_time,
    templates,
    time_left,
)

HOUR = 3600


def test_a_working_day_is_the_office_day_from_nine_to_half_past_five() -> None:
    assert WORKING_DAY_SECONDS == 8.5 * HOUR


def test_tables_show_minutes_and_prose_shows_the_day_in_the_offices_time_zone() -> None:
    moment = datetime(2026, 12, 3, 6, 30, tzinfo=UTC)  # 14:30 in Shanghai

    assert table_time(moment) == "2026-12-03 14:30"
    assert prose_date(moment) == "2026年12月3日"
    assert prose_date(datetime(2026, 12, 2, 16, 30, tzinfo=UTC)) == "2026年12月3日"
    assert prose_date(date(2026, 1, 9)) == "2026年1月9日"
    assert table_time(None) == prose_date(None) == ""


def test_an_absence_of_whole_office_days_reads_as_days_and_any_other_from_minute_to_minute() -> (
    None
):
    def office(day: int, hour: int = 0, minute: int = 0) -> datetime:
        return datetime(2026, 12, day, hour, minute, tzinfo=OFFICE_TZ)

    assert period_shown(office(7), office(8)) == "2026-12-07 全天"
    assert period_shown(office(7), office(9)) == "2026-12-07 至 2026-12-08 全天"
    assert period_shown(office(7, 13, 30), office(8)) == "2026-12-07 13:30 至 2026-12-08 00:00"
    # Midnight in UTC is 08:00 in the office: not a whole office day.
    utc_midnight = datetime(2026, 12, 7, tzinfo=UTC)
    assert period_shown(utc_midnight, utc_midnight.replace(day=8)) == (
        "2026-12-07 08:00 至 2026-12-08 08:00"
    )


@pytest.mark.parametrize(
    ("seconds", "text", "colour"),
    [
        (2 * WORKING_DAY_SECONDS + 3 * HOUR, "剩余 2 个工作日 3 小时", "ok"),
        (2 * WORKING_DAY_SECONDS, "剩余 2 个工作日", "ok"),
        (WORKING_DAY_SECONDS + HOUR, "剩余 1 个工作日 1 小时", "ok"),
        (WORKING_DAY_SECONDS, "剩余 1 个工作日", "soon"),
        (5 * HOUR + 59 * 60, "剩余 5 小时", "soon"),
        (59 * 60, "剩余不足 1 小时", "soon"),
        (0, "剩余不足 1 小时", "soon"),
        (-1, "已超期不足 1 小时", "late"),
        (-WORKING_DAY_SECONDS, "已超期 1 个工作日", "late"),
        (-(3 * WORKING_DAY_SECONDS + 2 * HOUR), "已超期 3 个工作日 2 小时", "late"),
    ],
)
def test_time_left_reads_in_working_days_and_hours_with_its_colour(
    seconds: int, text: str, colour: str
) -> None:
    left = time_left(seconds)

    assert left is not None
    assert left.text == text
    assert left.css_class == f"time-left time-left--{colour}"


def test_an_overdue_flag_is_red_whatever_the_seconds_say() -> None:
    left = time_left(HOUR, overdue=True)

    assert left is not None
    assert left.css_class.endswith("--late")


def test_no_deadline_has_no_time_left() -> None:
    assert time_left(None) is None


def test_the_templates_label_and_mask_as_the_catalogue_and_the_api_do() -> None:
    render = templates.env.from_string(
        "{{ 'in_progress' | label('status') }} {{ 'operator' | label('role') }} "
        "{{ none | label('status') }}|{{ '13812345678' | mask_phone }} "
        "{{ 'case_not_found' | error_message }}"
    ).render

    assert render() == "办理中 话务员 |138****5678 未找到该工单。"


def test_every_role_that_signs_in_has_navigation_and_visitors_get_the_public_links() -> None:
    assert navigation_for(None) == PUBLIC
    for role in (Role.OPERATOR, Role.DEPARTMENT, Role.INSPECTOR, Role.ADMIN):
        links = navigation_for(role)
        assert links == BY_ROLE[role]
        assert all(url.startswith("/console/") for _, url in links)


def _layout(**context: object) -> str:
    request = Request({"type": "http", "method": "GET", "path": "/console/", "headers": []})
    page = templates.get_template("error.html")
    return page.render(
        request=request,
        csrf_token="token-value",
        status=404,
        title="页面不存在",
        message="未找到",
        **context,
    )


def test_the_layout_shows_the_person_and_sign_out_only_when_a_page_has_a_person() -> None:
    person = Person(name="李明", role=Role.DEPARTMENT, department_name="税务局")

    signed_in = _layout(person=person, navigation=navigation_for(person.role))
    visitor = _layout(person=None, navigation=navigation_for(None))

    assert "李明" in signed_in
    assert "承办部门" in signed_in
    assert "税务局" in signed_in
    assert ">退出</button>" in signed_in
    assert '<a class="person__password" href="/console/password">修改密码</a>' in signed_in
    assert 'href="/console/" aria-current="page"' in signed_in
    assert ">退出</button>" not in visitor
    assert "修改密码" not in visitor
    assert 'href="/status"' in visitor
    assert '<html lang="zh-CN">' in visitor
    assert '<main id="main"' in visitor
