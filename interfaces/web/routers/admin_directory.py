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

from application.directory import DirectoryImport
from application.supervision import Supervision
from domain.actor import Actor
from domain.directory import DirectorySpec
from domain.reorganisation import Holding, OpenWorkLeftBehind
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
    """Import the uploaded directory file (导入目录). A file that would leave open cases or
    orders with nobody is refused naming each entry and its open work."""
    held: list[str] = []

    def record(spec: DirectorySpec, by: Actor) -> DirectoryImport:
        try:
            return app.import_directory(spec, by)
        except OpenWorkLeftBehind as refused:
            held.extend(_held_line(holding, app) for holding in refused.holdings)
            raise

    return await _import(
        request,
        form,
        person,
        parse_directory_file,
        record,
        "admin/directory.html",
        _directory(app),
        DIRECTORY_PAGE,
        lambda spec, result: (
            f"已导入：{len(spec.departments)} 个部门、{len(spec.windows)} 个窗口、"
            f"{len(spec.staff)} 名工作人员，记录 {result.changes} 项变更。"
            + (f"{result.handed_over} 件在办事项已移交承接部门。" if result.handed_over else "")
        ),
        held,
    )


# Reorganisation (机构改革): what each entry a refused file drops still has open.
_KINDS = {"department": "部门", "window": "窗口", "staff": "工作人员"}


def _held_line(holding: Holding, app: Supervision) -> str:
    """`部门 不动产登记中心（real-estate-registration）仍有未办结事项：HL…、ZG…`"""
    directory = app.directory()
    entry = {
        "department": directory.department,
        "window": directory.window,
        "staff": directory.staff_member,
    }[holding.kind](holding.id)
    name = f"{entry.name}（{holding.id}）" if entry is not None else holding.id
    return f"{_KINDS[holding.kind]} {name} 仍有未办结事项：{'、'.join(holding.work)}"


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
            # Reorganisation: the retired departments, and the department each went to.
            "retired": directory.retired_departments,
            "named": directory.department_names,
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
    details: list[str] | None = None,
) -> Response:
    """Record the uploaded file as `parse` reads it, by this person; then back to `page` saying
    what was recorded, or `template` again (422) with every problem of the refused file (and
    the `details` a refusal left, line by line)."""
    by = acting(request, person)
    outcome = await imported(form, parse, lambda parsed: record(parsed, by))
    if isinstance(outcome, list):
        outcome = [*outcome, *(details or [])]
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
