"""The administrator's directory and conduct catalogue pages (§6, §12): the departments,
windows and staff on record, the rules in force (code, text, points), and for each an import
from a file in the format of `oversight directory import` or `oversight rules load`, read by
the same reader: every problem of a refused file listed by its line, and nothing of it
recorded. Importing the same file again records nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from application.supervision import Supervision
from domain.actor import Actor
from interfaces.bootstrap import parse_conduct_file, parse_directory_file
from interfaces.http.deps import SupervisionDep
from interfaces.web.admin import admin_router, answer_import, imported
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import shown
from interfaces.web.session import AdminPersonDep, acting
from interfaces.web.templating import render

router = admin_router()

DIRECTORY_PAGE = "/console/admin/directory"
# What a page shows, read off the event loop.
Reading = Callable[[], dict[str, Any]]
RULES_PAGE = "/console/admin/conduct-rules"


@router.get("/directory", response_class=HTMLResponse)
async def directory_page(
    request: Request, person: AdminPersonDep, app: SupervisionDep
) -> HTMLResponse:
    """The departments, windows and staff on record, and the import form."""
    return await _page(request, person, "admin/directory.html", _directory(app), [])


@router.post("/directory/import", response_class=HTMLResponse, response_model=None)
async def import_directory(
    request: Request, form: CsrfFormDep, person: AdminPersonDep, app: SupervisionDep
) -> Response:
    """Import the uploaded directory file (导入目录)."""
    return await _import(
        request,
        form,
        person,
        parse_directory_file,
        app.import_directory,
        "admin/directory.html",
        _directory(app),
        DIRECTORY_PAGE,
        lambda spec, result: (
            f"已导入：{len(spec.departments)} 个部门、{len(spec.windows)} 个窗口、"
            f"{len(spec.staff)} 名工作人员，记录 {result.changes} 项变更。"
        ),
    )


@router.get("/conduct-rules", response_class=HTMLResponse)
async def conduct_rules_page(
    request: Request, person: AdminPersonDep, app: SupervisionDep
) -> HTMLResponse:
    """The conduct catalogue in force, and the import form."""
    return await _page(request, person, "admin/conduct_rules.html", _rules(app), [])


@router.post("/conduct-rules/import", response_class=HTMLResponse, response_model=None)
async def import_conduct_rules(
    request: Request, form: CsrfFormDep, person: AdminPersonDep, app: SupervisionDep
) -> Response:
    """Load the uploaded catalogue (导入扣分事项)."""
    return await _import(
        request,
        form,
        person,
        parse_conduct_file,
        app.load_conduct_rules,
        "admin/conduct_rules.html",
        _rules(app),
        RULES_PAGE,
        lambda _, loaded: f"已导入 {loaded.rules} 条扣分事项，记录 {loaded.changes} 项变更。",
    )


def _directory(app: Supervision) -> Reading:
    def read() -> dict[str, Any]:
        directory = app.directory()
        return {
            "directory": directory,
            "departments": {d.id: d.name for d in directory.departments},
            "windows": {w.id: w.name for w in directory.windows},
        }

    return read


def _rules(app: Supervision) -> Reading:
    return lambda: {"rules": app.list_conduct_rules()}


async def _import(
    request: Request,
    form: FormData,
    person: AdminPersonDep,
    parse: Callable[[str, str], Any],
    record: Callable[[Any, Actor], Any],
    template: str,
    read: Reading,
    page: str,
    said: Callable[[Any, Any], str],
) -> Response:
    """Record the uploaded file as `parse` reads it, by this person; then back to `page` saying
    what was recorded, or `template` again (422) with every problem of the refused file."""
    by = acting(request, person)
    outcome = await imported(form, parse, lambda parsed: record(parsed, by))
    return await answer_import(
        request,
        outcome,
        lambda problems: _page(request, person, template, read, problems, status_code=422),
        page,
        said,
    )


async def _page(
    request: Request,
    person: AdminPersonDep,
    template: str,
    read: Reading,
    problems: list[str],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    context = await run_in_threadpool(read)
    return render(
        request,
        template,
        {**context, "problems": problems},
        person=shown(person),
        status_code=status_code,
    )
