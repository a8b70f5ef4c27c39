"""The case list (§13): the API's list query with its filters and cursor pages, "due within
N working days", saved filters per account, and export of the filtered list to XLSX. Asked
with `as_of` (查看历史时点, §14), the list and its export are as the record stood then."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.responses import Response

from application.queries import CaseSummary
from application.saved_filters import TooManySavedFilters
from domain.calendar import OFFICE_TZ
from domain.labels import LABELS, error_message
from domain.scorecard import day_of
from interfaces.http.deps import ContainerDep
from interfaces.http.schemas.cases import Integer
from interfaces.http.schemas.lists import CaseListQuery
from interfaces.http.schemas.text import RequestBody
from interfaces.reports import MEDIA_TYPES, case_list_xlsx
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import back_to, centre_cases, form_text, problems_back_to, shown
from interfaces.web.forms import read_form
from interfaces.web.past import MomentDep
from interfaces.web.routers import page_router
from interfaces.web.session import CentrePersonDep
from interfaces.web.templating import render

router = page_router("/console/cases")

LIST = "/console/cases"
# The filters of the form, as the list's query string names them.
FILTERS = (
    "status",
    "kind",
    "department",
    "overdue",
    "due_within",
    "q",
    "registered_from",
    "registered_to",
)
FIELDS = {
    "status": "状态",
    "kind": "诉求类型",
    "department": "承办部门",
    "overdue": "是否超期",
    "due_within": "期限在几个工作日内",
    "q": "关键词",
    "registered_from": "登记日期起",
    "registered_to": "登记日期止",
    "cursor": "页码",
    "name": "名称",
    "query": "筛选条件",
}
PAGE_SIZE = 50
# An export holds at most this many cases (the list's own pages, read one after another).
EXPORT_AT_MOST = 5_000
MAX_DUE_WITHIN = 60


class DeskListQuery(RequestBody):
    """The console list's filters: the API's, and "due within N working days"."""

    due_within: Integer | None = Field(default=None, ge=1, le=MAX_DUE_WITHIN)


class SavedFilterBody(RequestBody):
    """A filter to save under a name."""

    name: str = Field(min_length=1, max_length=40)
    query: str = Field(default="", max_length=1_000)


def _filters(params: QueryParams) -> dict[str, str]:
    """The filters given, without the empty ones."""
    return {name: params[name].strip() for name in FILTERS if params.get(name, "").strip()}


async def _criteria(
    container: ContainerDep, given: dict[str, str], cursor: str | None, today: date
) -> CaseListQuery | list[str]:
    """The API's list query for the filters; "due within N" becomes a due-date range from
    `today` to the Nth working day after it, on the working calendar."""
    extra = read_form(DeskListQuery, {k: v for k, v in given.items() if k == "due_within"}, FIELDS)
    if isinstance(extra, list):
        return extra
    values: dict[str, Any] = {k: v for k, v in given.items() if k != "due_within"}
    if extra.due_within is not None:
        calendar = await run_in_threadpool(container.current_calendar)
        values["due_from"] = today.isoformat()
        values["due_to"] = calendar.nth_working_day_after(today, extra.due_within).isoformat()
    if cursor:
        values["cursor"] = cursor
    return read_form(CaseListQuery, {**values, "limit": PAGE_SIZE}, FIELDS)


@router.get("", response_class=HTMLResponse)
async def case_list(
    request: Request, person: CentrePersonDep, container: ContainerDep, moment: MomentDep
) -> HTMLResponse:
    """Cases newest first, filtered, a page at a time; saved filters beside them."""
    given = _filters(request.query_params)
    cursor = request.query_params.get("cursor")
    query = await _criteria(container, given, cursor, day_of(moment.at))
    saved = await container.saved_filters.of_account(person.account_id)
    directory = await run_in_threadpool(container.supervision.directory)
    context: dict[str, Any] = {
        "moment": moment,
        "given": given,
        # What the pages, the export and (now: the past has no writes) a saved filter keep.
        "query_string": urlencode({**given, **moment.query}),
        "saved": saved,
        "statuses": LABELS["status"],
        "kinds": LABELS["kind"],
        "departments": directory.departments,
        "names": directory.department_names,
        "cases": [],
        "next": None,
        "problems": [],
    }
    if isinstance(query, list):
        context["problems"] = query
        return render(
            request, "desk/case_list.html", context, person=shown(person), status_code=422
        )
    page = await centre_cases(
        moment.of(container.queries),
        query.criteria(),
        person.role,
        query.limit,
        moment.at,
        query.cursor,
        after=moment.after(),
    )
    context.update(cases=moment.checked(page).items, next=page.next)
    return render(request, "desk/case_list.html", context, person=shown(person))


@router.get("/export.xlsx", response_class=Response)
async def export_case_list(
    request: Request, person: CentrePersonDep, container: ContainerDep, moment: MomentDep
) -> Response:
    """The filtered list as an Excel workbook (every page, up to EXPORT_AT_MOST cases)."""
    given = _filters(request.query_params)
    query = await _criteria(container, given, None, day_of(moment.at))
    if isinstance(query, list):
        return problems_back_to(request, f"{LIST}?{urlencode({**given, **moment.query})}", query)
    now = moment.now
    queries = moment.of(container.queries)
    cases: list[CaseSummary] = []
    cursor: str | None = None
    while len(cases) < EXPORT_AT_MOST:
        limit = min(200, EXPORT_AT_MOST - len(cases))
        page = await centre_cases(
            queries, query.criteria(), person.role, limit, moment.at, cursor, after=moment.after()
        )
        cases.extend(moment.checked(page).items)
        cursor = page.next
        if cursor is None:
            break
    directory = await run_in_threadpool(container.supervision.directory)
    exported = f"导出于 {now.astimezone(OFFICE_TZ):%Y-%m-%d %H:%M}"
    if moment.past is not None:
        exported = f"历史时点 {moment.at.astimezone(OFFICE_TZ):%Y-%m-%d %H:%M}，{exported}"
    title = f"工单列表（{exported}）"
    workbook = case_list_xlsx(title, cases, directory.department_names)
    filename = f"cases-{now.astimezone(OFFICE_TZ):%Y%m%d-%H%M}.xlsx"
    return Response(
        workbook,
        media_type=MEDIA_TYPES["xlsx"],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/filters", response_class=RedirectResponse)
async def save_filter(
    request: Request, form: CsrfFormDep, person: CentrePersonDep, container: ContainerDep
) -> RedirectResponse:
    """Save the list's current filters under a name (replacing one of the same name)."""
    body = read_form(
        SavedFilterBody,
        {"name": form_text(form, "name") or "", "query": form_text(form, "query") or ""},
        FIELDS,
    )
    if isinstance(body, list):
        return problems_back_to(request, LIST, body)
    given = _filters(QueryParams(body.query))
    today = day_of(container.supervision.time_source.now())
    if isinstance(await _criteria(container, given, None, today), list):
        return back_to(request, LIST, error_message("invalid_request"), refused=True)
    query = urlencode(given)
    try:
        await container.saved_filters.save(
            person.account_id, body.name, query, at=container.supervision.time_source.now()
        )
    except TooManySavedFilters as refused:
        return back_to(request, f"{LIST}?{query}", error_message(refused.code), refused=True)
    return back_to(request, f"{LIST}?{query}", f"已保存筛选条件“{body.name}”。", refused=False)


@router.post("/filters/delete", response_class=RedirectResponse)
async def delete_filter(
    request: Request, form: CsrfFormDep, person: CentrePersonDep, container: ContainerDep
) -> RedirectResponse:
    """Forget one of the person's saved filters."""
    body = read_form(SavedFilterBody, {"name": form_text(form, "name") or ""}, FIELDS)
    if isinstance(body, list):
        return problems_back_to(request, LIST, body)
    if not await container.saved_filters.delete(person.account_id, body.name):
        return back_to(request, LIST, f"没有名为“{body.name}”的筛选条件。", refused=True)
    return back_to(request, LIST, f"已删除筛选条件“{body.name}”。", refused=False)
