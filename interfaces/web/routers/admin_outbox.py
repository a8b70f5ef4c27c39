"""The administrator's outbox page (外发消息, §17): the notifications sent and to be sent,
filtered by state, a message with its attempts, and 重新发送 for a dead one."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from domain.labels import LABELS
from interfaces.http.deps import ContainerDep
from interfaces.http.schemas.outbox import OutboxQuery
from interfaces.web.admin import admin_router
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import run_and_go_back, shown
from interfaces.web.session import AdminPersonDep
from interfaces.web.templating import render

router = admin_router("outbox")

PAGE = "/console/admin/outbox"
PAGE_SIZE = 50


@router.get("", response_class=HTMLResponse)
async def outbox_page(
    request: Request,
    person: AdminPersonDep,
    container: ContainerDep,
    query: Annotated[OutboxQuery, Query()],
) -> HTMLResponse:
    """The notifications newest first, of the state chosen (all when none is)."""
    page = await container.outbox.list_messages(
        state=query.state, limit=min(query.limit, PAGE_SIZE), cursor=query.cursor
    )
    return render(
        request,
        "admin/outbox.html",
        {
            "messages": page.items,
            "next": page.next,
            "given": {"state": query.state or ""},
            "states": list(LABELS["outbox_state"].items()),
        },
        person=shown(person),
    )


@router.get("/{message_id}", response_class=HTMLResponse)
async def outbox_message_page(
    request: Request, message_id: UUID, person: AdminPersonDep, container: ContainerDep
) -> HTMLResponse:
    """One notification: to whom, what, its state and every attempt at delivering it."""
    message = await container.outbox.get_message(message_id)
    return render(request, "admin/outbox_message.html", {"message": message}, person=shown(person))


@router.post("/{message_id}/resend", response_class=RedirectResponse)
async def resend_message(
    request: Request,
    message_id: UUID,
    form: CsrfFormDep,
    person: AdminPersonDep,
    container: ContainerDep,
) -> RedirectResponse:
    """Send a dead notification again (重新发送), with the same idempotency key."""
    return await run_and_go_back(
        request,
        f"{PAGE}/{message_id}",
        lambda: container.outbox.resend(message_id),
        lambda _: "已重新加入发送队列。",
    )
