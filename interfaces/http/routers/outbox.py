"""Routes on the notifications' outbox (外发消息, §17): administrators see what was sent to
whom and send a dead message again."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from interfaces.http.deps import AdminDep, CentreDep, ContainerDep
from interfaces.http.responses import ONE_RECORD, SOME_ROLES, VALIDATED, refusals
from interfaces.http.schemas.outbox import (
    CaseNotifications,
    OutboxList,
    OutboxMessageDetail,
    OutboxQuery,
)

router = APIRouter(prefix="/outbox", tags=["outbox"], responses=SOME_ROLES)
# What was sent about a case: its internal timeline's notifications, for the centre.
case_router = APIRouter(prefix="/cases", tags=["outbox"], responses=SOME_ROLES)


@router.get("", responses=VALIDATED)
async def list_outbox(
    query: Annotated[OutboxQuery, Query()], container: ContainerDep, actor: AdminDep
) -> OutboxList:
    """Notifications newest first, of one `state` if named (administrators)."""
    page = await container.outbox.list_messages(
        state=query.state, limit=query.limit, cursor=query.cursor
    )
    return OutboxList.of(page)


@router.get("/{message_id}", responses=ONE_RECORD)
async def get_outbox_message(
    message_id: UUID, container: ContainerDep, actor: AdminDep
) -> OutboxMessageDetail:
    """One notification with every attempt at delivering it (administrators)."""
    return OutboxMessageDetail.of(await container.outbox.get_message(message_id))


@router.post("/{message_id}/resend", responses=refusals(404, 409, 410, 422))
async def resend_outbox_message(
    message_id: UUID, container: ContainerDep, actor: AdminDep
) -> OutboxMessageDetail:
    """Send a dead notification again (重新发送): back to `pending` with the same
    idempotency key, its attempts counted on; 409 `outbox_message_not_dead` unless dead,
    410 `outbox_message_erased` once the complainant's personal data was erased."""
    await run_in_threadpool(container.outbox.resend, message_id)
    return OutboxMessageDetail.of(await container.outbox.get_message(message_id))


@case_router.get("/{case_id}/notifications", responses=ONE_RECORD)
async def list_case_notifications(
    case_id: UUID, container: ContainerDep, actor: CentreDep
) -> CaseNotifications:
    """What was sent (or is to be sent) about the case, to whom, and whether it arrived,
    oldest first (operators and inspectors): a citizen's phone masked, their code masked."""
    await run_in_threadpool(container.supervision.get_case, case_id, actor)  # 404 if none
    messages = await container.outbox.messages_of_case(case_id)
    return CaseNotifications.of(messages)
