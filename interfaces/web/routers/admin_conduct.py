"""The administrator's conduct catalogue page (§6): the rules in force (code, text, points),
and an import from a file in the format of `oversight rules load`, read by the same reader:
every problem of a refused file listed by its line, and nothing of it loaded."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from interfaces.bootstrap import parse_conduct_file
from interfaces.http.deps import SupervisionDep
from interfaces.web.admin import admin_router, imported
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import back_to, shown
from interfaces.web.session import AdminPersonDep, acting
from interfaces.web.templating import render

router = admin_router("conduct-rules")

PAGE = "/console/admin/conduct-rules"


@router.get("", response_class=HTMLResponse)
async def conduct_rules_page(
    request: Request, person: AdminPersonDep, app: SupervisionDep
) -> HTMLResponse:
    """The conduct catalogue in force, and the import form."""
    return await _page(request, person, app, [])


@router.post("/import", response_class=HTMLResponse, response_model=None)
async def import_conduct_rules(
    request: Request, form: CsrfFormDep, person: AdminPersonDep, app: SupervisionDep
) -> Response:
    """Load the uploaded catalogue (导入); the same file twice records nothing."""
    by = acting(request, person)
    outcome = await imported(
        form, parse_conduct_file, lambda rules: app.load_conduct_rules(rules, by)
    )
    if isinstance(outcome, list):
        return await _page(request, person, app, outcome, status_code=422)
    _, loaded = outcome
    done = f"已导入 {loaded.rules} 条扣分事项，记录 {loaded.changes} 项变更。"
    return back_to(request, PAGE, done, refused=False)


async def _page(
    request: Request,
    person: AdminPersonDep,
    app: SupervisionDep,
    problems: list[str],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    rules = await run_in_threadpool(app.list_conduct_rules)
    return render(
        request,
        "admin/conduct_rules.html",
        {"rules": rules, "problems": problems},
        person=shown(person),
        status_code=status_code,
    )
