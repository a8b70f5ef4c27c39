"""Dependencies shared by the routers: the application, the caller and their role.

Dependencies that do not block are `async def`: FastAPI runs a plain `def` dependency on the
thread pool, a hop that costs more than the dependency itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from application.public_status import PublicStatus, TooManyRequests
from application.queries import CaseQueries, Past, Reading
from application.supervision import Supervision
from domain.actor import Actor, Role
from domain.directory import DepartmentOutOfService
from interfaces.as_of import AS_OF_DESCRIPTION, past_asked, past_projected
from interfaces.bootstrap import Container
from interfaces.http.errors import NotAuthenticated, RoleNotAllowed, TokenOfRetiredDepartment
from interfaces.http.schemas.text import QueryText, character_problem

bearer = HTTPBearer(auto_error=False, description="A token printed by `oversight token create`")


async def storable_parameters(request: Request) -> None:
    """Refuses a path or query parameter holding a character the record cannot hold, before
    any other check: every route of the API depends on it, whatever its parameters."""
    parameters = [
        *((("path", name), value) for name, value in request.path_params.items()),
        *((("query", name), value) for name, value in request.query_params.multi_items()),
    ]
    _refuse_unstorable(parameters)


def _refuse_unstorable(parameters: list[tuple[tuple[str, str], object]]) -> None:
    problems = [
        character_problem(loc, value) for loc, value in parameters if isinstance(value, str)
    ]
    refused = [problem for problem in problems if problem is not None]
    if refused:
        raise RequestValidationError(refused)


async def get_container(request: Request) -> Container:
    return request.app.state.container


async def get_supervision(request: Request) -> Supervision:
    return request.app.state.container.supervision


async def get_case_queries(request: Request) -> CaseQueries:
    return request.app.state.container.queries


async def get_past(
    request: Request,
    as_of: Annotated[QueryText | None, Query(description=AS_OF_DESCRIPTION)] = None,
) -> Past | None:
    container: Container = request.app.state.container
    return await past_asked(container.record_time, as_of, container.supervision.time_source.now())


ContainerDep = Annotated[Container, Depends(get_container)]
# The record as it stood at `as_of` (§14), or None for the present.
PastDep = Annotated[Past | None, Depends(get_past)]


async def get_reading(past: PastDep, container: ContainerDep) -> Reading:
    now = container.supervision.time_source.now()
    return Reading(now, await past_projected(container.read_side_history, past))


# A read of the read tables now, or as they stood at `as_of` (§14).
ReadingDep = Annotated[Reading, Depends(get_reading)]
SupervisionDep = Annotated[Supervision, Depends(get_supervision)]
CaseQueriesDep = Annotated[CaseQueries, Depends(get_case_queries)]


async def get_public_status(request: Request) -> PublicStatus:
    return request.app.state.container.public_status


def client_address(request: Request) -> str:
    """The socket peer; behind a proxy, uvicorn's `--forwarded-allow-ips` makes it the client."""
    return request.client.host if request.client else "unknown"


async def within_public_rate_limit(request: Request) -> str:
    """OVERSIGHT_PUBLIC_RATE_LIMIT requests per client per minute on every public route,
    counted for all API processes together; answers the client's keyed digest (what the
    limits count and a rating records: the address itself is kept nowhere)."""
    container: Container = request.app.state.container
    client = container.client_digest(client_address(request))
    wait = await container.public_requests.hit(client, container.supervision.time_source.now())
    if wait is not None:
        raise TooManyRequests(f"too many requests; try again in {wait} seconds", wait)
    return client


# FastAPI solves a dependency once per request, so a route under a rate-limited router that
# also asks for this gets the client without counting the request twice.
PublicClientDep = Annotated[str, Depends(within_public_rate_limit)]


PublicStatusDep = Annotated[PublicStatus, Depends(get_public_status)]


async def bearer_actor(
    request: Request,
    supervision: SupervisionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """The bearer of the token, in any role: a token confirmed a moment ago is taken as it
    was, and any other is looked up in the store on a worker thread, off the event loop."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated("sign in with an Authorization: Bearer <token> header")
    token, request_id = credentials.credentials, request.state.request_id
    _refuse_unstorable([(("header", "Authorization"), token)])
    actor = supervision.recently_signed_in(token, request_id)
    if actor is None:
        try:
            actor = await run_in_threadpool(supervision.sign_in, token, request_id)
        except DepartmentOutOfService as retired:
            raise TokenOfRetiredDepartment(retired.message) from retired
    if actor is None:
        raise NotAuthenticated("the bearer token is not valid")
    return actor


# A monitor token (Prometheus) reads GET /metrics and nothing else: every other route that
# asks who signed in refuses it.
async def current_actor(actor: Annotated[Actor, Depends(bearer_actor)]) -> Actor:
    """The signed-in caller, any role but the monitor's."""
    if actor.role is Role.MONITOR:
        raise RoleNotAllowed("a monitor token reads /metrics and nothing else")
    return actor


async def monitor_actor(actor: Annotated[Actor, Depends(bearer_actor)]) -> Actor:
    """The monitor (Prometheus) and no one else."""
    if actor.role is not Role.MONITOR:
        raise RoleNotAllowed("this needs the role: monitor")
    return actor


MonitorDep = Annotated[Actor, Depends(monitor_actor)]


def roles(*allowed: Role) -> Callable[[Actor], Actor]:
    """A dependency that lets only the given roles through."""
    names = ", ".join(role.value for role in allowed)

    async def require(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        if actor.role not in allowed:
            raise RoleNotAllowed(f"this needs one of the roles: {names}")
        return actor

    return require


SignedInDep = Annotated[Actor, Depends(current_actor)]
StaffDep = Annotated[Actor, Depends(roles(Role.OPERATOR, Role.DEPARTMENT, Role.INSPECTOR))]
CentreDep = Annotated[Actor, Depends(roles(Role.OPERATOR, Role.INSPECTOR))]
DepartmentDep = Annotated[Actor, Depends(roles(Role.DEPARTMENT))]
InspectorDep = Annotated[Actor, Depends(roles(Role.INSPECTOR))]
AdminDep = Annotated[Actor, Depends(roles(Role.ADMIN))]
