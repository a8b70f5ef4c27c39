"""Evidence files (附件, §17) on PostgreSQL and in a directory: bytes stored once by their
hash, a complainant's sealed under the case's key and unreadable after erasure, a refused
upload leaving nothing visible, and verification naming a tampered or missing stored file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest

from application.attachments import sha256_hex
from domain.attachment import Attachment, AttachmentErased, OwnerType
from domain.case import CaseNotFound
from infrastructure.attachment_store import DirectoryAttachmentStore, PostgresAttachmentStore
from interfaces.bootstrap import Container, bootstrap
from tests import attachment_samples as samples
from tests.factories import (
    INSPECTOR,
    OPERATOR,
    import_sample_directory,
    recorded_visit,
    registered_case,
)
from tests.support import SettableTimeSource, settings_for


def blobs(database_url: str) -> dict[str, bytes]:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute("SELECT sha256, content FROM attachment_blobs").fetchall()
    return {digest: bytes(content) for digest, content in rows}


def test_postgres_keeps_a_case_file_sealed_once_and_another_cases_copy_apart(
    container: Container, database_url: str
) -> None:
    app = container.supervision
    assert isinstance(app.attachment_store, PostgresAttachmentStore)
    case = registered_case(app)
    photo = samples.png()
    first = app.attach_file(OwnerType.CASE, case, name="a.png", data=photo, by=OPERATOR)
    app.attach_file(OwnerType.CASE, case, name="again.png", data=photo, by=INSPECTOR)
    stored = blobs(database_url)
    assert len(stored) == 1
    (sealed,) = stored.values()
    assert photo not in sealed
    assert sha256_hex(sealed) in stored
    app.attach_file(OwnerType.CASE, registered_case(app), name="a.png", data=photo, by=OPERATOR)
    assert len(blobs(database_url)) == 2
    assert app.open_attachment(first.id, OPERATOR).data == photo


def test_postgres_keeps_a_visit_file_as_it_is(container: Container, database_url: str) -> None:
    app = container.supervision
    visit = recorded_visit(app)
    audio = samples.wav()
    app.attach_file(OwnerType.VISIT, visit.id, name="录音.wav", data=audio, by=INSPECTOR)
    assert blobs(database_url) == {sha256_hex(audio): audio}


def test_erasure_makes_a_stored_case_file_unreadable_and_verification_counts_it_erased(
    container: Container,
) -> None:
    app = container.supervision
    case = registered_case(app)
    view = app.attach_file(OwnerType.CASE, case, name="王芳.pdf", data=samples.pdf(), by=OPERATOR)
    app.erase_personal_data(case, reason="本人申请删除", by=INSPECTOR)
    with pytest.raises(AttachmentErased):
        app.open_attachment(view.id, INSPECTOR)
    report = container.verify_ledger_and_files()
    assert (report.files_checked, report.files_erased, report.file_problems) == (1, 1, ())


def test_an_upload_refused_after_its_bytes_were_stored_leaves_no_file_anyone_can_reach(
    container: Container, database_url: str
) -> None:
    app = container.supervision
    app.attachment_store.put(sha256_hex(samples.png()), samples.png())  # as a refused upload
    with pytest.raises(CaseNotFound):
        app.attach_file(OwnerType.CASE, uuid4(), name="a.png", data=samples.png(), by=OPERATOR)
    assert len(blobs(database_url)) == 1  # unreferenced bytes stay, reachable by no event
    assert app.verify_attachments().checked == 0


def test_verification_names_a_tampered_and_a_missing_file_in_postgres(
    container: Container, database_url: str
) -> None:
    app = container.supervision
    case = registered_case(app)
    tampered = app.attach_file(OwnerType.CASE, case, name="a.png", data=samples.png(), by=OPERATOR)
    removed = app.attach_file(OwnerType.CASE, case, name="b.pdf", data=samples.pdf(), by=OPERATOR)
    photo = app.repository.get(tampered.id)
    assert isinstance(photo, Attachment)
    with psycopg.connect(database_url) as connection:
        connection.execute(
            "UPDATE attachment_blobs SET content = content || '\\x00'::bytea WHERE sha256 = %s",
            (photo.stored_sha256,),
        )
        connection.execute(
            "DELETE FROM attachment_blobs WHERE sha256 <> %s", (photo.stored_sha256,)
        )
    report = container.verify_ledger_and_files()
    assert not report.ok
    assert {(p.attachment_id, p.problem) for p in report.file_problems} == {
        (tampered.id, "altered"),
        (removed.id, "missing"),
    }
    assert str(tampered.id) in report.message


@pytest.fixture
def directory_container(
    database_url: str, time_source: SettableTimeSource, tmp_path: Path
) -> Iterator[Container]:
    settings = settings_for(database_url, attachments_dir=tmp_path / "evidence")
    with bootstrap(settings, time_source=time_source, initialise=False) as built:
        import_sample_directory(built.supervision)
        yield built


def test_a_directory_keeps_each_content_once_by_its_hash_with_no_row_in_the_database(
    directory_container: Container, database_url: str, tmp_path: Path
) -> None:
    app = directory_container.supervision
    assert isinstance(app.attachment_store, DirectoryAttachmentStore)
    photo = samples.jpeg()
    visit = recorded_visit(app)
    for name in ("a.jpg", "b.jpg"):
        app.attach_file(OwnerType.VISIT, visit.id, name=name, data=photo, by=INSPECTOR)
    files = [p for p in (tmp_path / "evidence").rglob("*") if p.is_file()]
    digest = sha256_hex(photo)
    assert files == [tmp_path / "evidence" / digest[:2] / digest[2:4] / digest]
    assert files[0].read_bytes() == photo
    assert blobs(database_url) == {}


def test_verification_names_a_file_removed_from_the_directory(
    directory_container: Container, tmp_path: Path
) -> None:
    app = directory_container.supervision
    view = app.attach_file(
        OwnerType.CASE, registered_case(app), name="a.pdf", data=samples.pdf(), by=OPERATOR
    )
    for path in (tmp_path / "evidence").rglob("*"):
        if path.is_file():
            path.unlink()
    report = directory_container.verify_ledger_and_files()
    assert [(p.attachment_id, p.problem) for p in report.file_problems] == [(view.id, "missing")]
