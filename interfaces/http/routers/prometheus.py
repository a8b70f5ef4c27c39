"""The service's metrics for Prometheus (GET /metrics), for monitor tokens only."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from interfaces.http.deps import ContainerDep, MonitorDep
from interfaces.http.responses import SOME_ROLES
from interfaces.observability import CONTENT_TYPE, scrape

router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {
            "content": {CONTENT_TYPE.split(";")[0]: {"schema": {"type": "string"}}},
            "description": "Every metric in the Prometheus text format (docs/operations.md, "
            "“Metrics”)",
        },
        **SOME_ROLES,
    },
)
async def metrics(container: ContainerDep, _: MonitorDep) -> Response:
    """The service's metrics in the Prometheus text format; needs a monitor token
    (`oversight token create --role monitor`), sent by Prometheus as a bearer token."""
    return Response(await scrape(container), media_type=CONTENT_TYPE)
