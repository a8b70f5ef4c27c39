"""Builders shared by every tier of tests: the sample directory, tokens, and cases registered
through the application or through the HTTP API, each with defaults a test overrides by name."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from application.access import IssuedToken
from application.notices import NoticeView
from application.supervision import Supervision
from application.views import CaseView, RegisteredCase
from application.visits import VisitView
from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from domain.case import Channel, Intake, Kind, Outcome
from domain.notice import NoticeKind, NoticeSubjectType
from domain.rectification import OrderRequest, OrderSourceType
from domain.scorecard import DeductionRequest, SourceType
from domain.visit import VisitMethod
from infrastructure.directory_file import sample_directory

API = "/api/v1"
SAMPLE_WINDOW = "W-A01"
# The department that runs SAMPLE_WINDOW in the sample directory.
SAMPLE_DEPARTMENT = "real-estate-registration"
OTHER_DEPARTMENT = "taxation"

OPERATOR = Actor("operator-1", Role.OPERATOR)
ADMIN = Actor("admin-1", Role.ADMIN)
INSPECTOR = Actor("inspector-1", Role.INSPECTOR)


def import_sample_directory(app: Supervision, by: Actor = ADMIN) -> None:
    """Record the sample directory (33 departments, 3 of them superior bureaus without windows,
    61 windows, 110 staff)."""
    app.import_directory(sample_directory(), by)


def issued_token(
    app: Supervision,
    role: Role = Role.OPERATOR,
    *,
    department: str | None = None,
    name: str = "",
    by: Actor = ADMIN,
) -> IssuedToken:
    """A bearer token issued for a role (and its department), as `oversight token create` does."""
    return app.issue_token(role=role, department=department, name=name, by=by)


def bearer(issued: IssuedToken) -> dict[str, str]:
    """The Authorization header that presents an issued token."""
    return {"Authorization": f"Bearer {issued.token}"}


def a_complaint(**fields: Any) -> dict[str, Any]:
    """The fields of an `Intake`: a hotline complaint about the sample window by a
    complainant who left a name and phone; any field given replaces its default."""
    return {
        "kind": Kind.COMPLAINT,
        "channel": Channel.HOTLINE,
        "department": None,
        "window": SAMPLE_WINDOW,
        "staff": None,
        "category": None,
        "urgent": False,
        "summary": "窗口人员态度生硬",
        "details": "",
        "complainant": {"name": "王芳", "phone": "13812345678"},
        **fields,
    }


def registration(app: Supervision, by: Actor = OPERATOR, **fields: Any) -> RegisteredCase:
    """What the application answers on registering `a_complaint(**fields)`."""
    return app.register_case(Intake(**a_complaint(**fields)), by=by)


def registered_case(app: Supervision, by: Actor = OPERATOR, **fields: Any) -> UUID:
    """The id of a case just registered from `a_complaint(**fields)`."""
    return registration(app, by, **fields).case.id


def assign(
    app: Supervision,
    case_id: UUID,
    by: Actor = OPERATOR,
    department: str = SAMPLE_DEPARTMENT,
    *,
    final: bool = False,
) -> CaseView:
    """Assign a case to `department` as an operator does, urgency unchanged and with no note."""
    return app.assign_case(
        case_id, department=department, urgent=None, final=final, note=None, by=by
    )


def assigned_case(
    app: Supervision,
    by: Actor = OPERATOR,
    *,
    department: str = SAMPLE_DEPARTMENT,
    **fields: Any,
) -> UUID:
    """The id of a case registered from `a_complaint(**fields)` and assigned to `department`."""
    case_id = registered_case(app, by, **fields)
    assign(app, case_id, by, department)
    return case_id


# Cases awaiting an inspector's decision (the supervision queue) ------------------------------

SAMPLE_DEPARTMENT_ACTOR = Actor("dept-1", Role.DEPARTMENT, department=SAMPLE_DEPARTMENT)


def acknowledged_case(app: Supervision, **fields: Any) -> UUID:
    """The id of a case assigned to the sample department, which acknowledged it."""
    case_id = assigned_case(app, **fields)
    app.acknowledge_case(case_id, SAMPLE_DEPARTMENT_ACTOR)
    return case_id


def case_asking_extension(app: Supervision, working_days: int = 5, **fields: Any) -> UUID:
    """The id of an acknowledged case whose department asks for more working days."""
    case_id = acknowledged_case(app, **fields)
    app.request_extension(
        case_id, working_days=working_days, reason="需现场核查", by=SAMPLE_DEPARTMENT_ACTOR
    )
    return case_id


def answer(
    app: Supervision, case_id: UUID, by: Actor = SAMPLE_DEPARTMENT_ACTOR, **fields: Any
) -> CaseView:
    """Post the department's result on an acknowledged case: resolved, by default; any field
    of `post_result` given replaces its default."""
    return app.post_result(
        case_id,
        **{"outcome": Outcome.RESOLVED, "actions": "已处理", "answer": "已办结", **fields},
        by=by,
    )


def case_proposing_deduction(app: Supervision, rule: str = "harsh_attitude", **fields: Any) -> UUID:
    """The id of a complaint about the sample window that its department found substantiated,
    proposing a deduction under `rule` for the case's staff and window."""
    case_id = acknowledged_case(app, **fields)
    answer(app, case_id, outcome=Outcome.SUBSTANTIATED, proposed_deduction={"rule": rule})
    return case_id


def an_order_finding(**fields: Any) -> OrderRequest:
    """The request of `issue_order_finding`: the sample department's window found unstaffed
    on a visit, to be rectified in the policy's working days; any field given replaces its
    default."""
    return OrderRequest(
        **{
            "department": SAMPLE_DEPARTMENT,
            "window": SAMPLE_WINDOW,
            "staff": None,
            "problem": "窗口无人",
            "requirements": "排班到岗",
            "working_days": None,
            "source_type": OrderSourceType.VISIT,
            **fields,
        }
    )


def an_order(**fields: Any) -> OrderRequest:
    """The request of `issue_order`: the finding of `an_order_finding`, made by an
    inspection; any field given replaces its default."""
    return an_order_finding(
        **{"source_type": OrderSourceType.INSPECTION, "source_ref": None, **fields}
    )


def issued_order(app: Supervision, by: Actor = INSPECTOR, **fields: Any) -> UUID:
    """The id of a rectification order just issued from `an_order(**fields)`."""
    return app.issue_order(an_order(**fields), by=by).id


def rated(app: Supervision, *ratings: int, window: str = SAMPLE_WINDOW) -> None:
    """A window rated by the public, once per rating given, without a comment."""
    public = Actor("public", Role.PUBLIC)
    for rating in ratings:
        app.record_evaluation(
            window=window, staff=None, rating=rating, comment=None, service_item=None, by=public
        )


def recorded_visit(app: Supervision, by: Actor = INSPECTOR, **fields: Any) -> VisitView:
    """A patrol of the sample window today, just recorded; any field given replaces its
    default."""
    return app.record_visit(
        **{
            "day": app.time_source.now().date(),
            "method": VisitMethod.PATROL,
            "windows": [SAMPLE_WINDOW],
            "summary": "巡查",
            **fields,
        },
        by=by,
    )


def published_notice(app: Supervision, by: Actor = INSPECTOR, **fields: Any) -> NoticeView:
    """A notice commending staff member S0001, just published; any field given replaces its
    default."""
    return app.publish_notice(
        **{
            "title": "通报表扬",
            "text": "服务热情周到。",
            "kind": NoticeKind.COMMENDATION,
            "subject_type": NoticeSubjectType.STAFF,
            "subject_id": "S0001",
            **fields,
        },
        by=by,
    )


def a_deduction(**fields: Any) -> DeductionRequest:
    """A patrol's deduction for staff S0001 arriving late on Mon 2 Nov 2026, the rule's own
    points; any field given replaces its default."""
    return DeductionRequest(
        **{
            "rule": "lateness_early_leave",
            "staff": "S0001",
            "window": None,
            "occurred_at": datetime(2026, 11, 2, 9, 40, tzinfo=OFFICE_TZ),
            "evidence": "考勤记录",
            "source_type": SourceType.PATROL,
            "source_ref": None,
            "points": None,
            **fields,
        }
    )


def posted(client: TestClient, path: str, headers: dict[str, str], body: Any = None) -> Any:
    """The answer of a `POST` to the API at `path`, which must succeed (200 or 201)."""
    response = client.post(f"{API}{path}", json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


def a_complaint_body(**fields: Any) -> dict[str, Any]:
    """The JSON body of `POST /cases` for a hotline complaint about the sample window; any field
    given replaces its default."""
    return {
        "kind": "complaint",
        "channel": "hotline",
        "window": SAMPLE_WINDOW,
        "category": "service_attitude",
        "summary": "窗口工作人员态度生硬",
        "details": "办理不动产登记时被要求反复提交材料",
        "complainant": {"name": "王芳", "phone": "13812345678", "address": "和平路 8 号"},
        **fields,
    }


def registered_through_api(
    client: TestClient, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    """The answer of `POST /cases` with `a_complaint_body(**fields)`, which must be 201."""
    response = client.post(f"{API}/cases", json=a_complaint_body(**fields), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def assigned_through_api(
    client: TestClient,
    headers: dict[str, str],
    *,
    department: str = SAMPLE_DEPARTMENT,
    **fields: Any,
) -> dict[str, Any]:
    """The answer of assigning a case just registered through the API to `department`."""
    case = registered_through_api(client, headers, **fields)
    response = client.post(
        f"{API}/cases/{case['id']}/assign", json={"department": department}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


# Superiors and escalation (提级督办) ---------------------------------------------------------

# The sample department's superior in the sample directory (a bureau without windows).
SAMPLE_SUPERIOR = "natural-resources-bureau"
SUPERIOR_ACTOR = Actor("bureau-1", Role.DEPARTMENT, department=SAMPLE_SUPERIOR)
# Assigned Fri 27 Nov 2026 (the tests' start), due Fri 18 Dec; supervised Mon 21 Dec 10:00;
# still overdue five working days later, Mon 28 Dec 10:00, so escalated then.
SUPERVISED_AT = datetime(2026, 12, 21, 10, 0, tzinfo=OFFICE_TZ)
ESCALATED_AT = datetime(2026, 12, 28, 10, 0, tzinfo=OFFICE_TZ)


def escalated_case(app: Supervision, set_time: Any, **fields: Any) -> UUID:
    """The id of a case of the sample department that the clock escalated to its superior:
    `set_time(moment)` moves the application's clock (left at Mon 28 Dec 10:30)."""
    case_id = acknowledged_case(app, **fields)
    set_time(SUPERVISED_AT.replace(hour=9))
    app.observe_case_clock(case_id)
    set_time(SUPERVISED_AT)
    app.supervise_case(case_id, note="已超期，请加快办理", by=INSPECTOR)
    set_time(ESCALATED_AT.replace(minute=30))
    app.observe_case_clock(case_id)
    return case_id
