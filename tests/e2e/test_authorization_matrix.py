"""Object- and property-level authorisation over HTTP (OWASP API1, API3): every route for
every caller as the table in `authorization_matrix` says, and no complainant's identity in
any answer to someone who may not see it (DESIGN §3)."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from typing import Any
from uuid import uuid4

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from httpx import Response

from domain.actor import Actor, Role
from domain.privacy import WITHHELD, mask_phone
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import Container
from interfaces.http.app import API_PREFIX
from tests import attachment_samples as samples
from tests.e2e.authorization_matrix import (
    CALLERS,
    OK,
    SIGN_IN,
    Outcome,
    Route,
    full_matrix,
    monitor_outcome,
)
from tests.e2e.bodies import PAPER_SURVEY
from tests.e2e.conftest import Tokens, position
from tests.factories import OTHER_DEPARTMENT, SAMPLE_DEPARTMENT, SAMPLE_WINDOW, a_complaint_body
from tests.item_story import a_listed_item
from tests.notice_story import a_notice_draft
from tests.outbox_rows import insert_message
from tests.support import SettableTimeSource

MATRIX = full_matrix(API_PREFIX)

COMPLAINT = a_complaint_body(staff="S0001")
ORDER = {
    "department": SAMPLE_DEPARTMENT,
    "window": SAMPLE_WINDOW,
    "problem": "窗口未落实一次性告知，群众多次往返",
    "requirements": "组织窗口人员学习一次性告知制度",
    "working_days": 5,
    "source": {"type": "inspection", "ref": "2026年11月暗访"},
}
DEDUCTION = {
    "rule": "lateness_early_leave",
    "staff": "S0001",
    "evidence": "考勤 9:40 到岗",
    "source": {"type": "patrol"},
}
VISIT = {"method": "patrol", "windows": [SAMPLE_WINDOW], "summary": "巡查不动产登记窗口"}
REASON = {"reason": "需要等待不动产测绘结果"}
EXTENSION = {"working_days": 3, "reason": "需要现场核查"}
TEMPLATE = {"category": "服务态度", "title": "致歉", "text": "经核实，已批评教育，向您致歉。"}
PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}
OWN_SCOPE = {"department": SAMPLE_DEPARTMENT}
NOTICE = {
    "title": "关于不动产登记窗口的通报",
    "text": "该窗口未落实一次性告知，予以通报批评。",
    "kind": "criticism",
    "subject": {"type": "window", "id": SAMPLE_WINDOW},
}
NOTICE_FORM = {
    "title": NOTICE["title"],
    "text": NOTICE["text"],
    "kind": "criticism",
    "subject_type": "window",
    "subject_id": SAMPLE_WINDOW,
}
DIRECTION = {"note": "请于三个工作日内办结", "working_days": 3}
PHOTO_UPLOAD = {"file": ("现场.png", samples.png(), "image/png")}
SURVEY_FORM = {
    "source": "paper",
    "window": SAMPLE_WINDOW,
    "from": "2026-11-01",
    "to": "2026-11-20",
    **{f"count_{level}": "1" for level in "12345"},
}
# A session only the own department's staff sat (S0001), one of them failing.
ASSESSMENT = {
    "title": "11月千人千题",
    "date": "2026-11-20",
    "pass_mark": 60,
    "results": [{"staff": "S0001", "score": 58}],
}
ASSESSMENT_FORM = {
    "title": "11月千人千题",
    "date": "2026-11-20",
    "pass_mark": "60",
    "results": "S0001 58",
}


@dataclass(frozen=True)
class Call:
    """The request of one cell, less its caller: path ids, JSON body and query, and for a
    mount (whose route is a folder) the file below it."""

    ids: dict[str, str] = field(default_factory=dict)
    body: Any = None
    params: dict[str, Any] | None = None
    # Below a mount: the file to GET.
    file: str | None = None
    # A multipart upload (evidence files, §17) instead of a JSON body.
    files: dict[str, Any] | None = None

    def method_and_url(self, route: Route) -> tuple[str, str]:
        method, template = route
        if method == "*":
            return "GET", f"{template}/{self.file}"
        # A path parameter's convertor (`{case_id:uuid}`) is no part of the URL.
        return method, re.sub(r"\{(\w+):\w+\}", r"{\1}", template).format(**self.ids)


@dataclass
class World:
    """A test's service, with the verbs that bring a record into the state a route needs."""

    client: TestClient
    tokens: Tokens
    time_source: SettableTimeSource
    container: Container
    catch_up: Callable[[], object]

    def headers(self, caller: str) -> dict[str, str]:
        by_caller = {
            "anonymous": {},
            "operator": self.tokens.operator,
            "inspector": self.tokens.inspector,
            "admin": self.tokens.admin,
            "own": self.tokens.department,
            "other": self.tokens.other_department,
            "monitor": self.tokens.monitor,
        }
        return by_caller[caller]

    def ok(self, method: str, path: str, caller: str, body: Any = None, **params: Any) -> Any:
        response = self.client.request(
            method, f"{API_PREFIX}{path}", json=body, params=params, headers=self.headers(caller)
        )
        assert response.status_code in (200, 201), f"{method} {path}: {response.text}"
        return response.json()

    # Cases ---------------------------------------------------------------------------------

    def registered(self) -> dict[str, Any]:
        return self.ok("POST", "/cases", "operator", COMPLAINT)  # type: ignore[no-any-return]

    def registered_case(self) -> str:
        return str(self.registered()["id"])

    def assigned_case(self) -> str:
        case_id = self.registered_case()
        self.ok("POST", f"/cases/{case_id}/assign", "operator", {"department": SAMPLE_DEPARTMENT})
        return case_id

    def acknowledged_case(self) -> str:
        case_id = self.assigned_case()
        self.ok("POST", f"/cases/{case_id}/acknowledge", "own")
        return case_id

    def stopped_case(self) -> str:
        case_id = self.acknowledged_case()
        self.ok("POST", f"/cases/{case_id}/clock/stop", "own", REASON)
        return case_id

    def case_asking_extension(self) -> str:
        case_id = self.acknowledged_case()
        self.ok("POST", f"/cases/{case_id}/extension", "own", EXTENSION)
        return case_id

    def answered_case(self, proposal: dict[str, Any] | None = None) -> str:
        case_id = self.acknowledged_case()
        result = {"outcome": "substantiated", "answer": "经核实属实，已批评教育"}
        self.ok(
            "POST",
            f"/cases/{case_id}/result",
            "own",
            {**result, "proposed_deduction": proposal} if proposal else result,
        )
        return case_id

    def case_proposing_deduction(self) -> str:
        return self.answered_case(proposal={"rule": "harsh_attitude"})

    def closed_case(self) -> str:
        case_id = self.answered_case()
        self.ok("POST", f"/cases/{case_id}/close", "operator")
        return case_id

    def overdue_case(self) -> str:
        case_id = self.assigned_case()
        self.time_source.advance(days=7)
        self.catch_up()
        return case_id

    def status_query(self) -> dict[str, str]:
        registered = self.registered()
        self.catch_up()
        return {
            "tracking_number": registered["tracking_number"],
            "access_code": registered["access_code"],
        }

    # Orders --------------------------------------------------------------------------------

    def issued_order(self) -> str:
        return str(self.ok("POST", "/rectification-orders", "inspector", ORDER)["id"])

    def acknowledged_order(self) -> str:
        order_id = self.issued_order()
        self.ok("POST", f"/rectification-orders/{order_id}/acknowledge", "own")
        return order_id

    def stopped_order(self) -> str:
        order_id = self.acknowledged_order()
        self.ok("POST", f"/rectification-orders/{order_id}/clock/stop", "own", REASON)
        return order_id

    def order_asking_extension(self) -> str:
        order_id = self.acknowledged_order()
        self.ok("POST", f"/rectification-orders/{order_id}/extension", "own", EXTENSION)
        return order_id

    def reported_order(self) -> str:
        order_id = self.acknowledged_order()
        self.ok(
            "POST", f"/rectification-orders/{order_id}/report", "own", {"measures": "已组织培训"}
        )
        return order_id

    def overdue_order(self) -> str:
        order_id = self.issued_order()
        self.time_source.advance(days=7)
        self.catch_up()
        return order_id

    # Answer templates ----------------------------------------------------------------------

    def answer_template(self) -> str:
        return str(
            self.ok(
                "POST",
                f"/departments/{SAMPLE_DEPARTMENT}/answer-templates",
                "own",
                {**TEMPLATE, "title": f"致歉 {uuid4()}"},
            )["id"]
        )

    # Scoring and the audit trail -----------------------------------------------------------

    def deduction_body(self) -> dict[str, Any]:
        """A deduction for an hour ago: supervising overdue records moves the clock on."""
        return {
            **DEDUCTION,
            "occurred_at": (self.time_source.now() - timedelta(hours=1)).isoformat(),
        }

    def deduction(self) -> str:
        return str(self.ok("POST", "/deductions", "inspector", self.deduction_body())["id"])

    def appeal(self) -> str:
        body = {"reasons": "当事人系在解释政策", "evidence": "现场录音"}
        return str(self.ok("POST", f"/deductions/{self.deduction()}/appeal", "own", body)["id"])

    def overdue_appeal(self) -> str:
        appeal_id = self.appeal()
        self.time_source.advance(days=9)
        self.catch_up()
        return appeal_id

    def checkpoint(self) -> dict[str, Any]:
        self.registered_case()
        self.catch_up()
        return self.ok("GET", "/audit/checkpoints", "inspector")["items"][-1]  # type: ignore[no-any-return]

    # Notices (通报) ------------------------------------------------------------------------

    def notice_draft(self) -> str:
        return str(a_notice_draft(self.container.supervision))

    def published_notice(self) -> str:
        return str(self.ok("POST", "/notices", "inspector", NOTICE)["id"])

    # Inspection visits (暗访巡查) ------------------------------------------------------------

    def visit(self) -> str:
        return str(self.ok("POST", "/visits", "inspector", self.visit_body())["id"])

    def visit_body(self) -> dict[str, Any]:
        return {**VISIT, "date": self.time_source.now().date().isoformat()}

    # The notifications' outbox (外发消息) ------------------------------------------------------

    def dead_message(self) -> str:
        return str(insert_message(self.container.database_url))

    # Evidence files (附件) -------------------------------------------------------------------

    def case_photo(self) -> str:
        """A photo attached to a case assigned to the own department."""
        case_id = self.assigned_case()
        response = self.client.post(
            f"{API_PREFIX}/cases/{case_id}/attachments",
            files=PHOTO_UPLOAD,
            headers=self.headers("operator"),
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    # Staff assessments (千人千题) -------------------------------------------------------------

    def assessment(self) -> str:
        return str(self.ok("POST", "/assessments", "inspector", ASSESSMENT)["id"])

    # A/B post cover (AB岗) ---------------------------------------------------------------

    def absence_body(self, staff: str = "S0001", *, weeks: int | None = None) -> dict[str, Any]:
        """A whole-day absence on a Monday of its own, so that no two overlap."""
        week = next(_WEEKS) if weeks is None else weeks
        day = (date(2026, 12, 7) + timedelta(weeks=week)).isoformat()
        return {"staff": staff, "from": day, "to": day, "reason": "病假"}

    def absence(self) -> str:
        return str(self.ok("POST", "/absences", "own", self.absence_body())["id"])

    def cover_gap(self) -> str:
        """A past Monday with both posts of the sample window away: a gap the clock proposed."""
        weeks = -next(_WEEKS) - 1  # Monday 2026-11-23, or one before it
        for staff in ("S0001", "S0002"):
            self.ok("POST", "/absences", "own", self.absence_body(staff, weeks=weeks))
        self.container.supervision.observe_post_cover(SAMPLE_WINDOW)
        return (date(2026, 12, 7) + timedelta(weeks=weeks)).isoformat()

    # The item catalogue (事项清单) ----------------------------------------------------------

    def listed_item(self) -> str:
        code = a_listed_item(self.container.supervision)
        self.catch_up()
        return code


# Mondays apart for the absences the cells record (a counter shared by every world).
_WEEKS = itertools.count(1)


# How to make each row's request so that only authorisation can refuse it: a fresh record in
# the state the route needs, and a valid body. Built anew for every cell.
API_REQUESTS: dict[Route, Callable[[World], Call]] = {
    ("POST", "/cases"): lambda w: Call(body=COMPLAINT),
    ("GET", "/cases"): lambda w: Call(params=OWN_SCOPE),
    ("GET", "/cases/{case_id}"): lambda w: Call({"case_id": w.assigned_case()}),
    ("GET", "/cases/{case_id}/history"): lambda w: Call({"case_id": w.assigned_case()}),
    ("POST", "/cases/{case_id}/assign"): lambda w: Call(
        {"case_id": w.registered_case()}, {"department": SAMPLE_DEPARTMENT}
    ),
    ("POST", "/cases/{case_id}/acknowledge"): lambda w: Call({"case_id": w.assigned_case()}),
    ("POST", "/cases/{case_id}/return"): lambda w: Call(
        {"case_id": w.assigned_case()}, {"reason": "该事项属税务窗口"}
    ),
    ("POST", "/cases/{case_id}/clock/stop"): lambda w: Call(
        {"case_id": w.acknowledged_case()}, REASON
    ),
    ("POST", "/cases/{case_id}/clock/resume"): lambda w: Call({"case_id": w.stopped_case()}),
    ("POST", "/cases/{case_id}/extension"): lambda w: Call(
        {"case_id": w.acknowledged_case()}, EXTENSION
    ),
    ("POST", "/cases/{case_id}/result"): lambda w: Call(
        {"case_id": w.acknowledged_case()}, {"outcome": "resolved", "answer": "已补正并致歉"}
    ),
    ("POST", "/cases/{case_id}/extension/grant"): lambda w: Call(
        {"case_id": w.case_asking_extension()}
    ),
    ("POST", "/cases/{case_id}/extension/refuse"): lambda w: Call(
        {"case_id": w.case_asking_extension()}, {"reason": "理由不充分"}
    ),
    ("POST", "/cases/{case_id}/proposed-deduction/confirm"): lambda w: Call(
        {"case_id": w.case_proposing_deduction()}
    ),
    ("POST", "/cases/{case_id}/proposed-deduction/dismiss"): lambda w: Call(
        {"case_id": w.case_proposing_deduction()}, {"reason": "情节轻微，批评教育"}
    ),
    ("POST", "/cases/{case_id}/supervise"): lambda w: Call(
        {"case_id": w.overdue_case()}, {"note": "逾期未签收，督办"}
    ),
    ("POST", "/cases/{case_id}/erase-personal-data"): lambda w: Call(
        {"case_id": w.registered_case()}, {"reason": "投诉人申请删除个人信息"}
    ),
    ("POST", "/cases/{case_id}/callback"): lambda w: Call(
        {"case_id": w.answered_case()}, {"reached": True, "satisfaction": "satisfied"}
    ),
    ("POST", "/cases/{case_id}/close"): lambda w: Call({"case_id": w.answered_case()}),
    ("POST", "/cases/{case_id}/reopen"): lambda w: Call(
        {"case_id": w.closed_case()}, {"reason": "投诉人对答复不满意"}
    ),
    ("POST", "/cases/{case_id}/merge"): lambda w: Call(
        {"case_id": w.registered_case()}, {"into": w.registered_case()}
    ),
    ("POST", "/cases/{case_id}/notes"): lambda w: Call(
        {"case_id": w.registered_case()}, {"text": "已电话联系投诉人", "public": False}
    ),
    ("GET", "/departments"): lambda w: Call(),
    ("GET", "/windows"): lambda w: Call(params=OWN_SCOPE),
    ("GET", "/staff"): lambda w: Call(params=OWN_SCOPE),
    ("GET", "/conduct-rules"): lambda w: Call(),
    ("GET", "/calendar/deadline"): lambda w: Call(
        params={"kind": "complaint", "start": "2026-11-27T10:00:00+08:00"}
    ),
    ("GET", "/departments/{department_id}/board"): lambda w: Call(
        {"department_id": SAMPLE_DEPARTMENT}
    ),
    ("GET", "/metrics/departments"): lambda w: Call(params=PERIOD),
    ("GET", "/metrics/windows"): lambda w: Call(params=PERIOD),
    ("GET", "/departments/{department_id}/answer-templates"): lambda w: Call(
        {"department_id": SAMPLE_DEPARTMENT}
    ),
    ("POST", "/departments/{department_id}/answer-templates"): lambda w: Call(
        {"department_id": SAMPLE_DEPARTMENT}, {**TEMPLATE, "title": f"致歉 {uuid4()}"}
    ),
    ("POST", "/departments/{department_id}/answer-templates/{template_id}/edit"): lambda w: Call(
        {"department_id": SAMPLE_DEPARTMENT, "template_id": w.answer_template()},
        {**TEMPLATE, "title": f"改 {uuid4()}"},
    ),
    ("POST", "/departments/{department_id}/answer-templates/{template_id}/retire"): lambda w: Call(
        {"department_id": SAMPLE_DEPARTMENT, "template_id": w.answer_template()}
    ),
    ("GET", "/metrics/overdue-per-day"): lambda w: Call(params=PERIOD),
    ("GET", "/metrics/cases"): lambda w: Call(params=PERIOD),
    ("POST", "/deductions"): lambda w: Call(body=w.deduction_body()),
    ("POST", "/deductions/{deduction_id}/revoke"): lambda w: Call(
        {"deduction_id": w.deduction()}, {"reason": "申诉成立"}
    ),
    ("GET", "/deductions"): lambda w: Call(params=OWN_SCOPE),
    ("GET", "/scores"): lambda w: Call(params=OWN_SCOPE),
    ("GET", "/blue-list"): lambda w: Call(params=OWN_SCOPE),
    ("GET", "/reports/monthly"): lambda w: Call(params=OWN_SCOPE),
    ("GET", "/red-list"): lambda w: Call(),
    ("POST", "/rectification-orders"): lambda w: Call(body=ORDER),
    ("GET", "/rectification-orders"): lambda w: Call(params=OWN_SCOPE),
    ("GET", "/rectification-orders/{order_id}"): lambda w: Call({"order_id": w.issued_order()}),
    ("GET", "/rectification-orders/{order_id}/history"): lambda w: Call(
        {"order_id": w.issued_order()}
    ),
    ("POST", "/rectification-orders/{order_id}/acknowledge"): lambda w: Call(
        {"order_id": w.issued_order()}
    ),
    ("POST", "/rectification-orders/{order_id}/report"): lambda w: Call(
        {"order_id": w.acknowledged_order()}, {"measures": "已组织培训", "evidence": "签到表"}
    ),
    ("POST", "/rectification-orders/{order_id}/clock/stop"): lambda w: Call(
        {"order_id": w.acknowledged_order()}, REASON
    ),
    ("POST", "/rectification-orders/{order_id}/clock/resume"): lambda w: Call(
        {"order_id": w.stopped_order()}
    ),
    ("POST", "/rectification-orders/{order_id}/extension"): lambda w: Call(
        {"order_id": w.acknowledged_order()}, EXTENSION
    ),
    ("POST", "/rectification-orders/{order_id}/extension/grant"): lambda w: Call(
        {"order_id": w.order_asking_extension()}
    ),
    ("POST", "/rectification-orders/{order_id}/extension/refuse"): lambda w: Call(
        {"order_id": w.order_asking_extension()}, {"reason": "理由不充分"}
    ),
    ("POST", "/rectification-orders/{order_id}/accept"): lambda w: Call(
        {"order_id": w.reported_order()}, {"note": "合格"}
    ),
    ("POST", "/rectification-orders/{order_id}/reject"): lambda w: Call(
        {"order_id": w.reported_order()}, {"reasons": "告知清单不完整", "working_days": 3}
    ),
    ("POST", "/rectification-orders/{order_id}/supervise"): lambda w: Call(
        {"order_id": w.overdue_order()}, {"note": "逾期未签收，督办"}
    ),
    ("GET", "/audit/events"): lambda w: Call(),
    ("GET", "/audit/records/{record_id}/history"): lambda w: Call(
        {"record_id": w.registered_case()}
    ),
    ("GET", "/staff/{staff_id}/history"): lambda w: Call({"staff_id": "S0001"}),
    ("GET", "/audit/checkpoints"): lambda w: Call(),
    ("POST", "/audit/checkpoints/verify"): lambda w: Call(body=w.checkpoint()),
    ("POST", "/audit/verify"): lambda w: Call(),
    ("GET", "/audit/public-key"): lambda w: Call(),
    ("POST", "/public/case-status"): lambda w: Call(body=w.status_query()),
    ("POST", "/evaluations"): lambda w: Call(body={"window": SAMPLE_WINDOW, "rating": 4}),
    ("GET", "/openapi.json"): lambda w: Call(),
    ("GET", "/calendar/years"): lambda w: Call(),
    ("GET", "/accounts"): lambda w: Call(),
    ("GET", "/tokens"): lambda w: Call(),
    # Reminders by hand (人工催办)
    ("POST", "/cases/{case_id}/remind"): lambda w: Call(
        {"case_id": w.assigned_case()}, {"message": "请尽快签收办理"}
    ),
    ("POST", "/rectification-orders/{order_id}/remind"): lambda w: Call(
        {"order_id": w.issued_order()}, {"message": "请尽快签收整改"}
    ),
    # Appeals
    ("POST", "/deductions/{deduction_id}/appeal"): lambda w: Call(
        {"deduction_id": w.deduction()}, {"reasons": "当事人系在解释政策"}
    ),
    ("GET", "/appeals"): lambda w: Call(params=OWN_SCOPE),
    ("GET", "/appeals/{appeal_id}"): lambda w: Call({"appeal_id": w.appeal()}),
    ("POST", "/appeals/{appeal_id}/uphold"): lambda w: Call(
        {"appeal_id": w.appeal()}, {"reason": "录像清楚，扣分属实"}
    ),
    ("POST", "/appeals/{appeal_id}/grant"): lambda w: Call(
        {"appeal_id": w.appeal()}, {"reason": "申诉成立"}
    ),
    ("POST", "/appeals/{appeal_id}/supervise"): lambda w: Call(
        {"appeal_id": w.overdue_appeal()}, {"note": "申诉逾期未审定，督办"}
    ),
    # Notices (通报)
    ("POST", "/notices"): lambda w: Call(body=NOTICE),
    ("GET", "/notices"): lambda w: Call(),
    ("GET", "/notice-drafts"): lambda w: Call(),
    ("GET", "/notices/{notice_id}"): lambda w: Call({"notice_id": w.published_notice()}),
    ("PATCH", "/notices/{notice_id}"): lambda w: Call(
        {"notice_id": w.notice_draft()}, {k: NOTICE[k] for k in ("title", "text", "kind")}
    ),
    ("POST", "/notices/{notice_id}/publish"): lambda w: Call({"notice_id": w.notice_draft()}),
    ("POST", "/notices/{notice_id}/withdraw"): lambda w: Call(
        {"notice_id": w.published_notice()}, {"reason": "对象认定有误"}
    ),
    # Inspection visits (暗访巡查)
    ("POST", "/visits"): lambda w: Call(body=w.visit_body()),
    ("GET", "/visits"): lambda w: Call(),
    ("GET", "/visits/{visit_id}"): lambda w: Call({"visit_id": w.visit()}),
    ("POST", "/visits/{visit_id}/findings"): lambda w: Call(
        {"visit_id": w.visit()},
        {"type": "order", **{k: v for k, v in ORDER.items() if k != "source"}},
    ),
    # The notifications' outbox (外发消息), and a department's contacts
    ("GET", "/departments/{department_id}"): lambda w: Call({"department_id": SAMPLE_DEPARTMENT}),
    ("GET", "/outbox"): lambda w: Call(),
    ("GET", "/outbox/{message_id}"): lambda w: Call({"message_id": w.dead_message()}),
    ("POST", "/outbox/{message_id}/resend"): lambda w: Call({"message_id": w.dead_message()}),
    ("GET", "/cases/{case_id}/notifications"): lambda w: Call({"case_id": w.assigned_case()}),
    # Evidence files (附件)
    ("POST", "/cases/{case_id}/attachments"): lambda w: Call(
        {"case_id": w.assigned_case()}, files=PHOTO_UPLOAD
    ),
    ("POST", "/rectification-orders/{order_id}/attachments"): lambda w: Call(
        {"order_id": w.issued_order()}, files=PHOTO_UPLOAD
    ),
    ("POST", "/deductions/{deduction_id}/attachments"): lambda w: Call(
        {"deduction_id": w.deduction()}, files=PHOTO_UPLOAD
    ),
    ("POST", "/visits/{visit_id}/attachments"): lambda w: Call(
        {"visit_id": w.visit()}, files=PHOTO_UPLOAD
    ),
    ("GET", "/cases/{case_id}/attachments"): lambda w: Call({"case_id": w.assigned_case()}),
    ("GET", "/rectification-orders/{order_id}/attachments"): lambda w: Call(
        {"order_id": w.issued_order()}
    ),
    ("GET", "/deductions/{deduction_id}/attachments"): lambda w: Call(
        {"deduction_id": w.deduction()}
    ),
    ("GET", "/visits/{visit_id}/attachments"): lambda w: Call({"visit_id": w.visit()}),
    ("GET", "/attachments/{attachment_id}"): lambda w: Call({"attachment_id": w.case_photo()}),
    ("GET", "/attachments/{attachment_id}/thumbnail"): lambda w: Call(
        {"attachment_id": w.case_photo()}
    ),
    # Superiors and escalation (提级督办)
    ("POST", "/cases/{case_id}/escalation/direct"): lambda w: Call(
        {"case_id": w.overdue_case()}, DIRECTION
    ),
    ("POST", "/rectification-orders/{order_id}/escalation/direct"): lambda w: Call(
        {"order_id": w.overdue_order()}, DIRECTION
    ),
    # Satisfaction surveys (满意度调查)
    ("POST", "/surveys"): lambda w: Call(body=PAPER_SURVEY),
    ("GET", "/surveys"): lambda w: Call(),
    # A/B post cover (AB岗)
    ("POST", "/absences"): lambda w: Call(body=w.absence_body()),
    ("POST", "/posts/{window_id}/absences/{absence_id}/cancel"): lambda w: Call(
        {"window_id": SAMPLE_WINDOW, "absence_id": w.absence()}
    ),
    ("GET", "/posts/coverage"): lambda w: Call(params={"date": "2026-12-07"}),
    ("GET", "/posts/gaps"): lambda w: Call(params={"month": "2026-11"}),
    ("POST", "/posts/{window_id}/gaps/{day}/confirm"): lambda w: Call(
        {"window_id": SAMPLE_WINDOW, "day": w.cover_gap()}
    ),
    ("POST", "/posts/{window_id}/gaps/{day}/dismiss"): lambda w: Call(
        {"window_id": SAMPLE_WINDOW, "day": w.cover_gap()}, {"reason": "闭厅维护"}
    ),
    # Staff assessments (千人千题)
    ("POST", "/assessments"): lambda w: Call(body=ASSESSMENT),
    ("GET", "/assessments"): lambda w: Call(),
    ("GET", "/assessments/retests-due"): lambda w: Call(params=OWN_SCOPE),
    ("GET", "/assessments/{assessment_id}"): lambda w: Call({"assessment_id": w.assessment()}),
    # The item catalogue (事项清单, §16)
    ("GET", "/items"): lambda w: Call(),
    ("GET", "/items/{code}"): lambda w: Call({"code": w.listed_item()}),
    ("GET", "/metrics/items"): lambda w: Call(params=PERIOD),
}
OPERATIONS_REQUESTS: dict[Route, Callable[[World], Call]] = {
    ("GET", path): lambda w: Call()
    for path in ("/healthz", "/readyz", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json")
}
OPERATIONS_REQUESTS["*", "/docs/assets"] = lambda w: Call(file="swagger-ui.css")
OPERATIONS_REQUESTS["GET", "/metrics"] = lambda w: Call()
PAGES_REQUESTS: dict[Route, Callable[[World], Call]] = {
    **{("GET", path): lambda w: Call() for path in ("/", "/status", "/red-list", "/blue-list")},
    ("POST", "/status"): lambda w: Call(body=w.status_query()),
    ("GET", "/rate/{window}"): lambda w: Call({"window": SAMPLE_WINDOW}),
    ("POST", "/rate/{window}"): lambda w: Call({"window": SAMPLE_WINDOW}, {"rating": 1}),
    ("*", "/static"): lambda w: Call(file="oversight.css"),
    **{
        ("GET", path): lambda w: Call()
        for path in (
            "/console/sign-in",
            "/console/sign-in/code",
            "/console/password",
            "/console/second-factor",
            "/console/cases/new",
            "/console/cases/new/duplicates",
            "/console/routing",
            "/console/cases",
            "/console/cases/export.xlsx",
            "/console/callbacks",
        )
    },
    ("POST", "/console/sign-in"): lambda w: Call(body={"username": "x", "password": "y"}),
    ("POST", "/console/sign-in/code"): lambda w: Call(body={"code": "123456"}),
    ("POST", "/console/password"): lambda w: Call(body={"current": "x"}),
    ("POST", "/console/second-factor"): lambda w: Call(body={"code": "123456"}),
    ("POST", "/console/sign-out"): lambda w: Call(),
    ("POST", "/console/cases/new"): lambda w: Call(body=a_complaint_body()),
    ("GET", "/console/cases/{case_id}/registered"): lambda w: Call({"case_id": w.assigned_case()}),
    ("POST", "/console/cases/new/caller"): lambda w: Call(body={"complainant_phone": "138"}),
    ("POST", "/console/routing/{case_id}/assign"): lambda w: Call(
        {"case_id": w.assigned_case()}, {"department": SAMPLE_DEPARTMENT}
    ),
    ("POST", "/console/cases/filters"): lambda w: Call(body={"name": "x"}),
    ("POST", "/console/cases/filters/delete"): lambda w: Call(body={"name": "x"}),
    **{
        ("POST", f"/console/callbacks/{{case_id}}/{verb}"): lambda w: Call(
            {"case_id": w.assigned_case()}
        )
        for verb in ("callback", "close", "reopen")
    },
    ("GET", "/console/"): lambda w: Call(),
    ("GET", "/console/inbox"): lambda w: Call(),
    ("POST", "/console/inbox/acknowledge"): lambda w: Call(body={"case": str(w.assigned_case())}),
    ("GET", "/console/templates"): lambda w: Call(),
    ("POST", "/console/templates"): lambda w: Call(body=TEMPLATE),
    **{
        ("POST", f"/console/templates/{{template_id}}/{verb}"): lambda w: Call(
            {"template_id": w.answer_template()}, TEMPLATE
        )
        for verb in ("edit", "retire")
    },
    ("GET", "/console/cases/{case_id:uuid}"): lambda w: Call({"case_id": w.assigned_case()}),
    ("POST", "/console/cases/{case_id:uuid}/{action}"): lambda w: Call(
        {"case_id": w.assigned_case(), "action": "acknowledge"}
    ),
    # Scores, lists and the monthly report
    **{
        ("GET", path): lambda w: Call()
        for path in (
            "/console/scores",
            "/console/blue-list",
            "/console/red-list",
            "/console/reports/monthly",
        )
    },
    ("GET", "/console/reports/monthly.{file_format}"): lambda w: Call({"file_format": "xlsx"}),
    ("GET", "/console/supervision"): lambda w: Call(),
    ("POST", "/console/supervision/{case_id}/{action}"): lambda w: Call(
        {"case_id": w.overdue_case(), "action": "supervise"}, {"note": "逾期未签收，督办"}
    ),
    ("GET", "/console/deductions/new"): lambda w: Call(),
    ("GET", "/console/deductions/new/rule"): lambda w: Call(),
    ("POST", "/console/deductions/new"): lambda w: Call(body={"rule": "harsh_attitude"}),
    ("GET", "/console/deductions"): lambda w: Call(),
    ("POST", "/console/deductions/{deduction_id}/revoke"): lambda w: Call(
        {"deduction_id": w.deduction()}, {"reason": "申诉成立"}
    ),
    # The administrator's pages.
    **{
        ("GET", f"/console/admin/{area}"): lambda w: Call()
        for area in ("accounts", "directory", "conduct-rules", "calendar", "tokens", "qr-codes")
    },
    ("POST", "/console/admin/accounts"): lambda w: Call(
        body={"username": "new.person", "name": "新人", "role": "operator"}
    ),
    **{
        ("POST", f"/console/admin/accounts/{{username}}/{verb}"): lambda w: Call(
            {"username": "admin"}, {"confirmed": "yes"}
        )
        for verb in ("reset-password", "disable")
    },
    ("GET", "/console/admin/accounts/{username}/password"): lambda w: Call({"username": "admin"}),
    ("POST", "/console/admin/directory/import"): lambda w: Call(body={"file": "departments: []"}),
    ("POST", "/console/admin/conduct-rules/import"): lambda w: Call(body={"file": "rules: []"}),
    ("POST", "/console/admin/calendar/load"): lambda w: Call(body={"year": 2031}),
    ("POST", "/console/admin/tokens"): lambda w: Call(body={"role": "operator"}),
    ("GET", "/console/admin/tokens/{token_id}/issued"): lambda w: Call({"token_id": uuid4()}),
    ("POST", "/console/admin/tokens/{token_id}/revoke"): lambda w: Call(
        {"token_id": uuid4()}, {"reason": "x", "confirmed": "yes"}
    ),
    # The notifications' outbox (外发消息)
    ("GET", "/console/admin/outbox"): lambda w: Call(),
    ("GET", "/console/admin/outbox/{message_id}"): lambda w: Call({"message_id": w.dead_message()}),
    ("POST", "/console/admin/outbox/{message_id}/resend"): lambda w: Call(
        {"message_id": w.dead_message()}
    ),
    # Audit and the dashboard
    **{
        ("GET", path): lambda w: Call()
        for path in ("/console/audit", "/console/audit/verify", "/console/dashboard")
    },
    ("GET", "/console/audit/records/{record_id}"): lambda w: Call({"record_id": w.assigned_case()}),
    ("POST", "/console/audit/verify"): lambda w: Call(),
    ("POST", "/console/audit/checkpoints/verify"): lambda w: Call(
        body={"checkpoint": json.dumps(w.checkpoint())}
    ),
    ("GET", "/console/dashboard/{chart}.csv"): lambda w: Call({"chart": "rates"}, params=PERIOD),
    # Rectification orders
    ("GET", "/console/orders"): lambda w: Call(),
    ("GET", "/console/orders/new"): lambda w: Call(),
    ("POST", "/console/orders/new"): lambda w: Call(
        body={"department": SAMPLE_DEPARTMENT, "problem": "窗口无人", "requirements": "排班到岗"}
    ),
    ("GET", "/console/orders/{order_id:uuid}"): lambda w: Call({"order_id": w.issued_order()}),
    ("POST", "/console/orders/{order_id:uuid}/{action}"): lambda w: Call(
        {"order_id": w.issued_order(), "action": "acknowledge"}
    ),
    # Appeals
    ("GET", "/console/appeals"): lambda w: Call(),
    ("POST", "/console/deductions/{deduction_id:uuid}/appeal"): lambda w: Call(
        {"deduction_id": w.deduction()}, {"reasons": "当事人系在解释政策"}
    ),
    ("POST", "/console/appeals/{appeal_id:uuid}/{decision}"): lambda w: Call(
        {"appeal_id": w.appeal(), "decision": "uphold"}, {"reason": "属实"}
    ),
    # Notices (通报)
    ("GET", "/notices"): lambda w: Call(),
    ("GET", "/notices/{notice_id:uuid}"): lambda w: Call({"notice_id": w.published_notice()}),
    ("GET", "/console/notices"): lambda w: Call(),
    ("GET", "/console/notices/new"): lambda w: Call(),
    ("POST", "/console/notices/new"): lambda w: Call(body=NOTICE_FORM),
    ("GET", "/console/notices/{notice_id:uuid}"): lambda w: Call({"notice_id": w.notice_draft()}),
    ("POST", "/console/notices/{notice_id:uuid}"): lambda w: Call(
        {"notice_id": w.notice_draft()}, {**NOTICE_FORM, "action": "publish"}
    ),
    ("POST", "/console/notices/{notice_id:uuid}/withdraw"): lambda w: Call(
        {"notice_id": w.published_notice()}, {"reason": "对象认定有误"}
    ),
    # Superiors and escalation (提级督办)
    ("GET", "/console/boards"): lambda w: Call(),
    ("GET", "/console/boards/{department_id}"): lambda w: Call(
        {"department_id": SAMPLE_DEPARTMENT}
    ),
    ("POST", "/console/cases/{case_id:uuid}/escalation/direct"): lambda w: Call(
        {"case_id": w.assigned_case()}, DIRECTION
    ),
    ("POST", "/console/orders/{order_id:uuid}/escalation/direct"): lambda w: Call(
        {"order_id": w.issued_order()}, DIRECTION
    ),
    # Satisfaction surveys (满意度调查)
    ("GET", "/console/surveys"): lambda w: Call(),
    ("POST", "/console/surveys"): lambda w: Call(body=SURVEY_FORM),
    ("POST", "/console/surveys/import"): lambda w: Call(body=SURVEY_FORM),
    # A/B post cover (AB岗)
    ("GET", "/console/posts"): lambda w: Call(),
    ("POST", "/console/posts/absences"): lambda w: Call(body=w.absence_body()),
    ("POST", "/console/posts/{window_id}/absences/{absence_id:uuid}/cancel"): lambda w: Call(
        {"window_id": SAMPLE_WINDOW, "absence_id": w.absence()}
    ),
    ("GET", "/console/posts/coverage"): lambda w: Call(),
    ("POST", "/console/posts/coverage/{window_id}/gaps/{day}/confirm"): lambda w: Call(
        {"window_id": SAMPLE_WINDOW, "day": w.cover_gap()}
    ),
    ("POST", "/console/posts/coverage/{window_id}/gaps/{day}/dismiss"): lambda w: Call(
        {"window_id": SAMPLE_WINDOW, "day": w.cover_gap()}, {"reason": "闭厅维护"}
    ),
    # Staff assessments (千人千题)
    ("GET", "/console/assessments"): lambda w: Call(),
    ("GET", "/console/assessments/retests"): lambda w: Call(),
    ("GET", "/console/assessments/new"): lambda w: Call(),
    ("POST", "/console/assessments/new"): lambda w: Call(body=ASSESSMENT_FORM),
    ("GET", "/console/assessments/{assessment_id:uuid}"): lambda w: Call(
        {"assessment_id": w.assessment()}
    ),
    # The item catalogue (事项清单, §16)
    ("GET", "/items"): lambda w: Call(),
    ("GET", "/items/{code}"): lambda w: Call({"code": w.listed_item()}),
    ("GET", "/console/item-metrics"): lambda w: Call(),
    # Inspection visits (暗访巡查)
    ("GET", "/console/visits"): lambda w: Call(),
    ("GET", "/console/visits/new"): lambda w: Call(),
    ("POST", "/console/visits/new"): lambda w: Call(body=w.visit_body()),
    ("GET", "/console/visits/{visit_id:uuid}"): lambda w: Call({"visit_id": w.visit()}),
    ("POST", "/console/visits/{visit_id:uuid}/findings"): lambda w: Call(
        {"visit_id": w.visit()},
        {"type": "order", **{k: v for k, v in ORDER.items() if k != "source"}},
    ),
    # Evidence files (附件)
    ("POST", "/console/cases/{case_id:uuid}/attachments"): lambda w: Call(
        {"case_id": w.assigned_case()}, files=PHOTO_UPLOAD
    ),
    ("POST", "/console/orders/{order_id:uuid}/attachments"): lambda w: Call(
        {"order_id": w.issued_order()}, files=PHOTO_UPLOAD
    ),
    ("POST", "/console/visits/{visit_id:uuid}/attachments"): lambda w: Call(
        {"visit_id": w.visit()}, files=PHOTO_UPLOAD
    ),
    ("POST", "/console/deductions/{deduction_id:uuid}/attachments"): lambda w: Call(
        {"deduction_id": w.deduction()}, files=PHOTO_UPLOAD
    ),
    ("GET", "/console/deductions/{deduction_id:uuid}/attachments"): lambda w: Call(
        {"deduction_id": w.deduction()}
    ),
    ("GET", "/console/attachments/{attachment_id:uuid}"): lambda w: Call(
        {"attachment_id": w.case_photo()}
    ),
    ("GET", "/console/attachments/{attachment_id:uuid}/thumbnail"): lambda w: Call(
        {"attachment_id": w.case_photo()}
    ),
}
REQUESTS = {
    **{(method, f"{API_PREFIX}{path}"): build for (method, path), build in API_REQUESTS.items()},
    **OPERATIONS_REQUESTS,
    **PAGES_REQUESTS,
}


@pytest.fixture
def world(
    client: TestClient, tokens: Tokens, time_source: SettableTimeSource, container: Container
) -> Iterator[World]:
    container.supervision.load_conduct_rules(default_conduct_rules(), Actor("admin", Role.ADMIN))
    worker = container.worker()
    yield World(client, tokens, time_source, container, worker.run_once)
    worker.close()


def served_routes(app: Any) -> set[Route]:
    """Every method and path the app answers; a mount answers every method, so it is `*`."""
    return {
        (method, route.path)
        for route in iter_route_contexts(app.routes)
        for method in route.methods or {"*"}
        if method != "HEAD"
    }


def test_the_table_has_one_row_for_every_route_the_app_serves(client: TestClient) -> None:
    served = served_routes(client.app)

    assert sorted(served - MATRIX.keys()) == [], "routes without a row in the table"
    assert sorted(MATRIX.keys() - served) == [], "rows for routes the app does not serve"
    assert sorted(MATRIX.keys() ^ REQUESTS.keys()) == [], "rows without a request to make"
    assert all(len(row) == len(CALLERS) for row in MATRIX.values())


def what_is_wrong(expected: Outcome, response: Response, recorded: bool) -> str | None:
    """Why a cell's answer breaks its row, or None when it keeps it."""
    status = response.status_code
    if expected == SIGN_IN:
        if status != SIGN_IN or not response.headers["location"].startswith("/console/sign-in"):
            return f"expected to be sent to sign in, got {status} {response.headers}"
        return "sent to sign in, yet events were recorded" if recorded else None
    if expected == OK:
        if not 200 <= status < 300:
            return f"expected to be allowed, got {status} {response.text[:200]}"
        return None
    if status != expected:
        return f"expected {expected}, got {status} {response.text[:200]}"
    if response.headers["content-type"].startswith("text/html"):
        if '<html lang="zh-CN">' not in response.text:
            return f"refused without a Chinese page: {response.text[:200]}"
    elif "error" not in response.json():
        return f"refused without an error body: {response.text[:200]}"
    if recorded:
        return "refused, yet events were recorded"
    return None


def resource_of(route: Route) -> str:
    """The resource a route serves: its first path segment under the API prefix; outside
    it, the pages and, apart from them, operations and documentation."""
    path = route[1]
    if route in PAGES_REQUESTS:
        return "pages"
    if not path.startswith(API_PREFIX):
        return "operations"
    return path.removeprefix(API_PREFIX).split("/")[1]


@pytest.mark.parametrize("resource", sorted({resource_of(route) for route in MATRIX}))
def test_every_caller_gets_what_the_table_says_and_a_refusal_records_nothing(
    world: World, resource: str
) -> None:
    failures = []
    for route in [route for route in MATRIX if resource_of(route) == resource]:
        method, template = route
        # The monitor's outcome follows from the row (authorization_matrix.monitor_outcome).
        monitor = ("monitor", monitor_outcome(route, MATRIX[route]))
        for caller, expected in [*zip(CALLERS, MATRIX[route], strict=True), monitor]:
            call = REQUESTS[route](world)
            before = position(world.container)
            response = world.client.request(
                *call.method_and_url(route),
                json=call.body,
                params=call.params,
                files=call.files,
                headers=world.headers(caller),
                follow_redirects=False,
            )
            problem = what_is_wrong(expected, response, position(world.container) != before)
            if problem:
                failures.append(f"{method} {template} as {caller}: {problem}")

    assert not failures, "\n".join(failures)


# Property level: who sees a complainant's identity ------------------------------------------

REPORTER = {"name": "李建国", "phone": "13998765432", "address": "建设路 21 号 3 单元"}
COMPLAINANT = {"name": "王芳", "phone": "13812345678", "address": "和平路 8 号"}
CENTRE = ("operator", "inspector")


@dataclass
class Answers:
    """Every answer the service gave in a flow, with who asked."""

    world: World
    seen: list[tuple[str, str, Response]] = field(default_factory=list)

    def ask(self, caller: str, method: str, path: str, body: Any = None, **params: Any) -> Response:
        response = self.world.client.request(
            method,
            f"{API_PREFIX}{path}",
            json=body,
            params=params,
            headers=self.world.headers(caller),
        )
        assert response.status_code < 500, f"{method} {path}: {response.text}"
        self.seen.append((caller, f"{method} {path}", response))
        return response

    def do(self, caller: str, method: str, path: str, body: Any = None) -> Any:
        """A step the flow needs to succeed; its answer is kept like any other."""
        response = self.ask(caller, method, path, body)
        assert response.status_code in (200, 201), f"{method} {path}: {response.text}"
        return response.json()

    def to(self, *callers: str, request: str | None = None) -> list[tuple[str, str]]:
        """The raw text of the answers given to these callers (to this request, if given),
        JSON escapes decoded too."""
        return [
            (f"{caller} {asked}", text_of(response))
            for caller, asked, response in self.seen
            if caller in callers and request in (None, asked)
        ]


def text_of(response: Response) -> str:
    if "json" not in response.headers.get("content-type", ""):
        return response.text
    return response.text + json.dumps(response.json(), ensure_ascii=False)


def a_report_and_a_complaint_handled_end_to_end(world: World) -> tuple[Answers, str, str]:
    """A 举报 about the department's staff member and a complaint from a caller who gave a
    phone number, from registration through handling, callback and scoring, read by everyone
    who may try."""
    answers = Answers(world)
    ask, do = answers.ask, answers.do
    report = do(
        "operator",
        "POST",
        "/cases",
        {
            "kind": "report",
            "channel": "hotline",
            "window": SAMPLE_WINDOW,
            "staff": "S0001",
            "category": "integrity",
            # The measured worst case: the reporter's name and phone in the summary, which
            # lists and boards show.
            "summary": f"举报人{REPORTER['name']}（{REPORTER['phone']}）举报窗口工作人员索要好处费",
            "details": f"来电人{REPORTER['name']}（{REPORTER['phone']}）称过户时被暗示另付费用，"
            f"要求保密；住{REPORTER['address']}",
            "complainant": REPORTER,
        },
    )
    complaint = do(
        "operator",
        "POST",
        "/cases",
        {
            **COMPLAINT,
            "summary": f"{COMPLAINANT['name']}反映窗口工作人员态度生硬",
            "details": f"来电人{COMPLAINANT['name']}反映被要求反复提交材料，"
            f"回访电话{COMPLAINANT['phone']}",
            "complainant": COMPLAINANT,
        },
    )
    report_path, complaint_path = f"/cases/{report['id']}", f"/cases/{complaint['id']}"
    for path in (report_path, complaint_path):
        do("operator", "POST", f"{path}/assign", {"department": SAMPLE_DEPARTMENT})
    do(
        "operator",
        "POST",
        f"{report_path}/notes",
        {"text": f"举报人{REPORTER['name']}再次来电，要求保密", "public": False},
    )
    do(
        "operator",
        "POST",
        f"{complaint_path}/notes",
        {"text": f"已回电{COMPLAINANT['phone']}，{COMPLAINANT['name']}要求书面答复"},
    )
    world.catch_up()

    for department in ("own", "other"):
        ask(department, "GET", "/cases")
        ask(department, "GET", "/cases", kind="report")
        ask(department, "GET", "/cases", department=SAMPLE_DEPARTMENT)
        ask(department, "GET", f"/departments/{SAMPLE_DEPARTMENT}/board")
        ask(department, "GET", f"/departments/{OTHER_DEPARTMENT}/board")
        for path in (report_path, complaint_path):
            ask(department, "GET", path)
            ask(department, "GET", f"{path}/history")
            ask(department, "POST", f"{path}/acknowledge")
    do("own", "POST", f"{complaint_path}/clock/stop", REASON)
    do("own", "POST", f"{complaint_path}/clock/resume")
    do("own", "POST", f"{report_path}/extension", EXTENSION)
    do("inspector", "POST", f"{report_path}/extension/grant")
    do(
        "own",
        "POST",
        f"{report_path}/result",
        {
            "outcome": "substantiated",
            "actions": "已对当事人立案调查",
            "answer": "经核实属实，已严肃处理",
            "proposed_deduction": {"rule": "integrity"},
        },
    )
    do("inspector", "POST", f"{report_path}/proposed-deduction/confirm")
    do(
        "own",
        "POST",
        f"{complaint_path}/result",
        {"outcome": "resolved", "answer": f"{COMPLAINANT['name']}您好，材料已一次性告知"},
    )
    do(
        "operator",
        "POST",
        f"{complaint_path}/callback",
        {"reached": True, "satisfaction": "satisfied", "comment": f"{COMPLAINANT['name']}表示满意"},
    )
    do("operator", "POST", f"{complaint_path}/close")
    order = do(
        "inspector",
        "POST",
        "/rectification-orders",
        {**ORDER, "source": {"type": "case", "ref": report["tracking_number"]}},
    )
    do("own", "POST", f"/rectification-orders/{order['id']}/acknowledge")
    world.catch_up()

    for caller in ("own", "other", "admin", "anonymous", *CENTRE):
        for path in (report_path, complaint_path):
            ask(caller, "GET", path)
        ask(caller, "GET", "/cases", department=SAMPLE_DEPARTMENT)
        ask(caller, "GET", f"/departments/{SAMPLE_DEPARTMENT}/board")
        ask(caller, "GET", f"/rectification-orders/{order['id']}")
        ask(caller, "GET", "/scores", department=SAMPLE_DEPARTMENT)
        ask(caller, "GET", "/blue-list", department=SAMPLE_DEPARTMENT)
        for spreadsheet in ("json", "csv"):
            ask(caller, "GET", "/reports/monthly", department=SAMPLE_DEPARTMENT, format=spreadsheet)
        ask(caller, "GET", "/red-list")
        for case in (report, complaint):
            ask(
                caller,
                "POST",
                "/public/case-status",
                {"tracking_number": case["tracking_number"], "access_code": case["access_code"]},
            )
    do("anonymous", "POST", "/evaluations", {"window": SAMPLE_WINDOW, "rating": 2})
    return answers, report_path, complaint_path


def identity_of(person: dict[str, str]) -> dict[str, str]:
    return {**person, "masked phone": mask_phone(person["phone"]) or ""}


def test_no_answer_to_a_department_names_the_reporter_of_its_staff_in_any_form(
    world: World,
) -> None:
    answers, report_path, _ = a_report_and_a_complaint_handled_end_to_end(world)
    (_, report_seen_by_own), *_ = answers.to("own", request=f"GET {report_path}")

    leaks = [
        f"{who}: {what} {value!r}"
        for who, text in answers.to("own", "other")
        for what, value in identity_of(REPORTER).items()
        if value in text
    ]

    assert not leaks, "\n".join(leaks)
    assert f"举报人{WITHHELD}（{WITHHELD}）举报窗口工作人员索要好处费" in report_seen_by_own
    assert f"来电人{WITHHELD}（{WITHHELD}）" in report_seen_by_own


def test_a_department_knows_a_complainant_by_surname_only_in_every_answer(world: World) -> None:
    answers, _, complaint_path = a_report_and_a_complaint_handled_end_to_end(world)
    (_, complaint_seen_by_own), *_ = answers.to("own", request=f"GET {complaint_path}")
    (_, listed_for_own), *_ = answers.to("own", request="GET /cases")
    (_, board_of_own), *_ = answers.to("own", request=f"GET /departments/{SAMPLE_DEPARTMENT}/board")

    # The public status answers whoever holds the access code, the complainant: it shows the
    # department's answer to them as written.
    whole_names = [
        f"{who}: {COMPLAINANT['name']}"
        for who, text in answers.to("own", "other", "admin", "anonymous")
        if COMPLAINANT["name"] in text and not who.endswith("POST /public/case-status")
    ]

    assert not whole_names, "\n".join(whole_names)
    assert '"name": "王**"' in complaint_seen_by_own
    for text in (complaint_seen_by_own, listed_for_own, board_of_own):
        assert "王**反映窗口工作人员态度生硬" in text


def test_phone_numbers_reach_only_operators_and_inspectors_whole_and_departments_masked(
    world: World,
) -> None:
    answers, report_path, complaint_path = a_report_and_a_complaint_handled_end_to_end(world)
    phones = [REPORTER["phone"], COMPLAINANT["phone"]]

    whole_phones_elsewhere = [
        f"{who}: {phone}"
        for who, text in answers.to("own", "other", "admin", "anonymous")
        for phone in phones
        if phone in text
    ]
    complaint_seen_by_own = answers.to("own", request=f"GET {complaint_path}")
    report_seen_by_centre = answers.to(*CENTRE, request=f"GET {report_path}")
    complaint_seen_by_centre = answers.to(*CENTRE, request=f"GET {complaint_path}")

    assert not whole_phones_elsewhere, "\n".join(whole_phones_elsewhere)
    assert complaint_seen_by_own
    assert all("138****5678" in text for _, text in complaint_seen_by_own)
    assert len(report_seen_by_centre) == len(complaint_seen_by_centre) == len(CENTRE)
    assert all(REPORTER["phone"] in text for _, text in report_seen_by_centre)
    assert all(COMPLAINANT["phone"] in text for _, text in complaint_seen_by_centre)


# Property level: one way to write a moment ---------------------------------------------------

# A moment as ISO 8601 writes it, with whatever offset, or none.
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?")
OFFICE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?\+08:00")


def test_every_moment_in_every_answer_is_written_in_the_centres_time(world: World) -> None:
    # The service's own clock reads UTC; moments sent in come with any offset.
    world.time_source.set(world.time_source.now().astimezone(UTC))
    answers, report_path, _ = a_report_and_a_complaint_handled_end_to_end(world)
    answers.do(
        "inspector",
        "POST",
        "/deductions",
        {**DEDUCTION, "occurred_at": (world.time_source.now() - timedelta(hours=1)).isoformat()},
    )
    world.catch_up()
    for path, params in (
        ("/audit/events", {}),
        (f"/audit/records/{report_path.rsplit('/', 1)[1]}/history", {}),
        ("/staff/S0001/history", {}),
        ("/blue-list", {}),
        ("/calendar/deadline", {"kind": "complaint", "start": "2026-11-27T01:00:00Z"}),
    ):
        answers.ask("inspector", "GET", path, **params)

    moments = [
        (who, moment) for who, text in answers.to(*CALLERS) for moment in MOMENT.findall(text)
    ]
    elsewhere = [f"{who}: {moment}" for who, moment in moments if not OFFICE_TIME.fullmatch(moment)]

    assert len(moments) > 100
    assert not elsewhere, "\n".join(dict.fromkeys(elsewhere))
