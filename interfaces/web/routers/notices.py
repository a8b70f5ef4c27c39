"""Notices (通报, §15) as pages: the public list and notice, and the inspector's list (drafts
first), the form that publishes one, a draft's page (edit, publish) and the withdrawal.

Each form is read into the API's own request schema and runs the same application verb as the
API's route, off the event loop, as the person who signed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from application.ports import ConsoleSession
from application.supervision import Supervision
from domain.labels import LABELS
from interfaces.http import commands
from interfaces.http.deps import (
    CaseQueriesDep,
    ContainerDep,
    PublicClientDep,
    SupervisionDep,
)
from interfaces.http.schemas.notices import NoticeCreate, NoticeEdit, NoticeListQuery
from interfaces.http.schemas.public import TRACKING_NUMBER
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import form_text, read_reason, shown
from interfaces.web.forms import as_typed, read_form
from interfaces.web.new_records import NewRecordForm
from interfaces.web.record_actions import FormAgain, act_on_record
from interfaces.web.routers import page_router
from interfaces.web.session import InspectorPersonDep, acting
from interfaces.web.templating import render

router = page_router()

CONSOLE_LIST = "/console/notices"
# Subjects that staff name by their tracking number (HL20261127-0001, ZG20261127-0001).
TASK_SUBJECTS = ("case", "order")
TRACKING_NUMBER_TYPED = re.compile(TRACKING_NUMBER)
NOTICE_PAGE = "/console/notices/{notice_id}"
PAGE_SIZE = 20
# The form's fields: the API's field → the form's accessible name.
NAMES = {
    "title": "标题",
    "text": "正文",
    "kind": "类型",
    "subject": "对象",
    "subject.type": "对象类型",
    "subject.id": "对象",
    "reason": "撤回理由",
}
REFUSED_HINT = "请刷新页面，按通报当前状态重新操作。"


def _words(form: FormData) -> dict[str, Any]:
    """A notice form's title, text and kind, as the API's schema takes them."""
    return {name: text for name in ("title", "text", "kind") if (text := form_text(form, name))}


# The public pages --------------------------------------------------------------------------


@router.get("/notices", response_class=HTMLResponse)
async def public_notices(
    request: Request,
    query: Annotated[NoticeListQuery, Query()],
    container: ContainerDep,
    _: PublicClientDep,
) -> HTMLResponse:
    """Published notices newest first, withdrawn ones marked (已撤回), a page at a time."""
    page = await container.notices.list_notices(
        drafts=False, limit=PAGE_SIZE, cursor=query.cursor, after=None
    )
    return render(request, "public/notices.html", {"notices": page.items, "next": page.next})


@router.get("/notices/{notice_id:uuid}", response_class=HTMLResponse)
async def public_notice(
    request: Request, notice_id: UUID, app: SupervisionDep, _: PublicClientDep
) -> HTMLResponse:
    """One published or withdrawn notice; a draft is not found."""
    notice = await run_in_threadpool(app.get_notice, notice_id)
    return render(request, "public/notice.html", {"notice": notice})


# The inspector's pages ---------------------------------------------------------------------


@router.get(CONSOLE_LIST, response_class=HTMLResponse)
async def notice_list(
    request: Request,
    person: InspectorPersonDep,
    container: ContainerDep,
    query: Annotated[NoticeListQuery, Query()],
) -> HTMLResponse:
    """The drafts waiting for an inspector, then the published notices (a page at a time)."""
    drafts = await container.notices.list_notices(
        drafts=True, limit=PAGE_SIZE, cursor=None, after=None
    )
    public = await container.notices.list_notices(
        drafts=False, limit=PAGE_SIZE, cursor=query.cursor, after=None
    )
    return render(
        request,
        "notices/list.html",
        {"drafts": drafts.items, "notices": public.items, "next": public.next},
        person=shown(person),
    )


async def _new_form_context(app: Supervision) -> dict[str, Any]:
    """What the publish form offers: the kinds, the subjects, the directory to name one."""
    return {
        "kinds": LABELS["notice_kind"],
        "subject_types": LABELS["notice_subject"],
        "directory": await run_in_threadpool(app.directory),
    }


def _new_form(request: Request, person: ConsoleSession, app: Supervision) -> NewRecordForm:
    return NewRecordForm(request, person, "notices/new.html", partial(_new_form_context, app))


@router.get(f"{CONSOLE_LIST}/new", response_class=HTMLResponse)
async def new_notice(
    request: Request,
    person: InspectorPersonDep,
    app: SupervisionDep,
    subject_type: Annotated[str | None, Query(max_length=20)] = None,
    subject_id: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    """The form that publishes a notice (发布通报); `?subject_type=&subject_id=` fill it."""
    values = {"subject_type": subject_type or "", "subject_id": subject_id or ""}
    return await _new_form(request, person, app).page(values)


@router.post(f"{CONSOLE_LIST}/new", response_class=HTMLResponse, response_model=None)
async def publish_notice(
    request: Request,
    form: CsrfFormDep,
    person: InspectorPersonDep,
    app: SupervisionDep,
    queries: CaseQueriesDep,
) -> HTMLResponse | RedirectResponse:
    """Publish the notice as the signed-in inspector, then show it; a case or an order may be
    named by its tracking number, as staff know it."""
    typed = as_typed(form)
    subject = {
        name: text
        for name in ("type", "id")
        if (text := form_text(form, f"subject_{name}")) is not None
    }
    if subject.get("type") in TASK_SUBJECTS and TRACKING_NUMBER_TYPED.match(subject.get("id", "")):
        found = await queries.task_id_of(subject["id"])
        subject["id"] = str(found) if found is not None else subject["id"]
    return await _new_form(request, person, app).submit(
        typed,
        read_form(NoticeCreate, {**_words(form), "subject": subject}, NAMES),
        lambda body: commands.publish_notice(app, body, acting(request, person)),
        lambda notice: (NOTICE_PAGE.format(notice_id=notice.id), "已发布通报。"),
    )


async def _render_notice(
    request: Request,
    person: Any,
    app: Supervision,
    notice_id: UUID,
    values: dict[str, Any] | None = None,
    problems: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    notice = await run_in_threadpool(app.get_notice, notice_id, acting(request, person))
    return render(
        request,
        "notices/page.html",
        {
            "notice": notice,
            "values": values or {"title": notice.title, "text": notice.text, "kind": notice.kind},
            "kinds": LABELS["notice_kind"],
            "problems": problems or [],
        },
        person=shown(person),
        status_code=status_code,
    )


@router.get(f"{CONSOLE_LIST}/{{notice_id:uuid}}", response_class=HTMLResponse)
async def notice_page(
    request: Request, notice_id: UUID, person: InspectorPersonDep, app: SupervisionDep
) -> HTMLResponse:
    """One notice: a draft to edit and publish, or a published one to withdraw."""
    return await _render_notice(request, person, app, notice_id)


async def _act_on_notice(
    request: Request,
    person: Any,
    app: Supervision,
    notice_id: UUID,
    form: FormData,
    action: str,
    body: BaseModel | list[str],
    run: Callable[[Any], object],
    done: str,
) -> HTMLResponse | RedirectResponse:
    """Run one of the notice page's forms (`body` as read, or what is wrong with it), then
    back to the page saying `done`; a refusal shows the page again with a draft's words as
    typed."""

    async def read() -> BaseModel | list[str]:
        return body

    async def page_again(again: FormAgain) -> HTMLResponse:
        typed = as_typed(again.values)
        words = typed if "title" in typed else None
        return await _render_notice(
            request, person, app, notice_id, words, again.problems, again.status_code
        )

    return await act_on_record(
        request,
        action,
        form,
        read=read,
        run=run,
        page_again=page_again,
        refused_hint=REFUSED_HINT,
        after=NOTICE_PAGE.format(notice_id=notice_id),
        done=done,
    )


@router.post(f"{CONSOLE_LIST}/{{notice_id:uuid}}", response_class=HTMLResponse, response_model=None)
async def edit_or_publish_draft(
    request: Request,
    notice_id: UUID,
    form: CsrfFormDep,
    person: InspectorPersonDep,
    app: SupervisionDep,
) -> HTMLResponse | RedirectResponse:
    """Save a draft's words (保存草稿), or publish it with them (发布通报)."""
    actor, publishing = acting(request, person), form.get("action") == "publish"

    def run(body: NoticeEdit) -> object:
        if publishing:
            return app.publish_draft(notice_id, actor, edited=(body.title, body.text, body.kind))
        return app.edit_notice(
            notice_id, title=body.title, text=body.text, kind=body.kind, by=actor
        )

    return await _act_on_notice(
        request,
        person,
        app,
        notice_id,
        form,
        "publish" if publishing else "edit",
        read_form(NoticeEdit, _words(form), NAMES),
        run,
        "已发布通报。" if publishing else "已保存草稿。",
    )


@router.post(
    f"{CONSOLE_LIST}/{{notice_id:uuid}}/withdraw", response_class=HTMLResponse, response_model=None
)
async def withdraw_notice(
    request: Request,
    notice_id: UUID,
    form: CsrfFormDep,
    person: InspectorPersonDep,
    app: SupervisionDep,
) -> HTMLResponse | RedirectResponse:
    """Withdraw a published notice with the reason (撤回通报)."""
    actor = acting(request, person)
    return await _act_on_notice(
        request,
        person,
        app,
        notice_id,
        form,
        "withdraw",
        read_reason(form, NAMES),
        lambda body: app.withdraw_notice(notice_id, reason=body.reason, by=actor),
        "已撤回通报，公开列表中标注为已撤回。",
    )
