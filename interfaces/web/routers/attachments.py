"""Evidence files in the console (附件, §17): the upload form on the case, order, visit and
deduction pages posts here; downloads and thumbnails are read as the record is.

An upload goes to the same application verb as the API's route, as the person signed in,
then back to the record's page: with 已上传附件, or with the refusal in Chinese (too large,
a type not accepted, an empty file) as a message at the top of the page.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from application.supervision import Supervision
from domain.attachment import EmptyAttachment, OwnerType
from domain.errors import Invalid
from domain.labels import error_message
from interfaces.http.deps import SupervisionDep
from interfaces.http.uploads import content_disposition
from interfaces.web.csrf import CsrfFormDep
from interfaces.web.desk import back_to
from interfaces.web.people import shown_person
from interfaces.web.routers import page_router
from interfaces.web.session import InspectorPersonDep, StaffPersonDep, acting
from interfaces.web.templating import render, templates

router = page_router("/console")

RECORD_PAGES = {
    OwnerType.CASE: "/console/cases/{id}",
    OwnerType.ORDER: "/console/orders/{id}",
    OwnerType.VISIT: "/console/visits/{id}",
    OwnerType.DEDUCTION: "/console/deductions/{id}/attachments",
}


def attachment_limit_mb(request: Request) -> str:
    """The attachment limit in MB, for the upload form's hint."""
    return f"{request.app.state.container.settings.max_attachment_bytes / 1_000_000:g}"


templates.env.globals["attachment_limit_mb"] = attachment_limit_mb


async def _upload(
    request: Request,
    person: Any,
    form: Any,
    app: Supervision,
    owner_type: OwnerType,
    owner_id: UUID,
) -> RedirectResponse:
    """Attach the form's file, then back to the record's page saying how it went. A refusal
    of the file itself comes back as a message; any other (not the person's record, no such
    record) is the error page the other forms answer."""
    back = f"{RECORD_PAGES[owner_type].format(id=owner_id)}#attachments"
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile):
            raise EmptyAttachment("choose a file to upload")
        data = await upload.read(app.max_attachment_bytes + 1)
        view = await run_in_threadpool(
            lambda: app.attach_file(
                owner_type, owner_id, name=upload.filename, data=data, by=acting(request, person)
            )
        )
    except Invalid as refused:
        return back_to(request, back, error_message(refused.code), refused=True)
    return back_to(request, back, f"已上传附件：{view.name}", refused=False)


@router.post("/cases/{case_id:uuid}/attachments", response_class=RedirectResponse)
async def attach_to_case(
    request: Request, case_id: UUID, form: CsrfFormDep, person: StaffPersonDep, app: SupervisionDep
) -> RedirectResponse:
    """Attach a file to a case (上传附件), from the case page."""
    return await _upload(request, person, form, app, OwnerType.CASE, case_id)


@router.post("/orders/{order_id:uuid}/attachments", response_class=RedirectResponse)
async def attach_to_order(
    request: Request, order_id: UUID, form: CsrfFormDep, person: StaffPersonDep, app: SupervisionDep
) -> RedirectResponse:
    """Attach a file to a rectification order, from the order page."""
    return await _upload(request, person, form, app, OwnerType.ORDER, order_id)


@router.post("/visits/{visit_id:uuid}/attachments", response_class=RedirectResponse)
async def attach_to_visit(
    request: Request,
    visit_id: UUID,
    form: CsrfFormDep,
    person: InspectorPersonDep,
    app: SupervisionDep,
) -> RedirectResponse:
    """Attach a file to an inspection visit, from the visit page."""
    return await _upload(request, person, form, app, OwnerType.VISIT, visit_id)


@router.post("/deductions/{deduction_id:uuid}/attachments", response_class=RedirectResponse)
async def attach_to_deduction(
    request: Request,
    deduction_id: UUID,
    form: CsrfFormDep,
    person: InspectorPersonDep,
    app: SupervisionDep,
) -> RedirectResponse:
    """Attach a file to a deduction, from its files page."""
    return await _upload(request, person, form, app, OwnerType.DEDUCTION, deduction_id)


@router.get("/deductions/{deduction_id:uuid}/attachments", response_class=HTMLResponse)
async def deduction_attachments(
    request: Request, deduction_id: UUID, person: InspectorPersonDep, app: SupervisionDep
) -> HTMLResponse:
    """A deduction's evidence files (扣分证据附件), with the upload form."""
    viewer = acting(request, person)
    files = await run_in_threadpool(app.attachments, OwnerType.DEDUCTION, deduction_id, viewer)
    return render(
        request,
        "deductions/attachments.html",
        {"deduction_id": deduction_id, "files": files},
        person=await shown_person(request, person),
    )


@router.get("/attachments/{attachment_id:uuid}")
async def download_attachment(
    request: Request, attachment_id: UUID, person: StaffPersonDep, app: SupervisionDep
) -> Response:
    """Download a file (下载附件), as the record it belongs to may be read."""
    content = await run_in_threadpool(app.open_attachment, attachment_id, acting(request, person))
    return Response(
        content=content.data,
        media_type=content.content_type,
        headers={"Content-Disposition": content_disposition(content.name)},
    )


@router.get("/attachments/{attachment_id:uuid}/thumbnail")
async def attachment_thumbnail(
    request: Request, attachment_id: UUID, person: StaffPersonDep, app: SupervisionDep
) -> Response:
    """A photo's thumbnail (缩略图) for the record's page."""
    small = await run_in_threadpool(app.thumbnail, attachment_id, acting(request, person))
    return Response(content=small.data, media_type=small.content_type)
