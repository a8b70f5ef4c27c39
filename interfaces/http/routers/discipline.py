"""Routes of the double-hundred system (§6): the catalogue, deductions, scores, lists, reports."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Response, status
from starlette.concurrency import run_in_threadpool

from application.queries import Reading
from application.scores import MonthlyReport, monthly_report_as_of
from domain.actor import Actor, Role
from domain.directory import UnknownDepartment
from domain.scorecard import (
    day_of,
    deduction_id_for_key,
    month_of,
    require_past_or_current_day,
    require_past_or_current_month,
)
from interfaces.http.deps import (
    ContainerDep,
    InspectorDep,
    ReadingDep,
    SignedInDep,
    StaffDep,
    SupervisionDep,
    within_public_rate_limit,
)
from interfaces.http.idempotency import KEY_PATTERN, MAX_KEY_LENGTH
from interfaces.http.responses import (
    COMMAND,
    COMMAND_ON_A_RECORD,
    RATE_LIMITED,
    SIGNED_IN,
    SOME_ROLES,
    VALIDATED,
)
from interfaces.http.routers.boards import NotYourDepartment
from interfaces.http.schemas.cases import Reason
from interfaces.http.schemas.discipline import (
    BlueList,
    BlueListQuery,
    ConductRuleList,
    ConductRulePublic,
    DeductionCreate,
    DeductionEntryList,
    DeductionLinePublic,
    DeductionPublic,
    DeductionsQuery,
    HonouredPublic,
    MonthlyReportPublic,
    RedList,
    RedListQuery,
    ReportFormat,
    ReportQuery,
    ScoreList,
    ScorePublic,
    ScoresQuery,
)
from interfaces.reports import MEDIA_TYPES, report_csv, report_filename, report_xlsx

router = APIRouter(tags=["discipline"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        pattern=KEY_PATTERN,
        description="a retry with the same key and body answers the first answer",
    ),
]


@router.get("/conduct-rules", responses=SIGNED_IN)
def list_conduct_rules(app: SupervisionDep, _: SignedInDep) -> ConductRuleList:
    """The conduct catalogue in force (扣分事项), as loaded by `oversight rules load`."""
    return ConductRuleList(items=[ConductRulePublic.of(r) for r in app.list_conduct_rules()])


@router.post(
    "/deductions", status_code=status.HTTP_201_CREATED, responses={**SOME_ROLES, **COMMAND}
)
def record_deduction(
    body: DeductionCreate,
    app: SupervisionDep,
    actor: InspectorDep,
    idempotency_key: IdempotencyKey = None,
) -> DeductionPublic:
    """Deduct points from a staff member and/or window (扣分): both cards in one transaction."""
    deduction_id = deduction_id_for_key(idempotency_key) if idempotency_key else None
    return DeductionPublic.of(
        app.record_deduction(body.request(), actor, deduction_id=deduction_id)
    )


@router.post("/deductions/{deduction_id}/revoke", responses={**SOME_ROLES, **COMMAND_ON_A_RECORD})
def revoke_deduction(
    deduction_id: UUID, body: Reason, app: SupervisionDep, actor: InspectorDep
) -> DeductionPublic:
    """Withdraw a deduction from every card carrying it (撤销), with the reason."""
    return DeductionPublic.of(app.revoke_deduction(deduction_id, reason=body.reason, by=actor))


@router.get("/deductions", responses={**SOME_ROLES, **VALIDATED})
async def list_deductions(
    query: Annotated[DeductionsQuery, Query()], container: ContainerDep, actor: StaffDep
) -> DeductionEntryList:
    """Deductions in force and revoked, the last recorded first, filtered by the day they
    happened, department, window, staff member, rule and standing; a department sees its own."""
    department = await readers_department(container, actor, query.department)
    page = await container.scores.deductions(
        query.criteria(department), limit=query.limit, cursor=query.cursor, after=query.after
    )
    return DeductionEntryList.of(page)


@router.get("/scores", responses={**SOME_ROLES, **VALIDATED})
async def list_scores(
    query: Annotated[ScoresQuery, Query()],
    container: ContainerDep,
    actor: StaffDep,
    reading: ReadingDep,
) -> ScoreList:
    """Every window's and staff member's score in a month; a department sees its own."""
    month = report_month(query.month, reading)
    department = await readers_department(container, actor, query.department)
    listing = await reading.read(
        container.scores,
        lambda scores, after: scores.scores(
            month, subject=query.subject, department=department, after=after
        ),
        query.after,
    )
    return ScoreList(
        month=month,
        items=[ScorePublic.of(item) for item in listing.items],
        position=listing.position,
        caught_up=listing.caught_up,
        as_of=reading.as_of,
    )


@router.get("/blue-list", responses={**SOME_ROLES, **VALIDATED})
async def blue_list(
    query: Annotated[BlueListQuery, Query()],
    container: ContainerDep,
    actor: StaffDep,
    reading: ReadingDep,
) -> BlueList:
    """A day's deductions in force (蓝榜), Asia/Shanghai; a department sees its own."""
    day = require_past_or_current_day(query.day or day_of(reading.at), reading.at)
    department = await readers_department(container, actor, query.department)
    listing = await reading.read(
        container.scores,
        lambda scores, after: scores.blue_list(day, department=department, after=after),
        query.after,
    )
    return BlueList(
        date=day,
        items=[DeductionLinePublic.of(item) for item in listing.items],
        position=listing.position,
        caught_up=listing.caught_up,
        as_of=reading.as_of,
    )


@router.get(
    "/red-list",
    dependencies=[Depends(within_public_rate_limit)],
    responses={**RATE_LIMITED, **VALIDATED},
)
async def red_list(
    query: Annotated[RedListQuery, Query()], container: ContainerDep, reading: ReadingDep
) -> RedList:
    """The month's windows and staff with no deduction in force (红榜); public, no sign-in."""
    month = report_month(query.month, reading)
    department = await known_department(container, query.department)
    listing = await reading.read(
        container.scores,
        lambda scores, after: scores.red_list(month, after=after, department=department),
        query.after,
    )
    return RedList(
        month=month,
        windows=[HonouredPublic.of(i) for i in listing.items if i.subject == "window"],
        staff=[HonouredPublic.of(i) for i in listing.items if i.subject == "staff"],
        position=listing.position,
        caught_up=listing.caught_up,
        as_of=reading.as_of,
    )


@router.get(
    "/reports/monthly",
    responses={
        200: {
            "model": MonthlyReportPublic,
            "content": {media: {} for media in MEDIA_TYPES.values()},
            "description": "JSON, or the CSV or XLSX file as an attachment",
        },
        **SOME_ROLES,
        **VALIDATED,
    },
)
async def monthly_report(
    query: Annotated[ReportQuery, Query()],
    container: ContainerDep,
    actor: StaffDep,
    reading: ReadingDep,
) -> Response:
    """Per department, every window's and staff member's score and every deduction, as the
    record stood at `as_of` (by default now), which the report states."""
    month = report_month(query.month, reading)
    department = await readers_department(container, actor, query.department)
    report = await monthly_report_as_of(
        container.scores,
        month,
        reading,
        department=department,
        with_revoked=query.revoked,
        after=query.after,
    )
    if query.format is ReportFormat.JSON:
        body = MonthlyReportPublic.of(report).model_dump_json().encode()
        return Response(body, media_type="application/json")
    return await report_attachment(report, department, query.format)


async def report_attachment(
    report: MonthlyReport, department: str | None, file_format: ReportFormat
) -> Response:
    """The report as an XLSX or CSV attachment (written in a worker thread)."""
    write = report_xlsx if file_format is ReportFormat.XLSX else report_csv
    content = await run_in_threadpool(write, report)
    filename = report_filename(report, department, file_format.value)
    return Response(
        content,
        media_type=MEDIA_TYPES[file_format.value],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def report_month(month: str | None, reading: Reading) -> str:
    """The month asked for (by default the one the read reflects: now, or `as_of`), refused
    when still to come at that instant."""
    return require_past_or_current_month(month or month_of(reading.at), reading.at)


async def readers_department(
    container: ContainerDep, actor: Actor, department: str | None
) -> str | None:
    """The department whose figures the caller reads: a department reads its own only."""
    if actor.role is Role.DEPARTMENT:
        if department not in (None, actor.department):
            raise NotYourDepartment("a department reads its own scores and lists only")
        return actor.department
    return await known_department(container, department)


async def known_department(container: ContainerDep, department: str | None) -> str | None:
    """The department asked for, refused when the directory has none of that id."""
    if department is not None:
        directory = await run_in_threadpool(container.supervision.directory)
        if directory.department(department) is None:
            raise UnknownDepartment(f"there is no department {department!r}")
    return department
