"""Evaluations (好差评): open to the public, limited per client like every public route."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from domain.actor import Actor, Role
from interfaces.http.deps import PublicClientDep, SupervisionDep
from interfaces.http.responses import COMMAND, RATE_LIMITED, Responses
from interfaces.http.schemas.evaluations import EvaluationCreate, EvaluationPublic

router = APIRouter(prefix="/evaluations", tags=["ratings"])

_REFUSALS: Responses = {
    **RATE_LIMITED,
    **COMMAND,
    422: {
        **COMMAND[422],
        "description": "An unknown window or staff member, or a rating outside 1–5",
    },
}


@router.post("", status_code=status.HTTP_201_CREATED, responses=_REFUSALS)
def record_evaluation(
    body: EvaluationCreate, request: Request, app: SupervisionDep, client: PublicClientDep
) -> EvaluationPublic:
    """Evaluate an encounter at a window, rating it 1 (非常不满意) to 5 (非常满意), no sign-in.

    A rating of 1 or 2 (差评) goes to a complaint for the window's department shortly after:
    the first bad rating of a window from one client on one office day opens it, and later
    ones that day are added to it.
    """
    public = Actor(principal="public", role=Role.PUBLIC, request_id=request.state.request_id)
    return EvaluationPublic.of(
        app.record_evaluation(
            window=body.window,
            staff=body.staff,
            rating=body.rating,
            comment=body.comment,
            service_item=body.service_item,
            item=body.item,
            by=public,
            client=client,
        )
    )
