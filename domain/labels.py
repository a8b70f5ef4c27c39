"""Chinese labels for every enumerated value, shared by the API docs, reports and pages."""

from __future__ import annotations

from enum import StrEnum

LABELS: dict[str, dict[str, str]] = {
    "kind": {
        "complaint": "投诉",
        "report": "举报",
        "request": "求助",
        "consultation": "咨询",
        "suggestion": "建议",
        "praise": "表扬",
    },
    "channel": {
        "hotline": "投诉举报电话",
        "walk_in": "现场",
        "online": "网上",
        "letter": "信件",
        "rating": "差评转办",
    },
    "status": {
        "registered": "已登记",
        "assigned": "已派单",
        "in_progress": "办理中",
        "answered": "已答复",
        "closed": "已办结",
        "returned": "已退单",
        "merged": "已合并",
    },
    "outcome": {
        "substantiated": "属实",
        "partly_substantiated": "部分属实",
        "unsubstantiated": "不属实",
        "resolved": "已解决",
    },
    "satisfaction": {
        "very_satisfied": "非常满意",
        "satisfied": "满意",
        "neutral": "基本满意",
        "dissatisfied": "不满意",
        "very_dissatisfied": "非常不满意",
    },
    "role": {
        "operator": "话务员",
        "department": "承办部门",
        "inspector": "纪检督查",
        "admin": "管理员",
        "system": "系统",
        "public": "公众",
    },
}


def label(group: str, value: StrEnum | str) -> str:
    """The Chinese label of one value, or the value itself when none is known."""
    return LABELS.get(group, {}).get(str(value), str(value))


def described(group: str) -> str:
    """A one-line list of `value (label)` pairs for API documentation."""
    return ", ".join(f"`{value}` {text}" for value, text in LABELS[group].items())
