"""Evidence files (附件, DESIGN §17): attach one to a case, an order, a deduction or a visit;
read it back as the record it belongs to may be read; check every stored file.

The bytes are written first, content-addressed by the SHA-256 of the bytes as stored, then
the file's events are saved (the `Attachment` and its listing on the record, atomically).
An upload whose events are refused leaves its bytes behind unreferenced: nothing reaches
bytes but through an `Attachment`, so they stay invisible, and the same bytes uploaded
again are simply found stored (docs/operations.md, "Evidence files").

A complainant's files are sealed (AES-256-GCM) under the data key of their case, the one
that seals the case's personal fields: every file of a case, and of a rectification order
made from a case. Erasing the case's personal data destroys that key, so the files become
unreadable with the rest (410 `attachment_erased`). The nonce is derived from the key and
the content's hash, so the same file attached twice to one case is sealed to the same bytes
and stored once; under another case's key it is other bytes, stored apart.

Verification needs no key: each `Attachment` records the hash of the stored bytes as well
as of the content, so a sealed file is checked as stored, also after its key was erased.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from application.audit import VerificationReport
from application.base import ConcurrentChange
from application.personal_data import PersonalDataKeyMissing
from application.visits import VisitVerbs
from domain.actor import Actor, Role
from domain.attachment import (
    IMAGE_TYPES,
    SNIFF_BYTES,
    AttachingNotAllowed,
    Attachment,
    AttachmentErased,
    AttachmentNotFound,
    AttachmentTooLarge,
    AttachmentUnavailable,
    EmptyAttachment,
    FileType,
    NotAnImage,
    OwnerType,
    UnsupportedFileType,
    listed_attachment,
    listed_entries,
    sanitised_name,
    sniff,
)
from domain.case import Case
from domain.rectification import OrderSourceType, RectificationOrder
from domain.scorecard import Deduction, DeductionNotFound

DEFAULT_MAX_ATTACHMENT_BYTES = 20_000_000
SEALED_FILE_MAGIC = b"OVF1"  # what a sealed file's stored bytes begin with
_NONCE_BYTES = 12
_NONCE_LABEL = b"oversight attachment nonce v1|"
_AAD_PREFIX = b"oversight attachment v1|"
ATTACH_ATTEMPTS = 5
VERIFY_PAGE = 500
THUMBNAILS_KEPT = 256
ATTACHED_TOPIC = "oversight:Attachment.Attached"


class AttachmentStore(Protocol):
    """Where the bytes of files are kept, by the SHA-256 (hex) of the bytes themselves.

    `put` of bytes stored already stores nothing again. Implementations must be safe to call
    from many threads at once.
    """

    def put(self, digest: str, data: bytes) -> None: ...

    def get(self, digest: str) -> bytes | None:
        """The stored bytes, or None when there are none under `digest`."""
        ...


class InMemoryAttachmentStore:
    """Files kept in a dict: for tests and the in-memory event store."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, digest: str, data: bytes) -> None:
        with self._lock:
            self.blobs.setdefault(digest, bytes(data))

    def get(self, digest: str) -> bytes | None:
        return self.blobs.get(digest)


@dataclass(frozen=True)
class AttachmentView:
    """A file as its record lists it and an upload answers."""

    id: UUID
    name: str
    content_type: str
    size: int
    sha256: str
    attached_at: datetime | None = None
    attached_by: str | None = None
    position: int | None = None

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES


@dataclass(frozen=True)
class AttachmentContent:
    """A file to download: its name, checked type and content."""

    id: UUID
    name: str
    content_type: str
    data: bytes

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES


@dataclass(frozen=True)
class Thumbnail:
    """A photo's small copy: JPEG, or PNG when the photo has transparency."""

    content_type: str
    data: bytes


# Draws a small copy of a photo: (content type, bytes); ValueError when it cannot.
ThumbnailMaker = Callable[[bytes], tuple[str, bytes]]


@dataclass(frozen=True)
class FileProblem:
    """A stored file that does not match its record: `missing`, `altered`."""

    attachment_id: UUID
    problem: str
    position: int


@dataclass(frozen=True)
class FilesReport:
    """What checking every stored file against its recorded hash found."""

    checked: int = 0
    erased: int = 0
    problems: list[FileProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def seal_file(key: bytes, key_id: UUID, content_sha256: str, data: bytes) -> bytes:
    """The stored form of a sealed file: magic, nonce, ciphertext and tag. The nonce depends
    only on the key and the content, so one content under one key seals to the same bytes
    (and a nonce never serves two contents: different contents have different hashes)."""
    nonce = hmac.new(key, _NONCE_LABEL + content_sha256.encode(), hashlib.sha256).digest()
    nonce = nonce[:_NONCE_BYTES]
    sealed = AESGCM(key).encrypt(nonce, data, _AAD_PREFIX + key_id.bytes)
    return SEALED_FILE_MAGIC + nonce + sealed


def unseal_file(key: bytes, key_id: UUID, stored: bytes) -> bytes:
    """The content of a sealed file; ValueError if it was altered or sealed otherwise."""
    if not stored.startswith(SEALED_FILE_MAGIC):
        raise ValueError("the stored file is not sealed")
    body = stored[len(SEALED_FILE_MAGIC) :]
    nonce, sealed = body[:_NONCE_BYTES], body[_NONCE_BYTES:]
    try:
        return AESGCM(key).decrypt(nonce, sealed, _AAD_PREFIX + key_id.bytes)
    except InvalidTag as error:
        raise ValueError("the sealed file does not match its key") from error


def checked_type(data: bytes, max_bytes: int) -> FileType:
    """The type of an upload judged from its content, within the size limit."""
    if not data:
        raise EmptyAttachment("the file is empty: choose a file with content")
    if len(data) > max_bytes:
        raise AttachmentTooLarge(f"attachments are limited to {max_bytes} bytes")
    file_type = sniff(data[:SNIFF_BYTES])
    if file_type is None:
        raise UnsupportedFileType(
            "the content is not a JPEG or PNG photo, a PDF, MP3, M4A or WAV audio, or MP4 video"
        )
    return file_type


class AttachmentVerbs(VisitVerbs):
    """Attach evidence files to records, download them, check them."""

    def __init__(
        self,
        *,
        attachment_store: AttachmentStore | None = None,
        max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
        make_thumbnail: ThumbnailMaker | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.attachment_store: AttachmentStore = attachment_store or InMemoryAttachmentStore()
        self.max_attachment_bytes = max_attachment_bytes
        self.make_thumbnail = make_thumbnail
        # Thumbnails drawn lately, by file: drawing is the slow part, reading stays checked.
        self._thumbnails: OrderedDict[UUID, Thumbnail] = OrderedDict()
        self._thumbnails_lock = threading.Lock()

    # Attaching --------------------------------------------------------------------------

    def attach_file(
        self, owner_type: OwnerType, owner_id: UUID, *, name: str | None, data: bytes, by: Actor
    ) -> AttachmentView:
        """Attach one file to a record (上传附件): its type judged from its content, its
        name sanitised, its bytes stored (sealed when they are a complainant's), then
        recorded on the record."""
        file_type = checked_type(data, self.max_attachment_bytes)
        owner = self._owner_to_attach_to(owner_type, owner_id, by)
        name = sanitised_name(name, file_type)
        content_sha256 = sha256_hex(data)
        key_id = _sealing_key_of(owner)
        stored = data
        if key_id is not None:
            # Refused (PersonalDataAlreadyErased) once the case's data was erased.
            key = self.personal_data_keys.key_for_writing(key_id)
            stored = seal_file(key, key_id, content_sha256, data)
        stored_sha256 = sha256_hex(stored)
        self.attachment_store.put(stored_sha256, stored)
        attachment_id = self.ids()
        listed = listed_attachment(
            attachment_id=attachment_id,
            name=name,
            content_type=file_type,
            size=len(data),
            sha256=content_sha256,
        )
        for attempt in range(ATTACH_ATTEMPTS):
            if attempt:
                owner = self._owner_to_attach_to(owner_type, owner_id, by)
            now = self.time_source.now()
            attachment = Attachment.attach(
                attachment_id=attachment_id,
                owner_type=owner_type,
                owner_id=owner_id,
                content_type=file_type,
                size=len(data),
                sha256=content_sha256,
                stored_sha256=stored_sha256,
                sealed_under=key_id,
                by=by,
                at=now,
            )
            owner.add_attachment(listed=listed, by=by, at=now)
            try:
                position = self._commit(attachment, owner)
            except ConcurrentChange:
                continue  # the record changed meanwhile: read it again
            return AttachmentView(
                id=attachment_id,
                name=name,
                content_type=file_type.value,
                size=len(data),
                sha256=content_sha256,
                attached_at=now,
                attached_by=by.name or by.principal,
                position=position,
            )
        raise ConcurrentChange("the record changed too often while attaching; please retry")

    def _owner_to_attach_to(self, owner_type: OwnerType, owner_id: UUID, by: Actor) -> Any:
        """The record, when `by` may attach files to it."""
        owner_type = OwnerType(owner_type)
        if owner_type is OwnerType.CASE:
            case = self._case(owner_id)
            if by.role in {Role.OPERATOR, Role.INSPECTOR}:
                return case
            if (
                by.role is Role.DEPARTMENT
                and case.assigned_department
                and by.acts_for(case.assigned_department)
            ):
                return case
            raise AttachingNotAllowed(
                "files are attached to a case by operators, inspectors and its department"
            )
        if owner_type is OwnerType.ORDER:
            order = self._order(owner_id)
            if by.role is Role.INSPECTOR or (
                by.role is Role.DEPARTMENT and by.acts_for(order.department)
            ):
                return order
            raise AttachingNotAllowed(
                "files are attached to an order by inspectors and the department it is issued to"
            )
        if by.role is not Role.INSPECTOR:
            raise AttachingNotAllowed(f"files are attached to a {owner_type} by inspectors")
        if owner_type is OwnerType.DEDUCTION:
            return self._deduction(owner_id)
        return self._visit(owner_id)

    def _deduction(self, deduction_id: UUID) -> Deduction:
        return self._load_as(
            deduction_id,
            Deduction,
            lambda: DeductionNotFound(f"there is no deduction {deduction_id}"),
        )

    # Reading ----------------------------------------------------------------------------

    def attachments(
        self, owner_type: OwnerType, owner_id: UUID, viewer: Actor
    ) -> list[AttachmentView]:
        """The files of a record the viewer may read, oldest first."""
        owner = self._readable_owner(OwnerType(owner_type), owner_id, viewer)
        return [AttachmentView(**entry) for entry in listed_entries(owner, viewer)]

    def open_attachment(self, attachment_id: UUID, viewer: Actor) -> AttachmentContent:
        """A file's content, for whoever may read the record it belongs to (下载附件)."""
        attachment = self._load_as(
            attachment_id,
            Attachment,
            lambda: AttachmentNotFound(f"there is no attachment {attachment_id}"),
        )
        owner = self._readable_owner(attachment.owner_type, attachment.owner_id, viewer)
        entry = next((e for e in listed_entries(owner, viewer) if e["id"] == attachment_id), None)
        if entry is None:  # a report's file the centre attached, kept from its department
            raise AttachmentNotFound(f"there is no attachment {attachment_id}")
        stored = self.attachment_store.get(attachment.stored_sha256)
        data = stored
        if attachment.sealed_under is not None:
            try:
                key = self.personal_data_keys.key_for_reading(attachment.sealed_under)
            except PersonalDataKeyMissing:
                key = None
            if key is None:
                raise AttachmentErased(
                    "the complainant's personal data was erased: this file cannot be read"
                )
            if stored is not None:
                try:
                    data = unseal_file(key, attachment.sealed_under, stored)
                except ValueError:
                    data = None
        if data is None or sha256_hex(data) != attachment.sha256:
            raise AttachmentUnavailable(
                "the file's stored bytes are missing or altered; `oversight audit verify` "
                "names every such file"
            )
        return AttachmentContent(
            id=attachment_id,
            name=entry["name"],
            content_type=attachment.content_type.value,
            data=data,
        )

    def thumbnail(self, attachment_id: UUID, viewer: Actor) -> Thumbnail:
        """A small copy of a photo, for whoever may read it (缩略图); NotAnImage for other
        files and for photos that cannot be drawn."""
        content = self.open_attachment(attachment_id, viewer)
        if not content.is_image or self.make_thumbnail is None:
            raise NotAnImage("only photos (JPEG, PNG) have thumbnails")
        with self._thumbnails_lock:
            kept = self._thumbnails.get(attachment_id)
            if kept is not None:
                self._thumbnails.move_to_end(attachment_id)
                return kept
        try:
            content_type, data = self.make_thumbnail(content.data)
        except ValueError as error:
            raise NotAnImage(f"no thumbnail can be drawn of this photo: {error}") from error
        made = Thumbnail(content_type=content_type, data=data)
        with self._thumbnails_lock:
            self._thumbnails[attachment_id] = made
            while len(self._thumbnails) > THUMBNAILS_KEPT:
                self._thumbnails.popitem(last=False)
        return made

    def _readable_owner(self, owner_type: OwnerType, owner_id: UUID, viewer: Actor) -> Any:
        """The record, when the viewer may read it (as its own read route decides)."""
        if owner_type is OwnerType.CASE:
            return self._readable_case(owner_id, viewer)
        if owner_type is OwnerType.ORDER:
            return self._readable_order(owner_id, viewer)
        if viewer.role is not Role.INSPECTOR:
            raise AttachingNotAllowed(f"the files of a {owner_type} are read by inspectors")
        if owner_type is OwnerType.DEDUCTION:
            return self._deduction(owner_id)
        return self._visit(owner_id)

    # Verification -----------------------------------------------------------------------

    def verify_attachments(self) -> FilesReport:
        """Check every stored file against the hash its `Attachment` recorded; name those
        missing or altered. A file whose key was erased is counted as erased (its sealed
        bytes are still checked: the stored hash needs no key)."""
        checked = erased = 0
        problems: list[FileProblem] = []
        for position, event in self._attached_events():
            checked += 1
            stored = self.attachment_store.get(event.stored_sha256)
            if event.sealed_under is not None and self._erased(event.sealed_under):
                erased += 1
            if stored is None:
                problems.append(FileProblem(event.originator_id, "missing", position))
            elif sha256_hex(stored) != event.stored_sha256:
                problems.append(FileProblem(event.originator_id, "altered", position))
        return FilesReport(checked=checked, erased=erased, problems=problems)

    def _attached_events(self) -> Iterator[tuple[int, Any]]:
        start: int | None = None
        while True:
            page = self.recorder.select_notifications(
                start, VERIFY_PAGE, topics=(ATTACHED_TOPIC,), inclusive_of_start=start is None
            )
            for notification in page:
                yield notification.id, self.mapper.to_domain_event(notification)
            if len(page) < VERIFY_PAGE:
                return
            start = page[-1].id

    def _erased(self, key_id: UUID) -> bool:
        try:
            return self.personal_data_keys.key_for_reading(key_id) is None
        except PersonalDataKeyMissing:
            return False


def _sealing_key_of(owner: Any) -> UUID | None:
    """The case whose data key seals a record's files: the case itself, or the case an order
    was made from; None for files that hold nobody's personal data."""
    if isinstance(owner, Case):
        return owner.id
    if isinstance(owner, RectificationOrder) and owner.source_type is OrderSourceType.CASE:
        try:
            return UUID(str(owner.source_ref))
        except ValueError:
            return None
    return None


def with_files(report: VerificationReport, files: FilesReport) -> VerificationReport:
    """The ledger's verification with the files' added: not ok if any file is missing or
    altered, the message naming the first such file after the ledger's own finding."""
    if files.ok:
        message = report.message
    else:
        first = files.problems[0]
        named = (
            f"evidence file {first.attachment_id} (recorded at position {first.position}) "
            f"is {first.problem}"
        )
        more = len(files.problems) - 1
        if more:
            named += f", and {more} more file{'s' if more > 1 else ''}"
        message = named if report.ok else f"{report.message}; {named}"
    return replace(
        report,
        ok=report.ok and files.ok,
        message=message,
        files_checked=files.checked,
        files_erased=files.erased,
        file_problems=tuple(files.problems),
    )
