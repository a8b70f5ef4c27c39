"""The audit pages (§8, §13), for discipline inspectors: the global event feed with the API's
filters and cursor, any record's history, and the ledger's verification with its checkpoints.

They read what the API's audit routes read (`interfaces/http/routers/audit.py`): the feed's
query, `record_history`, the ledger's `verify`, `checkpoints` and `check_checkpoint`.
Verification reads the whole event store, so it runs on a worker thread.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from application.audit import CheckpointCheck, VerificationReport
from domain.labels import LABELS
from interfaces.http.deps import ContainerDep, SupervisionDep
from interfaces.http.schemas.audit import AuditEventsQuery, CheckpointUpload
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import form_text, shown
from interfaces.web.forms import read_form
from interfaces.web.routers import page_router
from interfaces.web.session import InspectorPersonDep, acting
from interfaces.web.templating import render

router = page_router("/console/audit")

# The feed's filters, as its query string (and the API's) names them.
FILTERS = ("from", "to", "actor", "department", "type")
FIELDS = {
    "": "时间范围",
    "from": "时间起",
    "start": "时间起",
    "to": "时间止",
    "end": "时间止",
    "actor": "操作人",
    "department": "部门",
    "type": "事件类型",
    "cursor": "页码",
    "statement": "检查点",
    "signature": "检查点",
}
PAGE_SIZE = 50
NOT_A_CHECKPOINT = "检查点：请粘贴导出的检查点（JSON 格式）。"


@router.get("", response_class=HTMLResponse)
async def audit_feed(
    request: Request, person: InspectorPersonDep, container: ContainerDep
) -> HTMLResponse:
    """Every event, newest first, filtered by time, actor, department and event type."""
    given = {
        name: request.query_params[name].strip()
        for name in FILTERS
        if request.query_params.get(name, "").strip()
    }
    cursor = request.query_params.get("cursor")
    query = read_form(
        AuditEventsQuery,
        {**given, "limit": PAGE_SIZE, **({"cursor": cursor} if cursor else {})},
        FIELDS,
    )
    directory = await run_in_threadpool(container.supervision.directory)
    context: dict[str, Any] = {
        "given": given,
        "query_string": urlencode(given),
        "departments": directory.departments,
        "names": {d.id: d.name for d in directory.departments},
        "record_types": LABELS["record_type"],
        "event_types": LABELS["event"],
        "events": [],
        "next": None,
        "problems": [],
    }
    if isinstance(query, list):
        context["problems"] = query
        return render(request, "audit/feed.html", context, person=shown(person), status_code=422)
    page = await container.audit_events.events(
        query.criteria(), limit=query.limit, cursor=query.cursor
    )
    context.update(events=page.items, next=page.next)
    return render(request, "audit/feed.html", context, person=shown(person))


@router.get("/records/{record_id}", response_class=HTMLResponse)
async def record_history(
    request: Request, record_id: UUID, person: InspectorPersonDep, app: SupervisionDep
) -> HTMLResponse:
    """Every event of one record, oldest first, with actor, time, request id and reason."""
    history = await run_in_threadpool(app.record_history, record_id, acting(request, person))
    directory = await run_in_threadpool(app.directory)
    return render(
        request,
        "audit/history.html",
        {
            "history": history,
            "entries": [
                (entry, [(name, _as_text(value)) for name, value in entry.fields.items()])
                for entry in history.entries
            ],
            "names": {d.id: d.name for d in directory.departments},
        },
        person=shown(person),
    )


def _as_text(value: object) -> str:
    """A recorded field as a person reads it: text as it is, anything else as JSON (with its
    Chinese kept as characters)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@router.get("/verify", response_class=HTMLResponse)
async def verification(
    request: Request, person: InspectorPersonDep, container: ContainerDep
) -> HTMLResponse:
    """The verify button and the signed checkpoints of the ledger."""
    return await _verification_page(request, person, container)


@router.post("/verify", response_class=HTMLResponse)
async def verify(
    request: Request, _: CsrfFormDep, person: InspectorPersonDep, container: ContainerDep
) -> HTMLResponse:
    """Recompute the chain from the event store (校验) and show what it found."""
    report = await run_in_threadpool(container.verify_ledger_and_files)
    return await _verification_page(request, person, container, report=report)


@router.post("/checkpoints/verify", response_class=HTMLResponse)
async def verify_checkpoint(
    request: Request, form: CsrfFormDep, person: InspectorPersonDep, container: ContainerDep
) -> HTMLResponse:
    """Check a checkpoint kept elsewhere, pasted as it was exported (核对检查点)."""
    pasted = form_text(form, "checkpoint") or ""
    upload = _checkpoint_of(pasted)
    if isinstance(upload, list):
        return await _verification_page(
            request, person, container, problems=upload, pasted=pasted, status_code=422
        )
    check = await run_in_threadpool(container.ledger.check_checkpoint, upload.exported())
    return await _verification_page(request, person, container, check=check, pasted=pasted)


def _checkpoint_of(pasted: str) -> CheckpointUpload | list[str]:
    """The pasted text as the API's checkpoint upload, or what is wrong with it."""
    try:
        exported = json.loads(pasted)
    except ValueError:
        return [NOT_A_CHECKPOINT]
    if not isinstance(exported, dict):
        return [NOT_A_CHECKPOINT]
    return read_form(CheckpointUpload, exported, FIELDS)


async def _verification_page(
    request: Request,
    person: InspectorPersonDep,
    container: ContainerDep,
    *,
    report: VerificationReport | None = None,
    check: CheckpointCheck | None = None,
    problems: list[str] | None = None,
    pasted: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    checkpoints = await run_in_threadpool(container.ledger.checkpoints)
    return render(
        request,
        "audit/verify.html",
        {
            "report": report,
            "check": check,
            "problems": problems or [],
            "pasted": pasted,
            "checkpoints": [
                (
                    checkpoint,
                    datetime.fromisoformat(checkpoint.made_at),
                    json.dumps(checkpoint.as_export(), ensure_ascii=False),
                )
                for checkpoint in reversed(checkpoints)
            ],
        },
        person=shown(person),
        status_code=status_code,
    )
