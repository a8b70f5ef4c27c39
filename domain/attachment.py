"""Evidence files (附件, DESIGN §17): what a file is, judged from its bytes, and its record.

A file attached to a case, a rectification order, a deduction or a visit is recorded twice,
in one save: as an `Attachment` of its own (the checked type, the size, the SHA-256 of its
content and of the bytes as stored, the key it is sealed under, the record it belongs to),
which is what a download finds by the file's id; and as `AttachmentAdded` on the record it
belongs to, with the file's name, so the record lists its files and its timeline shows them
(附件). A case's file name is personal data, sealed under the case's key like its summary.

The type is judged from the content alone (its magic numbers), never from the name or the
declared type: a browser's guess and a renamed file say nothing. The name is kept only as a
label, sanitised: no path, no control or format characters, bounded, ending in the
extension of the type the content is.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.actor import Actor, Role
from domain.errors import Conflict, Forbidden, Gone, Invalid, NotFound
from domain.personal_data import ERASED, personal_text
from domain.privacy import identity_stand_ins, with_stand_ins

# A file name longer than this (characters, extension included) is shortened.
MAX_NAME = 120
# What a name with nothing left after sanitising is called (附件 = attachment).
DEFAULT_STEM = "附件"
# The bytes the type is judged from.
SNIFF_BYTES = 64


class OwnerType(StrEnum):
    """The kind of record a file belongs to."""

    CASE = "case"
    ORDER = "order"
    DEDUCTION = "deduction"
    VISIT = "visit"


class FileType(StrEnum):
    """The types of file accepted as evidence, as media types."""

    JPEG = "image/jpeg"
    PNG = "image/png"
    PDF = "application/pdf"
    MP3 = "audio/mpeg"
    M4A = "audio/mp4"
    WAV = "audio/wav"
    MP4 = "video/mp4"


EXTENSIONS: dict[FileType, tuple[str, ...]] = {
    FileType.JPEG: (".jpg", ".jpeg"),
    FileType.PNG: (".png",),
    FileType.PDF: (".pdf",),
    FileType.MP3: (".mp3",),
    FileType.M4A: (".m4a",),
    FileType.WAV: (".wav",),
    FileType.MP4: (".mp4",),
}
IMAGE_TYPES = frozenset({FileType.JPEG, FileType.PNG})

# ISO base media brands (the `ftyp` box): audio-only ones are M4A, the others MP4 video.
_AUDIO_BRANDS = frozenset({b"M4A ", b"M4B ", b"M4P "})
_VIDEO_BRANDS = frozenset(
    {
        b"isom",
        b"iso2",
        b"iso4",
        b"iso5",
        b"iso6",
        b"mp41",
        b"mp42",
        b"avc1",
        b"M4V ",
        b"MSNV",
        b"dash",
        b"mmp4",
        b"f4v ",
    }
)
# Characters no file name keeps: path separators and those Windows refuses.
_UNSAFE = re.compile(r'[\\/:*?"<>|]')
_SPACES = re.compile(r"\s+")


class AttachmentNotFound(NotFound):
    """No file has this id (or the caller may not know of it)."""

    code = "attachment_not_found"


class AttachmentTooLarge(Invalid):
    """The file is larger than the service's limit (OVERSIGHT_MAX_ATTACHMENT_BYTES)."""

    code = "attachment_too_large"


class UnsupportedFileType(Invalid):
    """The content is none of JPEG, PNG, PDF, MP3, M4A, WAV or MP4, whatever its name says."""

    code = "unsupported_file_type"


class EmptyAttachment(Invalid):
    """The file has no content, or the request carried no file in its field `file`."""

    code = "empty_attachment"


class AttachmentErased(Gone):
    """The complainant's personal data was erased: the file's key is gone, its bytes unreadable."""

    code = "attachment_erased"


class AttachmentUnavailable(Conflict):
    """The file's stored bytes are missing or do not match their recorded hash."""

    code = "attachment_unavailable"


class NotAnImage(NotFound):
    """Only photos (JPEG, PNG) have thumbnails."""

    code = "thumbnail_not_available"


class AttachingNotAllowed(Forbidden):
    """The caller may not attach files to this record."""

    code = "attaching_not_allowed"


def sniff(head: bytes) -> FileType | None:
    """The type of a file judged from its first bytes (at least SNIFF_BYTES of them when the
    file has that many), or None when it is none of the accepted types."""
    if head.startswith(b"\xff\xd8\xff"):
        return FileType.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.PNG
    if head.startswith(b"%PDF-"):
        return FileType.PDF
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return FileType.WAV
    if head[4:8] == b"ftyp" and len(head) >= 12:
        brand = head[8:12]
        if brand in _AUDIO_BRANDS:
            return FileType.M4A
        if brand in _VIDEO_BRANDS:
            return FileType.MP4
        return None
    if head.startswith(b"ID3") or _is_mp3_frame(head[:4]):
        return FileType.MP3
    return None


def _is_mp3_frame(header: bytes) -> bool:
    """An MPEG audio layer III frame header: 11 sync bits, a known version, layer III, a real
    bitrate and sampling rate."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return False
    version = (header[1] >> 3) & 0b11
    layer = (header[1] >> 1) & 0b11
    bitrate = header[2] >> 4
    sampling = (header[2] >> 2) & 0b11
    return version != 0b01 and layer == 0b01 and bitrate not in (0, 0xF) and sampling != 0b11


def sanitised_name(name: str | None, file_type: FileType) -> str:
    """A file's name fit to keep and to offer back: its last path part, without control,
    format (bidirectional overrides) or path characters, spaces collapsed, at most MAX_NAME
    characters, ending in an extension of `file_type`. Chinese stays as it is."""
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    text = _SPACES.sub(" ", _UNSAFE.sub("_", text)).strip().strip(".").strip()
    stem, dot, extension = text.rpartition(".")
    if not dot:
        stem, extension = text, ""
    allowed = EXTENSIONS[file_type]
    suffix = f".{extension.lower()}"
    if suffix not in allowed:
        stem, suffix = text, allowed[0]
    stem = stem.strip() or DEFAULT_STEM
    return stem[: MAX_NAME - len(suffix)].rstrip() + suffix


class Attachment(Aggregate):
    """One evidence file: what it is, where it belongs and how its bytes are kept."""

    TOPIC = "oversight:Attachment"

    class Event(Aggregate.Event):
        TOPIC = "oversight:Attachment.Event"
        actor: Actor

    class Attached(Event, Aggregate.Created):
        TOPIC = "oversight:Attachment.Attached"
        owner_type: str
        owner_id: UUID
        content_type: str
        size: int
        sha256: str  # of the content, as uploaded
        stored_sha256: str  # of the bytes as stored: the content, or its sealed form
        sealed_under: UUID | None  # the case whose data key seals the bytes

    def __init__(
        self,
        owner_type: str,
        owner_id: UUID,
        content_type: str,
        size: int,
        sha256: str,
        stored_sha256: str,
        sealed_under: UUID | None,
        actor: Actor,
    ) -> None:
        self.owner_type = OwnerType(owner_type)
        self.owner_id = owner_id
        self.content_type = FileType(content_type)
        self.size = size
        self.sha256 = sha256
        self.stored_sha256 = stored_sha256
        self.sealed_under = sealed_under
        self.attached_by = actor

    @classmethod
    def attach(
        cls,
        *,
        attachment_id: UUID,
        owner_type: OwnerType,
        owner_id: UUID,
        content_type: FileType,
        size: int,
        sha256: str,
        stored_sha256: str,
        sealed_under: UUID | None,
        by: Actor,
        at: datetime,
    ) -> Attachment:
        """Record a file whose bytes are stored already (上传附件)."""
        if size <= 0:
            raise EmptyAttachment("an attachment has content")
        return cls._create(
            cls.Attached,
            id=attachment_id,
            owner_type=OwnerType(owner_type).value,
            owner_id=owner_id,
            content_type=FileType(content_type).value,
            size=size,
            sha256=sha256,
            stored_sha256=stored_sha256,
            sealed_under=sealed_under,
            actor=by,
            timestamp=at,
        )

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES


def listed_attachment(
    *, attachment_id: UUID, name: str, content_type: FileType, size: int, sha256: str
) -> dict[str, Any]:
    """The fields of a record's `AttachmentAdded` event: how the record lists the file."""
    return {
        "attachment_id": attachment_id,
        "name": name,
        "content_type": FileType(content_type).value,
        "size": size,
        "sha256": sha256,
    }


def add_to_attachments(record: Any, event: Any) -> None:
    """Apply a record's `AttachmentAdded`: the file joins the record's list (records made
    before files existed have none yet)."""
    entry = {
        "id": event.attachment_id,
        "name": event.name,
        "content_type": event.content_type,
        "size": event.size,
        "sha256": event.sha256,
        "at": event.timestamp,
        "by": event.actor.name or event.actor.principal,
        "role": Role(event.actor.role).value,
    }
    record.__dict__.setdefault("attachments", []).append(entry)


def attachments_of(record: Any) -> list[dict[str, Any]]:
    """The files listed on a record, oldest first."""
    return list(getattr(record, "attachments", []))


def listed_entries(record: Any, viewer: Actor | None = None) -> list[dict[str, Any]]:
    """The files of a record as `viewer` may see them: id, name, content_type, size, sha256,
    attached_at, attached_by. A case's file name, once its personal data is erased, reads
    as the words that stand in for erased data, with its type's extension.

    A department never learns who reported (举报) its staff (§3): of a report's files it sees
    only those departments attached (the centre's may show the reporter), and every name
    with the identities the case quotes replaced, as in the case's other free text."""
    # A case erased since it was loaded still holds the names it read before.
    erased = getattr(record, "personal_data_erased", False)
    stand_ins = None
    if viewer is not None and hasattr(record, "complainant") and hasattr(record, "kind"):
        stand_ins = identity_stand_ins(viewer, str(record.kind), record.complainant or {})
    shown = []
    for entry in attachments_of(record):
        if viewer is not None and _withheld_from(record, viewer, entry):
            continue
        name = shown_name(ERASED if erased else entry["name"], FileType(entry["content_type"]))
        shown.append(
            {
                "id": entry["id"],
                "name": name if stand_ins is None else with_stand_ins(name, stand_ins),
                "content_type": entry["content_type"],
                "size": entry["size"],
                "sha256": entry["sha256"],
                "attached_at": entry["at"],
                "attached_by": entry["by"],
            }
        )
    return shown


def _withheld_from(record: Any, viewer: Actor, entry: dict[str, Any]) -> bool:
    """Whether a file of a report (举报) is kept from a department: one the centre attached."""
    kind = str(getattr(record, "kind", ""))
    return (
        kind == "report"
        and viewer.role is Role.DEPARTMENT
        and entry.get("role") != Role.DEPARTMENT.value
    )


def shown_name(name: Any, file_type: FileType) -> str:
    """A listed name as shown: sealed and erased, the stand-in words instead."""
    if isinstance(name, str):
        return name
    return sanitised_name(personal_text(name), file_type)
