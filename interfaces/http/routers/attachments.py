"""Evidence files (附件, §17): one file per request, in the multipart field `file`, attached
to a case, a rectification order, a deduction or a visit; downloaded, and for photos shown
small, by whoever may read the record it belongs to."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, File, Response, UploadFile, status

from application.supervision import Supervision
from domain.actor import Actor
from domain.attachment import AttachmentTooLarge, EmptyAttachment, OwnerType
from interfaces.http.deps import InspectorDep, StaffDep, SupervisionDep
from interfaces.http.responses import (
    COMMAND_ON_A_RECORD,
    ONE_RECORD,
    SOME_ROLES,
    ErrorPublic,
    Responses,
)
from interfaces.http.schemas.attachments import AttachmentPublic
from interfaces.http.uploads import content_disposition

router = APIRouter(tags=["attachments"], responses=SOME_ROLES)

UPLOAD: Responses = {
    **COMMAND_ON_A_RECORD,
    413: {
        "description": "The file is larger than OVERSIGHT_MAX_ATTACHMENT_BYTES "
        "(`attachment_too_large`)",
        "model": ErrorPublic,
    },
    415: {
        "description": "The content is none of JPEG, PNG, PDF, MP3, M4A, WAV or MP4 "
        "(`unsupported_file_type`), whatever the name or declared type says",
        "model": ErrorPublic,
    },
}
DOWNLOAD: Responses = {
    **ONE_RECORD,
    200: {"description": "The file, as uploaded", "content": {"application/octet-stream": {}}},
    409: {
        "description": "The stored bytes are missing or altered (`attachment_unavailable`)",
        "model": ErrorPublic,
    },
    410: {
        "description": "The complainant's personal data was erased (`attachment_erased`)",
        "model": ErrorPublic,
    },
}
THUMBNAIL: Responses = {
    **DOWNLOAD,
    200: {"description": "A small JPEG or PNG", "content": {"image/jpeg": {}, "image/png": {}}},
}
FileField = Annotated[
    UploadFile | None, File(description="the file: JPEG, PNG, PDF, MP3, M4A, WAV or MP4")
]


def attached(
    app: Supervision, owner_type: OwnerType, owner_id: UUID, upload: UploadFile | None, by: Actor
) -> AttachmentPublic:
    """Read the upload (spooled to a temporary file by the parser) up to the limit, and
    attach it."""
    if upload is None:
        raise EmptyAttachment("send the file in the multipart field `file`")
    limit = app.max_attachment_bytes
    if upload.size is not None and upload.size > limit:
        raise AttachmentTooLarge(f"attachments are limited to {limit} bytes")
    upload.file.seek(0)
    data = upload.file.read(limit + 1)
    view = app.attach_file(owner_type, owner_id, name=upload.filename, data=data, by=by)
    return AttachmentPublic.of(view)


@router.post("/cases/{case_id}/attachments", status_code=status.HTTP_201_CREATED, responses=UPLOAD)
def attach_to_case(
    case_id: UUID, app: SupervisionDep, actor: StaffDep, file: FileField = None
) -> AttachmentPublic:
    """Attach a file to a case (operators, inspectors; the case's department, for its
    result). A case's files are sealed under its data key: erasure makes them unreadable."""
    return attached(app, OwnerType.CASE, case_id, file, actor)


@router.post(
    "/rectification-orders/{order_id}/attachments",
    status_code=status.HTTP_201_CREATED,
    responses=UPLOAD,
)
def attach_to_order(
    order_id: UUID, app: SupervisionDep, actor: StaffDep, file: FileField = None
) -> AttachmentPublic:
    """Attach a file to a rectification order (inspectors; the department it is issued to,
    for its rectification report)."""
    return attached(app, OwnerType.ORDER, order_id, file, actor)


@router.post(
    "/deductions/{deduction_id}/attachments",
    status_code=status.HTTP_201_CREATED,
    responses=UPLOAD,
)
def attach_to_deduction(
    deduction_id: UUID, app: SupervisionDep, actor: InspectorDep, file: FileField = None
) -> AttachmentPublic:
    """Attach a file to a deduction (inspectors): the evidence of the conduct."""
    return attached(app, OwnerType.DEDUCTION, deduction_id, file, actor)


@router.post(
    "/visits/{visit_id}/attachments", status_code=status.HTTP_201_CREATED, responses=UPLOAD
)
def attach_to_visit(
    visit_id: UUID, app: SupervisionDep, actor: InspectorDep, file: FileField = None
) -> AttachmentPublic:
    """Attach a file to an inspection visit (inspectors): photos, recordings."""
    return attached(app, OwnerType.VISIT, visit_id, file, actor)


@router.get("/cases/{case_id}/attachments", responses=ONE_RECORD)
def case_attachments(case_id: UUID, app: SupervisionDep, actor: StaffDep) -> list[AttachmentPublic]:
    """A case's files, oldest first (as the case itself may be read)."""
    return [AttachmentPublic.of(a) for a in app.attachments(OwnerType.CASE, case_id, actor)]


@router.get("/rectification-orders/{order_id}/attachments", responses=ONE_RECORD)
def order_attachments(
    order_id: UUID, app: SupervisionDep, actor: StaffDep
) -> list[AttachmentPublic]:
    """An order's files, oldest first (as the order itself may be read)."""
    return [AttachmentPublic.of(a) for a in app.attachments(OwnerType.ORDER, order_id, actor)]


@router.get("/deductions/{deduction_id}/attachments", responses=ONE_RECORD)
def deduction_attachments(
    deduction_id: UUID, app: SupervisionDep, actor: InspectorDep
) -> list[AttachmentPublic]:
    """A deduction's files, oldest first (inspectors)."""
    files = app.attachments(OwnerType.DEDUCTION, deduction_id, actor)
    return [AttachmentPublic.of(a) for a in files]


@router.get("/visits/{visit_id}/attachments", responses=ONE_RECORD)
def visit_attachments(
    visit_id: UUID, app: SupervisionDep, actor: InspectorDep
) -> list[AttachmentPublic]:
    """A visit's files, oldest first (inspectors)."""
    return [AttachmentPublic.of(a) for a in app.attachments(OwnerType.VISIT, visit_id, actor)]


@router.get("/attachments/{attachment_id}", response_class=Response, responses=DOWNLOAD)
def download_attachment(attachment_id: UUID, app: SupervisionDep, actor: StaffDep) -> Any:
    """Download a file (下载附件), for whoever may read the record it belongs to: its checked
    type as Content-Type, `attachment` with its name, never sniffed by the browser."""
    content = app.open_attachment(attachment_id, actor)
    return Response(
        content=content.data,
        media_type=content.content_type,
        headers={"Content-Disposition": content_disposition(content.name)},
    )


@router.get("/attachments/{attachment_id}/thumbnail", response_class=Response, responses=THUMBNAIL)
def attachment_thumbnail(attachment_id: UUID, app: SupervisionDep, actor: StaffDep) -> Any:
    """A photo's thumbnail (缩略图), at most 240 pixels a side; 404
    `thumbnail_not_available` for other files."""
    small = app.thumbnail(attachment_id, actor)
    return Response(content=small.data, media_type=small.content_type)
