"""The navigation of the pages: (label, url) links for the public and for each role.

One list per role, in the order shown; a page marks the link of its own URL as current.
Console pages are added here as they are built.
"""

from __future__ import annotations

from domain.actor import Role

Link = tuple[str, str]

PUBLIC: tuple[Link, ...] = (
    ("首页", "/"),
    ("办理进度查询", "/status"),
    ("红榜", "/red-list"),
    ("蓝榜", "/blue-list"),
    # Notices (通报, §15)
    ("通报", "/notices"),
    # The item catalogue (事项清单, §16)
    ("办事指南", "/items"),
)

BY_ROLE: dict[Role, tuple[Link, ...]] = {
    Role.OPERATOR: (
        ("工作台", "/console/"),
        ("登记工单", "/console/cases/new"),
        ("派单队列", "/console/routing"),
        ("工单列表", "/console/cases"),
        ("回访队列", "/console/callbacks"),
        ("整改通知", "/console/orders"),
        # Scores and lists (§3: operators read them).
        ("月度考评", "/console/scores"),
        ("蓝榜", "/console/blue-list"),
        ("红榜", "/console/red-list"),
        ("数据看板", "/console/dashboard"),
        # The item catalogue's metrics (事项统计, §16)
        ("事项统计", "/console/item-metrics"),
    ),
    Role.DEPARTMENT: (
        ("待办工单", "/console/"),
        ("整改通知", "/console/orders"),
        ("答复模板", "/console/templates"),
        # Its own scores and blue-list entries.
        ("本部门考评", "/console/scores"),
        ("蓝榜", "/console/blue-list"),
        # Its appeals of deductions (申诉), filed from its scores page.
        ("申诉", "/console/appeals"),
        # A superior's subordinates' boards and the work escalated to it (提级督办).
        ("下级部门", "/console/boards"),
        # A/B post cover (AB岗, §16): absences and the day's coverage
        ("请假与AB岗", "/console/posts"),
        # Its staff's assessment results and who owes a retest (千人千题, §16).
        ("千人千题", "/console/assessments"),
    ),
    Role.INSPECTOR: (
        ("工作台", "/console/"),
        ("工单列表", "/console/cases"),
        ("督办队列", "/console/supervision"),
        ("记录扣分", "/console/deductions/new"),
        ("扣分记录", "/console/deductions"),
        ("下发整改通知", "/console/orders/new"),
        ("整改通知", "/console/orders"),
        ("数据看板", "/console/dashboard"),
        # Scores, lists and the monthly report.
        ("月度考评", "/console/scores"),
        ("月度报告", "/console/reports/monthly"),
        ("蓝榜", "/console/blue-list"),
        ("红榜", "/console/red-list"),
        ("审计", "/console/audit"),
        # Appeals of deductions waiting for a decision (申诉审定).
        ("申诉审定", "/console/appeals"),
        # Notices (通报, §15): drafts to publish, and what was published
        ("通报", "/console/notices"),
        # Satisfaction surveys (满意度调查, §16): paper batches and third parties' sheets
        ("满意度调查", "/console/surveys"),
        # A/B post cover (AB岗, §16): every window's coverage, the gaps to decide
        ("AB岗在岗", "/console/posts/coverage"),
        # Staff assessments (千人千题, §16): sessions, results, retests due
        ("千人千题", "/console/assessments"),
        # The item catalogue's metrics (事项统计, §16)
        ("事项统计", "/console/item-metrics"),
        # Inspection visits (暗访巡查, §16) and the records their findings became
        ("暗访巡查", "/console/visits"),
    ),
    Role.ADMIN: (
        ("工作台", "/console/"),
        ("账号管理", "/console/admin/accounts"),
        ("机构目录", "/console/admin/directory"),
        ("扣分事项", "/console/admin/conduct-rules"),
        ("工作日历", "/console/admin/calendar"),
        ("接口令牌", "/console/admin/tokens"),
        ("窗口二维码", "/console/admin/qr-codes"),
        # The notifications' outbox (外发消息, §17)
        ("外发消息", "/console/admin/outbox"),
    ),
}


def navigation_for(role: Role | None) -> tuple[Link, ...]:
    """The links for a signed-in person of this role, or the public ones for a visitor."""
    return PUBLIC if role is None else BY_ROLE.get(role, ())
