"""Personal data keys in PostgreSQL: wrapped by the master key, erased for good, and sealed
fields in the stored events that hold no name, phone or address."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID, uuid4

import psycopg
import pytest
from pydantic import ValidationError

from domain.personal_data import PersonalDataAlreadyErased
from infrastructure.personal_data_keys import (
    KeyCache,
    MasterKeyError,
    MasterKeyMismatch,
    PostgresPersonalDataKeys,
    decode_master_key,
    read_or_create_master_key,
)
from infrastructure.settings import Settings
from interfaces.bootstrap import bootstrap
from tests.factories import INSPECTOR, a_complaint, import_sample_directory, registered_case
from tests.integration.read_side import dict_rows, open_container
from tests.support import TEST_MASTER_KEY, SettableTimeSource

MASTER_KEY = decode_master_key(TEST_MASTER_KEY)
NAME, PHONE, ADDRESS = "李雷", "13900001111", "和平路 8 号"


@pytest.fixture
def keys(database_url: str) -> Iterator[PostgresPersonalDataKeys]:
    store = PostgresPersonalDataKeys.connect(
        database_url, master_key=MASTER_KEY, time_source=SettableTimeSource()
    )
    yield store
    store.close()


def row_of(database_url: str, key_id: UUID) -> tuple[bytes | None, object, object] | None:
    with psycopg.connect(database_url) as connection:
        return connection.execute(
            "SELECT wrapped_key, created_at, erased_at FROM personal_data_keys WHERE key_id = %s",
            (key_id,),
        ).fetchone()


def test_a_data_key_is_stored_only_wrapped_and_reads_back_in_another_process(
    keys: PostgresPersonalDataKeys, database_url: str
) -> None:
    key_id = uuid4()
    key = keys.key_for_writing(key_id)

    row = row_of(database_url, key_id)
    other = PostgresPersonalDataKeys.connect(
        database_url, master_key=MASTER_KEY, time_source=SettableTimeSource()
    )
    try:
        assert other.key_for_reading(key_id) == key
        assert other.key_for_writing(key_id) == key  # made once, then the same key
    finally:
        other.close()
    assert row is not None
    assert row[0] is not None
    assert key not in bytes(row[0])
    assert len(key) == 32


def test_erasing_overwrites_the_wrapped_key_and_records_when(
    keys: PostgresPersonalDataKeys, database_url: str
) -> None:
    key_id = uuid4()
    keys.key_for_writing(key_id)

    assert keys.erase(key_id) is True
    assert keys.erase(key_id) is False  # nothing left to destroy

    wrapped, _, erased_at = row_of(database_url, key_id)  # type: ignore[misc]
    assert wrapped is None
    assert erased_at is not None
    assert keys.key_for_reading(key_id) is None
    with pytest.raises(PersonalDataAlreadyErased):
        keys.key_for_writing(key_id)


def test_another_process_stops_opening_an_erased_key_once_its_cache_expires(
    keys: PostgresPersonalDataKeys, database_url: str
) -> None:
    now = [0.0]
    other = PostgresPersonalDataKeys.connect(
        database_url,
        master_key=MASTER_KEY,
        time_source=SettableTimeSource(),
        cache=KeyCache(seconds=60, monotonic=lambda: now[0]),
    )
    try:
        key_id = uuid4()
        key = keys.key_for_writing(key_id)
        assert other.key_for_reading(key_id) == key

        keys.erase(key_id)
        now[0] += 61

        assert other.key_for_reading(key_id) is None
    finally:
        other.close()


def test_erasing_a_case_that_never_had_a_key_bars_new_personal_data_under_it(
    keys: PostgresPersonalDataKeys, database_url: str
) -> None:
    key_id = uuid4()

    assert keys.erase(key_id) is False

    assert row_of(database_url, key_id) is not None
    with pytest.raises(PersonalDataAlreadyErased):
        keys.key_for_writing(key_id)


def test_another_master_key_is_refused_at_start_with_a_clear_message(
    keys: PostgresPersonalDataKeys, database_url: str
) -> None:
    other_key = base64.b64encode(os.urandom(32)).decode()

    with pytest.raises(MasterKeyMismatch, match="OVERSIGHT_MASTER_KEY is not the master key"):
        bootstrap(
            Settings(
                database_url=database_url,
                access_code_key="ab" * 32,
                master_key=other_key,
                log_level="WARNING",
            ),
            initialise=False,
        )


def test_a_malformed_master_key_is_refused_by_the_settings() -> None:
    with pytest.raises(ValidationError, match="OVERSIGHT_MASTER_KEY must be base64"):
        Settings(master_key="not-a-key")
    with pytest.raises(MasterKeyError):
        decode_master_key(base64.b64encode(b"short").decode())


def test_without_a_configured_key_the_master_key_is_made_once_in_the_data_folder(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"

    key = read_or_create_master_key(data_dir)

    path = data_dir / "master.key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert read_or_create_master_key(data_dir) == key
    assert len(key) == 32
    assert sorted(p.name for p in data_dir.iterdir()) == ["master.key"]


def test_the_stored_events_of_a_registered_case_hold_no_name_phone_address_or_summary(
    database_url: str,
) -> None:
    with open_container(database_url, SettableTimeSource()) as container:
        import_sample_directory(container.supervision)
        case_id = registered_case(
            container.supervision, complainant={"name": NAME, "phone": PHONE, "address": ADDRESS}
        )
        seen = container.supervision.get_case(case_id, INSPECTOR).complainant

    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT state FROM oversight_events WHERE originator_id = %s", (case_id,)
        ).fetchall()
    assert rows
    for (state,) in rows:
        for secret in (NAME, PHONE, ADDRESS, a_complaint()["summary"]):
            assert secret.encode() not in bytes(state)
        assert b"W-A01" in bytes(state)  # the rest stays readable
    assert seen is not None
    assert seen["name"] == NAME


def test_an_erased_case_loads_in_a_fresh_process_and_its_stored_bytes_did_not_change(
    database_url: str,
) -> None:
    with open_container(database_url, SettableTimeSource()) as container:
        import_sample_directory(container.supervision)
        case_id = registered_case(container.supervision, complainant={"name": NAME, "phone": PHONE})
    before = _states(database_url, case_id)

    with open_container(database_url, SettableTimeSource()) as container:
        container.supervision.erase_personal_data(case_id, reason="本人申请", by=INSPECTOR)
    with open_container(database_url, SettableTimeSource()) as fresh:
        case = fresh.supervision.get_case(case_id, INSPECTOR)
        history = fresh.supervision.case_history(case_id, INSPECTOR)

    after = _states(database_url, case_id)
    assert after[: len(before)] == before  # the ledger hashes these bytes: they stay as stored
    assert case.complainant == {"erased": True}
    assert history[0].fields["complainant"] == {"erased": True}
    assert history[-1].type == "PersonalDataErased"


def _states(database_url: str, case_id: UUID) -> list[bytes]:
    rows = dict_rows(
        database_url,
        "SELECT state FROM oversight_events WHERE originator_id = %s ORDER BY originator_version",
        (case_id,),
    )
    return [bytes(row["state"]) for row in rows]
