"""The campaign's programmes (§16) in a real browser, one short journey each, by accessible
names: a citizen on a phone reads an item's one-time notice from the guide (办事指南) and it
prints on A4; an inspector records a visit (暗访巡查) and a finding on its page; an inspector
enters a paper survey batch (满意度调查); a department records an absence covered by the B
holder (请假与AB岗) and an inspector sees the coverage (AB岗在岗); an inspector records an
assessment (千人千题) with a failing line and finds the retest due. axe on every page;
screenshots for docs/console.md."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from domain.actor import Actor, Role
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import Container, sample_items
from tests.browser.conftest import (
    DESKTOP,
    assert_accessible,
    expect_texts,
    fill_in,
    from_the_navigation,
    screenshot,
    sign_in_as,
    visitor,
)
from tests.factories import SAMPLE_DEPARTMENT, SAMPLE_WINDOW
from tests.support import run_worker_once

ADMIN = Actor("admin-programmes", Role.ADMIN)
TODAY = "2026-11-27"  # the tests' clock: Friday 10:00
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def no_sideways_scrolling(page: Page) -> None:
    assert page.evaluate(SIDEWAYS) <= 0, f"{page.url} scrolls sideways"


def inspector_at_an_empty_page(
    page: Page,
    base_url: str,
    container: Container,
    link: str,
    *,
    empty: str,
    exact: bool = False,
) -> None:
    """Sign an inspector in and open the main navigation's `link`, a page that says `empty`
    while nothing is recorded yet."""
    sign_in_as(page, container, base_url, Role.INSPECTOR, name="赵督查")
    from_the_navigation(page, link, exact=exact)
    expect(page.get_by_role("main")).to_contain_text(empty)
    assert_accessible(page)


def test_a_citizen_on_a_phone_finds_an_items_notice_and_it_prints(
    page: Page, phone: Page, container: Container
) -> None:
    # given the sample catalogue in service
    container.supervision.import_items(
        sample_items(container.supervision.check_item_in_directory), ADMIN
    )
    run_worker_once(container)

    # when a citizen on a phone opens the guide from the home page and filters it
    phone.goto("/")
    phone.get_by_role("link", name="查看办事指南").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("办事指南")
    assert_accessible(phone)
    phone.get_by_label("部门").select_option(label="不动产登记中心")
    phone.get_by_label("关键词").fill("转移")
    phone.get_by_label("只看最多跑一次").check()
    phone.get_by_role("button", name="查找事项").click()

    # then only the matching item is listed, and the page fits the phone
    expect(phone.get_by_role("heading", name="事项（共 1 项）")).to_be_visible()
    item = phone.get_by_role("link", name="房屋买卖转移登记")
    expect(item).to_be_visible()
    assert_accessible(phone)
    no_sideways_scrolling(phone)
    screenshot(phone, "phone-items", full_page=True)

    # when the citizen opens its one-time notice
    item.click()

    # then it names the place, the time promised and the materials, on the phone's width
    expect(phone.get_by_role("heading", level=1)).to_have_text("房屋买卖转移登记")
    notice = phone.get_by_role("article")
    expect_texts(notice, "政务服务事项一次性告知书", "3 个工作日")
    expect(notice.get_by_role("cell", name="房屋买卖合同")).to_be_visible()
    assert_accessible(phone)
    no_sideways_scrolling(phone)
    screenshot(phone, "phone-item-notice", full_page=True)

    # and at a desktop's width the guide lists the whole catalogue
    page.goto("/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="办事指南").click()
    expect(page.get_by_role("link", name="房屋买卖转移登记")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "items", full_page=True)

    # when the notice is printed
    page.get_by_role("link", name="房屋买卖转移登记").click()
    expect(page.get_by_role("button", name="打印告知书")).to_be_visible()
    assert_accessible(page)
    page.emulate_media(media="print")

    # then the page is the notice alone: no navigation, no buttons
    expect(page.get_by_role("navigation", name="主导航")).to_be_hidden()
    expect(page.get_by_role("button", name="打印告知书")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name="房屋买卖合同")).to_be_visible()
    screenshot(page, "item-notice-print", full_page=True)


def test_an_inspector_records_a_visit_and_a_finding_that_names_it_as_source(
    page: Page, base_url: str, container: Container
) -> None:
    # given an inspector at the visit form
    container.supervision.load_conduct_rules(default_conduct_rules(), ADMIN)
    sign_in_as(page, container, base_url, Role.INSPECTOR, name="赵督查")
    from_the_navigation(page, "暗访巡查")
    page.get_by_role("main").get_by_role("link", name="登记暗访巡查").click()

    # when the inspector records a patrol of one window
    page.get_by_label("检查日期").fill("2026-11-26")
    page.get_by_label("检查方式").select_option(label="巡查")
    page.get_by_role("group", name="检查窗口").get_by_role("checkbox", name=SAMPLE_WINDOW).check()
    page.get_by_label("检查情况").fill("巡查不动产登记综合受理窗口，办事指南未在窗口公示。")
    assert_accessible(page)
    screenshot(page, "visits-new", full_page=True)
    page.get_by_role("button", name="登记", exact=True).click()

    # then the visit's page says so, with nothing found yet
    expect(page.get_by_role("status")).to_contain_text("已登记暗访巡查")
    expect(page.get_by_role("heading", level=1)).to_have_text("巡查 2026-11-26")
    expect(page.get_by_role("main")).to_contain_text("尚未记录发现的问题。")
    assert_accessible(page)

    # when the inspector records a finding as a rectification order, in the form of that name
    finding = page.get_by_role("form", name="整改通知")
    finding.get_by_label("整改部门").select_option(label="不动产登记中心")
    fill_in(
        finding,
        {
            "窗口": SAMPLE_WINDOW,
            "整改问题": "办事指南未在窗口公示",
            "整改要求": "三个工作日内在窗口醒目位置公示办事指南",
            "整改期限（工作日）": "3",
        },
    )
    finding.get_by_role("button", name="下发整改通知").click()

    # then the visit lists the order, linked
    expect(page.get_by_role("status")).to_contain_text("已记录发现问题：整改通知")
    order = page.get_by_role("link", name="查看整改通知")
    expect(order).to_be_visible()
    assert_accessible(page)
    screenshot(page, "visit-page", full_page=True)

    # and the order says where it came from, with a link back to the visit
    order.click()
    expect(page.get_by_role("main")).to_contain_text("来源：暗访巡查")
    expect(page.get_by_role("link", name="查看该次暗访巡查")).to_be_visible()
    assert_accessible(page)

    # and the list counts the finding
    run_worker_once(container)
    page.get_by_role("link", name="查看该次暗访巡查").click()
    page.get_by_role("link", name="返回暗访巡查").click()
    visit = page.get_by_role("row").filter(has=page.get_by_role("link", name="2026-11-26"))
    expect_texts(visit, "巡查", SAMPLE_WINDOW)
    assert_accessible(page)
    screenshot(page, "visits", full_page=True)


def test_an_inspector_enters_a_paper_survey_batch_and_sees_it_listed(
    page: Page, base_url: str, container: Container
) -> None:
    # given an inspector at the survey page, nothing recorded yet
    inspector_at_an_empty_page(page, base_url, container, "满意度调查", empty="暂无调查结果。")

    # when the inspector enters a batch of paper forms of one window
    page.get_by_label("来源").select_option(label="纸质问卷")
    fill_in(page, {"窗口": SAMPLE_WINDOW, "开始日期": "2026-11-02", "结束日期": "2026-11-20"})
    for level, count in (("非常不满意", "1"), ("不满意", "2"), ("一般", "5"), ("满意", "12")):
        page.get_by_label(level, exact=True).fill(count)
    page.get_by_label("非常满意", exact=True).fill("30")
    page.get_by_role("button", name="录入调查结果").click()

    # then the page says so and lists the batch with its sample size
    recorded = f"已录入窗口 {SAMPLE_WINDOW} 的调查结果：50 份。"
    expect(page.get_by_role("status")).to_contain_text(recorded)
    run_worker_once(container)
    page.reload()
    batch = (
        page.get_by_role("region", name="已录入的调查")
        .get_by_role("row")
        .filter(has_text=SAMPLE_WINDOW)
    )
    expect_texts(batch, "纸质问卷", "不动产登记中心", "2026-11-02 至 2026-11-20", "50")
    assert_accessible(page)
    screenshot(page, "surveys", full_page=True)


def test_a_department_records_an_absence_the_b_holder_covers_and_an_inspector_sees_it(
    page: Page, browser: Browser, base_url: str, container: Container
) -> None:
    # given the real-estate registration centre at its absences page
    sign_in_as(
        page, container, base_url, Role.DEPARTMENT, name="王登记", department=SAMPLE_DEPARTMENT
    )
    from_the_navigation(page, "请假与AB岗")
    expect(page.get_by_role("heading", level=1)).to_have_text("请假与AB岗")
    assert_accessible(page)

    # when it records the A holder of its window away today, the B holder covering
    page.get_by_label("请假人员").select_option(label=f"{SAMPLE_WINDOW} A岗 韩蕾（S0001）")
    fill_in(page, {"开始": TODAY, "结束": TODAY, "请假事由": "病假"})
    page.get_by_label("顶岗人员（B岗）").select_option(label=f"{SAMPLE_WINDOW} B岗 夏芳（S0002）")
    page.get_by_role("button", name="登记请假").click()

    # then the day's coverage has the B holder on duty at the window
    expect(page.get_by_role("status")).to_contain_text("已登记请假。")
    run_worker_once(container)
    page.reload()
    today = page.get_by_role("region", name="今日AB岗在岗情况")
    window = today.get_by_role("row").filter(has_text=f"{SAMPLE_WINDOW} ")
    expect_texts(window, "S0002（B岗顶岗）", "由 S0002 顶岗")
    absences = page.get_by_role("region", name="当日请假")
    expect(absences.get_by_role("row").filter(has_text="病假")).to_contain_text("夏芳")
    assert_accessible(page)
    screenshot(page, "posts", full_page=True)

    # and an inspector sees the same coverage, with no gap to decide
    with visitor(browser, base_url, viewport=DESKTOP) as inspector:
        sign_in_as(inspector, container, base_url, Role.INSPECTOR, name="赵督查")
        from_the_navigation(inspector, "AB岗在岗")
        expect(inspector.get_by_role("heading", level=1)).to_have_text("AB岗在岗")
        expect(inspector.get_by_role("main")).to_contain_text("本月无AB岗缺岗。")
        on_duty = inspector.get_by_role("region", name="在岗情况")
        row = on_duty.get_by_role("row").filter(has_text=f"{SAMPLE_WINDOW} ")
        expect(row).to_contain_text("S0002（B岗顶岗）")
        assert_accessible(inspector)
        screenshot(inspector, "posts-coverage", full_page=True)


def test_an_inspector_records_an_assessment_with_a_failure_and_sees_the_retest_due(
    page: Page, base_url: str, container: Container
) -> None:
    # given an inspector at the assessments, none recorded yet
    inspector_at_an_empty_page(
        page, base_url, container, "千人千题", empty="暂无考试成绩。", exact=True
    )
    page.get_by_role("link", name="录入成绩").click()

    # when the inspector enters a session, one line below the pass mark
    page.get_by_label("考试名称").fill("11月千人千题")
    page.get_by_label("考试日期").fill("2026-11-20")
    expect(page.get_by_label("合格分")).to_have_value("60")
    page.get_by_label("成绩", exact=True).fill("S0001\t韩蕾\t58\nS0002 92\nS0003 75")
    assert_accessible(page)
    screenshot(page, "assessments-new", full_page=True)
    page.get_by_role("button", name="录入成绩").click()

    # then the session's page counts and marks the failure
    expect(page.get_by_role("status")).to_contain_text("已录入成绩：3 人参考，1 人不合格。")
    failed = page.get_by_role("row").filter(has_text="S0001")
    expect(failed).to_contain_text("不合格，须补考")
    assert_accessible(page)
    run_worker_once(container)

    # and the staff member who failed is due a retest
    page.get_by_role("main").get_by_role("link", name="千人千题", exact=True).click()
    expect(page.get_by_role("link", name="11月千人千题")).to_be_visible()
    page.get_by_role("link", name="待补考人员（1 人）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("待补考人员")
    due = page.get_by_role("row").filter(has_text="S0001")
    expect_texts(due, "韩蕾", "待补考")
    expect(page.get_by_role("row").filter(has_text="S0002")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "assessments-retests", full_page=True)
