"""Routes for operations: liveness and readiness."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from interfaces.http.deps import SupervisionDep

router = APIRouter(tags=["operations"])


class NotReady(BaseModel):
    """Why the process cannot serve: the kind of failure the event store answered with."""

    status: Literal["unavailable"]
    reason: str


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=None,
    responses={503: {"model": NotReady, "description": "The event store does not answer"}},
)
def readyz(app: SupervisionDep) -> dict[str, object] | JSONResponse:
    """The event store answers; `position` is the latest global event position."""
    try:
        position = app.recorder.max_notification_id() or 0
    except Exception as error:  # any failure at all means "not ready"
        return JSONResponse(
            {"status": "unavailable", "reason": type(error).__name__}, status_code=503
        )
    return {"status": "ready", "position": position}
