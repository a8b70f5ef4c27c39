"""The intake desk (§13): register a case, see the caller's earlier cases as the phone is
typed and the likely duplicates at the window, then read out the tracking number and the
access code, shown once."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import UUID

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from application.queries import CallerCase, CaseSummary
from application.views import RegisteredCase
from domain.actor import Role
from domain.case import CATEGORIES
from domain.labels import LABELS
from domain.privacy import phone_digits
from interfaces.http import commands
from interfaces.http.deps import ContainerDep, SupervisionDep
from interfaces.http.schemas.cases import DIRECTORY_ID, CaseCreate
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import form_text, refused_or_done, shown
from interfaces.web.forms import read_form
from interfaces.web.routers import page_router
from interfaces.web.session import CentrePersonDep, acting
from interfaces.web.shown_once import hand_over, page_showing_once
from interfaces.web.templating import render

router = page_router("/console/cases")

FIELDS = {
    "kind": "诉求类型",
    "channel": "渠道",
    "window": "窗口",
    "staff": "工作人员",
    "category": "分类",
    "urgent": "紧急",
    "summary": "摘要",
    "details": "详情",
    "complainant.name": "姓名",
    "complainant.phone": "手机号",
    "complainant.notify": "同意短信通知",
    "complainant": "来电人",
    "department": "承办部门",
    "item": "事项",
}
FORM_NAMES = (
    "kind",
    "channel",
    "window",
    "staff",
    "category",
    "summary",
    "details",
    "complainant_name",
    "complainant_phone",
    "item",
)
# How far back a case at the same window counts as a likely duplicate, and how many of a
# caller's earlier cases the desk shows.
DUPLICATE_DAYS = 7
SHOWN_AT_MOST = 20
# The access code rides from the registration to its answer page (shown_once.py).
ACCESS_CODE_COOKIE = "oversight_access_code"
# A number is looked up once it could be a whole line (a landline has 7 digits at least).
PHONE_DIGITS_TO_LOOK_UP = 7


@router.get("/new", response_class=HTMLResponse)
async def intake_form(
    request: Request, person: CentrePersonDep, app: SupervisionDep
) -> HTMLResponse:
    """The intake form (诉求类型 … 手机号, 登记)."""
    return await _form(request, person, app, {"kind": "complaint", "channel": "hotline"}, [])


@router.post("/new", response_class=HTMLResponse, response_model=None)
async def register(
    request: Request, form: CsrfFormDep, person: CentrePersonDep, app: SupervisionDep
) -> HTMLResponse | RedirectResponse:
    """Register the case as the API's `POST /cases` does; refusals beside the form, kept."""
    values = {name: form_text(form, name) for name in FORM_NAMES}
    case = _as_case(values, urgent=form.get("urgent") is not None)
    if form.get("complainant_notify") is not None:  # 同意短信通知 (§17)
        values["complainant_notify"] = "true"
        case["complainant"] = {**case["complainant"], "notify": True}  # type: ignore[dict-item]
    body = read_form(CaseCreate, case, FIELDS)
    if isinstance(body, list):
        return await _form(request, person, app, values, body, status_code=422)
    by = acting(request, person)
    registered = await refused_or_done(lambda: commands.register_case(app, body, by))
    if isinstance(registered, str):
        return await _form(request, person, app, values, [registered], status_code=409)
    return _to_answer_page(request, person.account_id, registered)


def _as_case(values: dict[str, str | None], *, urgent: bool) -> dict[str, object]:
    """The form's values in the shape of the API's `CaseCreate` (empty fields left out)."""
    complainant = {
        "name": values["complainant_name"],
        "phone": values["complainant_phone"],
    }
    case: dict[str, object] = {
        name: values[name]
        for name in ("kind", "channel", "window", "staff", "category", "summary", "details", "item")
        if values[name] is not None
    }
    case["urgent"] = urgent
    case["complainant"] = {name: value for name, value in complainant.items() if value}
    return case


async def _form(
    request: Request,
    person: CentrePersonDep,
    app: SupervisionDep,
    values: dict[str, object],
    problems: list[str],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    directory = await run_in_threadpool(app.directory)
    catalogue = await run_in_threadpool(app.item_catalogue)
    return render(
        request,
        "desk/intake.html",
        {
            "values": values,
            "problems": problems,
            "kinds": LABELS["kind"],
            "channels": {k: v for k, v in LABELS["channel"].items() if k != "rating"},
            "categories": CATEGORIES,
            "windows": directory.windows,
            "staff": directory.staff,
            "departments": {d.id: d.name for d in directory.departments},
            # The item catalogue's items in service (事项, §16), by code.
            "items": sorted(
                (code, item["name"])
                for code, item in catalogue.items.items()
                if not item["withdrawn"]
            ),
        },
        person=shown(person),
        status_code=status_code,
    )


def _to_answer_page(request: Request, account_id: UUID, registered: RegisteredCase) -> Response:
    page = f"/console/cases/{registered.case.id}/registered"
    bound_to = [str(registered.case.id), str(account_id)]
    return hand_over(request, page, ACCESS_CODE_COOKIE, bound_to, registered.access_code)


@router.get("/{case_id}/registered", response_class=HTMLResponse)
async def registered_page(
    request: Request,
    case_id: UUID,
    person: CentrePersonDep,
    app: SupervisionDep,
    container: ContainerDep,
) -> HTMLResponse:
    """The tracking number and, this once, the access code, large, to read out; a print
    button; the likely duplicates at the same window, to merge this case into."""
    by = acting(request, person)
    case = await run_in_threadpool(app.get_case, case_id, by)
    duplicates: list[CaseSummary] = []
    if case.window is not None and case.status not in ("closed", "merged"):
        found = await _open_at_window(container, case.window, person.role)
        duplicates = [item for item in found if item.id != case.id]
    return page_showing_once(
        request,
        ACCESS_CODE_COOKIE,
        [str(case_id), str(person.account_id)],
        "desk/registered.html",
        {"case": case, "duplicates": duplicates},
        shown_as="access_code",
        person=shown(person),
    )


@router.post("/new/caller", response_class=HTMLResponse)
async def earlier_cases_of_caller(
    request: Request, form: CsrfFormDep, person: CentrePersonDep, container: ContainerDep
) -> HTMLResponse:
    """The caller's earlier cases, as the phone is typed (a fragment): found by the keyed
    digest of the number's digits, never by the number. Posted, so the number stays out of
    addresses and logs."""
    phone = form.get("complainant_phone")
    digits = phone_digits(phone) if isinstance(phone, str) else None
    looked_up = digits is not None and len(digits) >= PHONE_DIGITS_TO_LOOK_UP
    cases: list[CallerCase] = []
    if digits is not None and looked_up:
        cases = await container.queries.cases_of_caller(
            container.phone_digest(digits), limit=SHOWN_AT_MOST
        )
    return render(
        request,
        "desk/_caller_cases.html",
        {"cases": cases, "looked_up": looked_up},
        person=shown(person),
    )


@router.get("/new/duplicates", response_class=HTMLResponse)
async def likely_duplicates(
    request: Request,
    person: CentrePersonDep,
    container: ContainerDep,
    window: str = Query(default="", max_length=64),
) -> HTMLResponse:
    """Open cases at the chosen window in the last 7 days (a fragment)."""
    cases: list[CaseSummary] = []
    if re.fullmatch(DIRECTORY_ID, window):
        cases = await _open_at_window(container, window, person.role)
    return render(
        request, "desk/_duplicates.html", {"cases": cases, "window": window}, person=shown(person)
    )


async def _open_at_window(container: ContainerDep, window: str, role: Role) -> list[CaseSummary]:
    now = container.supervision.time_source.now()
    return await container.queries.open_cases_at_window(
        window, since=now - timedelta(days=DUPLICATE_DAYS), now=now, role=role, limit=SHOWN_AT_MOST
    )
