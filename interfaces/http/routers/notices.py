"""Routes on notices (通报, §15): inspectors publish, edit drafts and withdraw; anyone reads
what is published (withdrawn notices stay listed, marked so), without signing in."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, status

from interfaces.http import commands
from interfaces.http.deps import (
    ContainerDep,
    InspectorDep,
    SupervisionDep,
    within_public_rate_limit,
)
from interfaces.http.responses import (
    COMMAND,
    COMMAND_ON_A_RECORD,
    COMMAND_ON_A_RECORD_WITHOUT_BODY,
    ONE_RECORD,
    RATE_LIMITED,
    SOME_ROLES,
    VALIDATED,
)
from interfaces.http.schemas.cases import Reason
from interfaces.http.schemas.notices import (
    NoticeCreate,
    NoticeEdit,
    NoticeList,
    NoticeListQuery,
    NoticePublic,
)

router = APIRouter(prefix="/notices", tags=["notices"])
# Drafts have a path of their own, so that no word under /notices is taken for a notice's id.
drafts_router = APIRouter(prefix="/notice-drafts", tags=["notices"])
PUBLIC = {"dependencies": [Depends(within_public_rate_limit)]}


@router.post("", status_code=status.HTTP_201_CREATED, responses={**COMMAND, **SOME_ROLES})
def publish_notice(body: NoticeCreate, app: SupervisionDep, actor: InspectorDep) -> NoticePublic:
    """Publish a notice about a department, window, staff member, case or order (发布通报)."""
    return NoticePublic.of(commands.publish_notice(app, body, actor))


@router.get("", responses={**RATE_LIMITED, **VALIDATED}, **PUBLIC)
async def list_notices(
    query: Annotated[NoticeListQuery, Query()], container: ContainerDep
) -> NoticeList:
    """Published notices newest first, withdrawn ones marked (已撤回); public, no sign-in."""
    page = await container.notices.list_notices(
        drafts=False, limit=query.limit, cursor=query.cursor, after=query.after
    )
    return NoticeList.of(page)


@drafts_router.get("", responses={**SOME_ROLES, **VALIDATED})
async def list_notice_drafts(
    query: Annotated[NoticeListQuery, Query()], container: ContainerDep, actor: InspectorDep
) -> NoticeList:
    """Drafts newest first (inspectors): those the 5-day supervision flag proposed."""
    page = await container.notices.list_notices(
        drafts=True, limit=query.limit, cursor=query.cursor, after=query.after
    )
    return NoticeList.of(page)


@router.get("/{notice_id}", responses={**ONE_RECORD, **RATE_LIMITED}, **PUBLIC)
def get_notice(notice_id: UUID, app: SupervisionDep) -> NoticePublic:
    """One published (or withdrawn) notice; public, no sign-in. A draft is not found."""
    return NoticePublic.of(app.get_notice(notice_id))


@router.patch("/{notice_id}", responses={**COMMAND_ON_A_RECORD, **SOME_ROLES})
def edit_notice(
    notice_id: UUID, body: NoticeEdit, app: SupervisionDep, actor: InspectorDep
) -> NoticePublic:
    """Change a draft's title, text and kind before publishing it."""
    return NoticePublic.of(
        app.edit_notice(notice_id, title=body.title, text=body.text, kind=body.kind, by=actor)
    )


@router.post("/{notice_id}/publish", responses={**COMMAND_ON_A_RECORD_WITHOUT_BODY, **SOME_ROLES})
def publish_draft(notice_id: UUID, app: SupervisionDep, actor: InspectorDep) -> NoticePublic:
    """Publish a draft as it stands (发布通报)."""
    return NoticePublic.of(app.publish_draft(notice_id, actor))


@router.post("/{notice_id}/withdraw", responses={**COMMAND_ON_A_RECORD, **SOME_ROLES})
def withdraw_notice(
    notice_id: UUID, body: Reason, app: SupervisionDep, actor: InspectorDep
) -> NoticePublic:
    """Withdraw a published notice with the reason (撤回通报); it stays listed, marked so."""
    return NoticePublic.of(app.withdraw_notice(notice_id, reason=body.reason, by=actor))
