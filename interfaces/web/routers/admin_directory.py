"""The administrator's directory page (§12): the centre's departments, windows and staff,
and an import from a file in the format of `oversight directory import`, read by the same
reader: every problem of a refused file listed by its line, and nothing of it imported."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from interfaces.bootstrap import parse_directory_file
from interfaces.http.deps import SupervisionDep
from interfaces.web.admin import admin_router, imported
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import back_to, shown
from interfaces.web.session import AdminPersonDep, acting
from interfaces.web.templating import render

router = admin_router("directory")

PAGE = "/console/admin/directory"


@router.get("", response_class=HTMLResponse)
async def directory_page(
    request: Request, person: AdminPersonDep, app: SupervisionDep
) -> HTMLResponse:
    """The departments, windows and staff on record, and the import form."""
    return await _page(request, person, app, [])


@router.post("/import", response_class=HTMLResponse, response_model=None)
async def import_directory(
    request: Request, form: CsrfFormDep, person: AdminPersonDep, app: SupervisionDep
) -> Response:
    """Import the uploaded directory file (导入); the same file twice records nothing."""
    by = acting(request, person)
    outcome = await imported(
        form, parse_directory_file, lambda spec: app.import_directory(spec, by)
    )
    if isinstance(outcome, list):
        return await _page(request, person, app, outcome, status_code=422)
    spec, result = outcome
    done = (
        f"已导入：{len(spec.departments)} 个部门、{len(spec.windows)} 个窗口、"
        f"{len(spec.staff)} 名工作人员，记录 {result.changes} 项变更。"
    )
    return back_to(request, PAGE, done, refused=False)


async def _page(
    request: Request,
    person: AdminPersonDep,
    app: SupervisionDep,
    problems: list[str],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    directory = await run_in_threadpool(app.directory)
    return render(
        request,
        "admin/directory.html",
        {
            "directory": directory,
            "departments": {d.id: d.name for d in directory.departments},
            "windows": {w.id: w.name for w in directory.windows},
            "problems": problems,
        },
        person=shown(person),
        status_code=status_code,
    )
