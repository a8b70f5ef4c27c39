"""Routes for operations: liveness and readiness."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from interfaces.http.deps import ContainerDep
from interfaces.http.schemas.office_time import OfficeTime

router = APIRouter(tags=["operations"])


class Ready(BaseModel):
    """The process can serve: the event store answers and no runner of the worker is stuck."""

    status: Literal["ready"]
    position: int = Field(description="The latest global event position.")


class StuckRunner(BaseModel):
    """A runner of the worker (a projection, a policy, the audit feed, the ledger) that
    failed after the same position turn after turn."""

    name: str
    position: int = Field(
        description="The last position it handled: what fails is among the events after it."
    )
    failing_since: OfficeTime
    attempts: int = Field(description="Turns failed at this position.")
    error_type: str = Field(description="The exception's type; its message is in the log.")


class NotReady(BaseModel):
    """Why the process cannot serve: the event store does not answer (`unavailable`, with
    the kind of failure), or runners of the worker are stuck (`stuck`, naming them)."""

    status: Literal["unavailable", "stuck"]
    reason: str
    position: int | None = Field(
        default=None, description="The latest global event position (when stuck)."
    )
    runners: list[StuckRunner] = Field(default_factory=list)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=None,
    responses={
        200: {"model": Ready},
        503: {
            "model": NotReady,
            "description": "The event store does not answer, or runners of the worker are "
            "stuck (failed after the same position for three turns)",
        },
    },
)
async def readyz(container: ContainerDep) -> dict[str, object] | JSONResponse:
    """The event store answers and no runner of the worker is stuck; `position` is the
    latest global event position."""
    try:
        # First the read pool, which fails fast; the event store's driver retries a lost
        # connection for seconds, and blocks: it runs on the thread pool, never on the loop.
        stuck = await container.stuck_runners()
        latest = await run_in_threadpool(container.supervision.recorder.max_notification_id)
    except Exception as error:  # any failure at all means "not ready"
        return _not_ready(NotReady(status="unavailable", reason=type(error).__name__))
    position = latest or 0
    if stuck:
        return _not_ready(
            NotReady(
                status="stuck",
                reason="; ".join(
                    f"{runner.name} is stuck after position {runner.position} "
                    f"({runner.error_type}, {runner.attempts} turns)"
                    for runner in stuck
                ),
                position=position,
                runners=[
                    StuckRunner(
                        name=runner.name,
                        position=runner.position,
                        failing_since=runner.failing_since,
                        attempts=runner.attempts,
                        error_type=runner.error_type,
                    )
                    for runner in stuck
                ],
            )
        )
    return {"status": "ready", "position": position}


def _not_ready(body: NotReady) -> JSONResponse:
    return JSONResponse(body.model_dump(mode="json", exclude_defaults=True), status_code=503)
