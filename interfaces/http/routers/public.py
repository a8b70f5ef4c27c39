"""Routes anyone may call, without signing in; each is limited per client (§9)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from application.public_status import CaseStatusNotFound
from interfaces.http.deps import PublicClientDep, PublicStatusDep, within_public_rate_limit
from interfaces.http.errors import error_body
from interfaces.http.responses import COMMAND, RATE_LIMITED, Responses, refusals
from interfaces.http.schemas.public import CaseStatusPublic, CaseStatusQuery

router = APIRouter(
    prefix="/public", tags=["public"], dependencies=[Depends(within_public_rate_limit)]
)

_REFUSALS: Responses = {
    **COMMAND,
    404: {
        **refusals(404)[404],
        "description": "No case matches the pair. A wrong code, an unknown number and a "
        "locked number all get exactly this answer.",
        "content": {
            "application/json": {
                "example": error_body(CaseStatusNotFound.code, CaseStatusNotFound.MESSAGE)
            }
        },
    },
    429: {
        **RATE_LIMITED[429],
        "description": "Too many requests or failed lookups from this client; see Retry-After",
    },
}


@router.post("/case-status", responses=_REFUSALS)
async def case_status(
    body: CaseStatusQuery, public_status: PublicStatusDep, client: PublicClientDep
) -> CaseStatusPublic:
    """A citizen's view of their case (查询办理进度): kind, status, department, dates and the
    public timeline, for the tracking number and access code given at registration."""
    status = await public_status.case_status(body.tracking_number, body.access_code, client=client)
    return CaseStatusPublic.of(status)
