"""Evidence files (附件, §17) without a database: the type judged from the content, names
sanitised, the Attachment aggregate, and attaching, reading, sealing, erasing and checking
files on the in-memory store."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from application.attachments import (
    InMemoryAttachmentStore,
    checked_type,
    seal_file,
    sha256_hex,
    unseal_file,
)
from application.supervision import Supervision
from domain.actor import Actor, Role
from domain.attachment import (
    MAX_NAME,
    AttachingNotAllowed,
    Attachment,
    AttachmentErased,
    AttachmentNotFound,
    AttachmentTooLarge,
    AttachmentUnavailable,
    EmptyAttachment,
    FileType,
    OwnerType,
    UnsupportedFileType,
    sanitised_name,
    sniff,
)
from domain.case import Case, Kind, NotAssignedDepartment
from domain.labels import LABELS
from domain.personal_data import PersonalDataAlreadyErased
from domain.visit import VisitMethod
from infrastructure.conduct_file import default_conduct_rules
from tests import attachment_samples as samples
from tests.factories import (
    INSPECTOR,
    OPERATOR,
    OTHER_DEPARTMENT,
    SAMPLE_DEPARTMENT_ACTOR,
    a_deduction,
    assigned_case,
    issued_order,
    recorded_visit,
    registered_case,
)
from tests.support import DIRECTORY_ADMIN, START

OTHER_DEPARTMENT_ACTOR = Actor("dept-2", Role.DEPARTMENT, department=OTHER_DEPARTMENT)


# The type, from the content ------------------------------------------------------------


@pytest.mark.parametrize(
    ("made", "expected"),
    [
        (samples.png, FileType.PNG),
        (samples.jpeg, FileType.JPEG),
        (samples.pdf, FileType.PDF),
        (samples.wav, FileType.WAV),
        (samples.mp3, FileType.MP3),
        (samples.mp4, FileType.MP4),
        (samples.m4a, FileType.M4A),
    ],
)
def test_each_accepted_type_is_recognised_from_its_content(made, expected) -> None:
    assert sniff(made()[:64]) is expected


def test_an_mp3_with_an_id3_tag_is_recognised() -> None:
    assert sniff(b"ID3\x04\x00\x00\x00\x00\x00\x00" + samples.mp3()) is FileType.MP3


@pytest.mark.parametrize(
    "content",
    [
        samples.html(),
        b"plain words",
        b"MZ\x90\x00",  # a Windows program
        b"PK\x03\x04",  # a zip (or an Office file)
        b"\xff\xfb\xf0\x64",  # an MP3-like sync with a forbidden bitrate
        b"\x00\x00\x00\x18ftypqt  ",  # a QuickTime brand
        b"RIFF\x00\x00\x00\x00AVI ",
    ],
)
def test_other_content_is_not_recognised(content: bytes) -> None:
    assert sniff(content) is None


def test_the_limit_empty_and_unknown_content_are_refused_with_their_codes() -> None:
    with pytest.raises(EmptyAttachment):
        checked_type(b"", 1_000)
    with pytest.raises(AttachmentTooLarge):
        checked_type(samples.png() + b"\x00" * 1_000, 1_000)
    with pytest.raises(UnsupportedFileType):
        checked_type(samples.html(), 1_000)


# Names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("现场照片.png", "现场照片.png"),
        ("../../etc/passwd.png", "passwd.png"),
        ("C:\\Users\\王芳\\照片.png", "照片.png"),
        ("bad\x00name\x07.png", "badname.png"),
        ("evil\u202egnp.exe", "evilgnp.exe.png"),
        ("  spaced   out .png ", "spaced out.png"),
        ("", "附件.png"),
        (None, "附件.png"),
        ("...", "附件.png"),
        ("photo.PNG", "photo.png"),
        ("report.html", "report.html.png"),
        ('a:b*c?"d<e>f|g.png', "a_b_c__d_e_f_g.png"),
    ],
)
def test_names_are_sanitised_and_end_in_their_types_extension(given, kept) -> None:
    assert sanitised_name(given, FileType.PNG) == kept


def test_an_over_long_name_is_shortened_keeping_its_extension() -> None:
    name = sanitised_name("长" * 500 + ".pdf", FileType.PDF)
    assert len(name) == MAX_NAME
    assert name.endswith("长.pdf")


# The aggregate ---------------------------------------------------------------------------


def attached(**changes: Any) -> Attachment:
    """An image of ten bytes attached to a new case by the operator at START, but for `changes`."""
    owner = changes.get("owner_id", uuid4())
    fields: dict[str, Any] = {
        "attachment_id": uuid4(),
        "owner_type": OwnerType.CASE,
        "owner_id": owner,
        "content_type": FileType.PNG,
        "size": 10,
        "sha256": "a" * 64,
        "stored_sha256": "b" * 64,
        "sealed_under": owner,
        "by": OPERATOR,
        "at": START,
    }
    return Attachment.attach(**(fields | changes))


def test_an_attachment_records_its_hashes_type_size_owner_and_who() -> None:
    owner = uuid4()
    attachment = attached(owner_id=owner)
    (event,) = attachment.collect_events()
    assert isinstance(event, Attachment.Attached)
    assert (event.owner_type, event.owner_id, event.content_type) == ("case", owner, "image/png")
    assert (event.size, event.sha256, event.stored_sha256) == (10, "a" * 64, "b" * 64)
    assert event.actor == OPERATOR
    assert attachment.is_image


def test_an_empty_attachment_cannot_be_recorded() -> None:
    with pytest.raises(EmptyAttachment):
        attached(
            owner_type=OwnerType.VISIT,
            content_type=FileType.PDF,
            size=0,
            stored_sha256="a" * 64,
            sealed_under=None,
            by=INSPECTOR,
        )


def test_the_new_events_have_chinese_labels_and_the_new_codes_chinese_messages() -> None:
    for topic in ("Attachment.Attached", "Case.AttachmentAdded", "Visit.AttachmentAdded"):
        assert LABELS["event"][topic]
    for code in ("attachment_too_large", "unsupported_file_type", "empty_attachment"):
        assert LABELS["error"][code]


# Sealing ---------------------------------------------------------------------------------


def test_one_content_sealed_twice_under_one_key_is_the_same_bytes_and_opens_again() -> None:
    key, case_id, data = b"k" * 32, uuid4(), samples.png()
    first = seal_file(key, case_id, sha256_hex(data), data)
    assert first == seal_file(key, case_id, sha256_hex(data), data)
    assert first != seal_file(b"j" * 32, case_id, sha256_hex(data), data)
    assert unseal_file(key, case_id, first) == data
    with pytest.raises(ValueError, match="key"):
        unseal_file(key, uuid4(), first)


# The verbs -------------------------------------------------------------------------------


@pytest.fixture
def app(supervision: Supervision) -> Supervision:
    supervision.load_conduct_rules(default_conduct_rules(), DIRECTORY_ADMIN)
    return supervision


def test_a_case_file_is_listed_on_the_case_and_its_timeline_and_downloads_as_uploaded(
    app: Supervision,
) -> None:
    case_id = registered_case(app)
    data = samples.png()
    view = app.attach_file(OwnerType.CASE, case_id, name="现场.png", data=data, by=OPERATOR)
    assert (view.name, view.content_type, view.size) == ("现场.png", "image/png", len(data))
    assert view.sha256 == sha256_hex(data)
    assert [f.id for f in app.attachments(OwnerType.CASE, case_id, OPERATOR)] == [view.id]
    opened = app.open_attachment(view.id, INSPECTOR)
    assert (opened.data, opened.name, opened.content_type) == (data, "现场.png", "image/png")
    events = list(app.repository.event_store.get(case_id))
    assert isinstance(events[-1], Case.AttachmentAdded)


def test_a_case_file_is_stored_sealed_and_once_however_often_it_is_attached(
    app: Supervision,
) -> None:
    case_id = registered_case(app)
    data = samples.pdf()
    app.attach_file(OwnerType.CASE, case_id, name="a.pdf", data=data, by=OPERATOR)
    app.attach_file(OwnerType.CASE, case_id, name="b.pdf", data=data, by=INSPECTOR)
    store = app.attachment_store
    assert isinstance(store, InMemoryAttachmentStore)
    (stored,) = store.blobs.values()
    assert data not in stored
    other = registered_case(app)
    app.attach_file(OwnerType.CASE, other, name="a.pdf", data=data, by=OPERATOR)
    assert len(store.blobs) == 2  # under another case's key: other bytes


def test_a_visit_file_is_stored_as_it_is_and_once(app: Supervision) -> None:
    visit = recorded_visit(app, method=VisitMethod.UNANNOUNCED, summary="暗访")
    data = samples.wav()
    app.attach_file(OwnerType.VISIT, visit.id, name="录音.wav", data=data, by=INSPECTOR)
    app.attach_file(OwnerType.VISIT, visit.id, name="again.wav", data=data, by=INSPECTOR)
    assert list(app.attachment_store.blobs.values()) == [data]  # type: ignore[attr-defined]


def test_a_department_attaches_to_its_own_case_and_order_only(app: Supervision) -> None:
    case_id = assigned_case(app)
    app.attach_file(
        OwnerType.CASE, case_id, name="结果.pdf", data=samples.pdf(), by=SAMPLE_DEPARTMENT_ACTOR
    )
    with pytest.raises(AttachingNotAllowed):
        app.attach_file(
            OwnerType.CASE, case_id, name="x.pdf", data=samples.pdf(), by=OTHER_DEPARTMENT_ACTOR
        )
    order_id = issued_order(app)
    app.attach_file(
        OwnerType.ORDER, order_id, name="整改.pdf", data=samples.pdf(), by=SAMPLE_DEPARTMENT_ACTOR
    )
    with pytest.raises(AttachingNotAllowed):
        app.attach_file(OwnerType.ORDER, order_id, name="x.pdf", data=samples.pdf(), by=OPERATOR)


def test_deduction_files_are_attached_and_read_by_inspectors_only(app: Supervision) -> None:
    deduction = app.record_deduction(a_deduction(), INSPECTOR)
    view = app.attach_file(
        OwnerType.DEDUCTION, deduction.id, name="录像.mp4", data=samples.mp4(), by=INSPECTOR
    )
    assert app.open_attachment(view.id, INSPECTOR).content_type == "video/mp4"
    with pytest.raises(AttachingNotAllowed):
        app.open_attachment(view.id, OPERATOR)
    with pytest.raises(AttachingNotAllowed):
        app.attach_file(
            OwnerType.DEDUCTION, deduction.id, name="x.pdf", data=samples.pdf(), by=OPERATOR
        )


def test_another_department_cannot_read_a_case_file(app: Supervision) -> None:
    case_id = assigned_case(app)
    view = app.attach_file(OwnerType.CASE, case_id, name="a.png", data=samples.png(), by=OPERATOR)
    assert app.open_attachment(view.id, SAMPLE_DEPARTMENT_ACTOR).data == samples.png()
    with pytest.raises(NotAssignedDepartment):
        app.open_attachment(view.id, OTHER_DEPARTMENT_ACTOR)


def test_after_erasure_a_case_file_is_erased_its_name_gone_and_nothing_more_attached(
    app: Supervision,
) -> None:
    case_id = registered_case(app)
    view = app.attach_file(
        OwnerType.CASE, case_id, name="王芳身份证.png", data=samples.png(), by=OPERATOR
    )
    app.erase_personal_data(case_id, reason="本人申请删除", by=INSPECTOR)
    with pytest.raises(AttachmentErased):
        app.open_attachment(view.id, INSPECTOR)
    (listed,) = app.attachments(OwnerType.CASE, case_id, INSPECTOR)
    assert "王芳" not in listed.name
    with pytest.raises(PersonalDataAlreadyErased):
        app.attach_file(OwnerType.CASE, case_id, name="a.png", data=samples.png(), by=OPERATOR)
    report = app.verify_attachments()
    assert (report.ok, report.checked, report.erased) == (True, 1, 1)


def test_verification_names_an_altered_and_a_missing_file(app: Supervision) -> None:
    case_id = registered_case(app)
    altered = app.attach_file(
        OwnerType.CASE, case_id, name="a.png", data=samples.png(), by=OPERATOR
    )
    missing = app.attach_file(
        OwnerType.CASE, case_id, name="b.pdf", data=samples.pdf(), by=OPERATOR
    )
    store = app.attachment_store
    assert isinstance(store, InMemoryAttachmentStore)
    first, second = store.blobs
    store.blobs[first] = store.blobs[first][:-1] + b"\x00"
    del store.blobs[second]
    report = app.verify_attachments()
    assert not report.ok
    assert {(p.attachment_id, p.problem) for p in report.problems} == {
        (altered.id, "altered"),
        (missing.id, "missing"),
    }
    with pytest.raises(AttachmentUnavailable):
        app.open_attachment(altered.id, OPERATOR)


def test_a_department_sees_only_its_own_files_of_a_report_and_no_reporter_in_their_names(
    app: Supervision,
) -> None:
    reporter = {"name": "李建国", "phone": "13998765432"}
    case_id = assigned_case(app, kind=Kind.REPORT, staff="S0001", complainant=reporter)
    centre = app.attach_file(
        OwnerType.CASE, case_id, name="李建国身份证.png", data=samples.png(), by=OPERATOR
    )
    own = app.attach_file(
        OwnerType.CASE,
        case_id,
        name="李建国来电记录.pdf",
        data=samples.pdf(),
        by=SAMPLE_DEPARTMENT_ACTOR,
    )

    seen = app.attachments(OwnerType.CASE, case_id, SAMPLE_DEPARTMENT_ACTOR)
    assert [f.id for f in seen] == [own.id]
    assert "李建国" not in seen[0].name
    assert "李建国" not in str(app.get_case(case_id, SAMPLE_DEPARTMENT_ACTOR).attachments)
    with pytest.raises(AttachmentNotFound):
        app.open_attachment(centre.id, SAMPLE_DEPARTMENT_ACTOR)
    assert "李建国" not in app.open_attachment(own.id, SAMPLE_DEPARTMENT_ACTOR).name
    assert [f.name for f in app.attachments(OwnerType.CASE, case_id, INSPECTOR)] == [
        "李建国身份证.png",
        "李建国来电记录.pdf",
    ]
