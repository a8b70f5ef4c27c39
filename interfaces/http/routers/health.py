"""Routes for operations: liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from interfaces.http.deps import SupervisionDep

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(app: SupervisionDep) -> dict[str, object] | JSONResponse:
    """The event store answers; `position` is the latest global event position."""
    try:
        position = app.recorder.max_notification_id() or 0
    except Exception as error:  # any failure at all means "not ready"
        return JSONResponse(
            {"status": "unavailable", "reason": type(error).__name__}, status_code=503
        )
    return {"status": "ready", "position": position}
