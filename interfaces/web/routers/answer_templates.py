"""The department's answer templates (`/console/templates`, §13): its answers per category of
case, created, edited and retired with the API's own verbs and request schemas; the result
form on the case page offers them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from application.ports import ConsoleSession
from application.supervision import Supervision
from domain.case import CATEGORIES
from interfaces.http.deps import SupervisionDep
from interfaces.http.schemas.answer_templates import AnswerTemplateCreate, AnswerTemplateEdit
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import run_and_go_back
from interfaces.web.forms import read_form
from interfaces.web.people import shown_person
from interfaces.web.record_actions import FormAgain, act_on_record
from interfaces.web.routers import page_router
from interfaces.web.session import DepartmentPersonDep, acting
from interfaces.web.templating import render

router = page_router("/console/templates")

PAGE = "/console/templates"
# The form's fields by their accessible names, as a refusal names them.
FIELDS = {"category": "分类", "title": "模板标题", "text": "模板内容"}


@router.get("", response_class=HTMLResponse)
async def templates_page(
    request: Request, person: DepartmentPersonDep, app: SupervisionDep
) -> HTMLResponse:
    """The department's live templates by category, with the forms to add, edit and retire."""
    return await _page(request, person, app)


@router.post("", response_class=HTMLResponse, response_model=None)
async def create_template(
    request: Request, form: CsrfFormDep, person: DepartmentPersonDep, app: SupervisionDep
) -> HTMLResponse | RedirectResponse:
    """Add a template (新增模板)."""
    return await _run(
        request,
        person,
        app,
        form,
        AnswerTemplateCreate,
        None,
        "已新增答复模板。",
        lambda body, by: app.create_answer_template(
            _department(person), category=body.category, title=body.title, text=body.text, by=by
        ),
    )


@router.post("/{template_id}/edit", response_class=HTMLResponse, response_model=None)
async def edit_template(
    request: Request,
    template_id: UUID,
    form: CsrfFormDep,
    person: DepartmentPersonDep,
    app: SupervisionDep,
) -> HTMLResponse | RedirectResponse:
    """Change a template's category, title and text (保存修改)."""
    return await _run(
        request,
        person,
        app,
        form,
        AnswerTemplateEdit,
        template_id,
        "已修改答复模板。",
        lambda body, by: app.edit_answer_template(
            _department(person),
            template_id,
            category=body.category,
            title=body.title,
            text=body.text,
            by=by,
        ),
    )


@router.post("/{template_id}/retire", response_class=RedirectResponse)
async def retire_template(
    request: Request,
    template_id: UUID,
    _: CsrfFormDep,
    person: DepartmentPersonDep,
    app: SupervisionDep,
) -> RedirectResponse:
    """Offer a template no more (停用)."""
    by = acting(request, person)
    return await run_and_go_back(
        request,
        PAGE,
        lambda: app.retire_answer_template(_department(person), template_id, by=by),
        lambda _: "已停用答复模板。",
    )


def _department(person: ConsoleSession) -> str:
    # A department account always names its department (domain/account.py).
    return str(person.department)


def _values(form: FormData) -> dict[str, Any]:
    """The form's fields as the schema takes them; a field left out stays out, to be named."""
    return {name: form.get(name) for name in FIELDS if form.get(name) is not None}


async def _run(
    request: Request,
    person: ConsoleSession,
    app: Supervision,
    form: FormData,
    schema: type[AnswerTemplateCreate],
    template_id: UUID | None,
    done: str,
    command: Callable[[Any, Any], object],
) -> HTMLResponse | RedirectResponse:
    """Read the form into the API's schema and run the verb; a refusal shows the page again
    with the form as typed and what was wrong, in Chinese."""
    by = acting(request, person)

    async def read() -> BaseModel | list[str]:
        return read_form(schema, _values(form), FIELDS)

    async def page_again(again: FormAgain) -> HTMLResponse:
        return await _page(
            request,
            person,
            app,
            values=dict(again.values),
            problems=again.problems,
            editing=template_id,
            status_code=again.status_code,
        )

    return await act_on_record(
        request,
        "edit" if template_id else "create",
        form,
        read=read,
        run=lambda body: command(body, by),
        page_again=page_again,
        refused_hint="",
        after=PAGE,
        done=done,
    )


async def _page(
    request: Request,
    person: ConsoleSession,
    app: Supervision,
    *,
    values: dict[str, Any] | None = None,
    problems: list[str] | None = None,
    editing: UUID | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    by = acting(request, person)
    templates = await run_in_threadpool(app.answer_templates, _department(person), by)
    by_category = [
        (category, [t for t in templates if t.category == category]) for category in CATEGORIES
    ]
    return render(
        request,
        "department/templates.html",
        {
            "by_category": [(category, kept) for category, kept in by_category if kept],
            "categories": CATEGORIES,
            "values": values or {},
            "problems": problems,
            "editing": editing,
            "creating": problems is not None and editing is None,
        },
        person=await shown_person(request, person),
        status_code=status_code,
    )
