"""Rotating the master key on real PostgreSQL: every data key re-wrapped under the new key, the
events unchanged, an interrupted rotation finished by running it again, and the old key
opening nothing afterwards."""

from __future__ import annotations

import base64
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest

from infrastructure.personal_data_keys import (
    MasterKeyMismatch,
    MasterKeyRotationRefused,
    MasterKeyRotationUnfinished,
    decode_master_key,
    master_key_fingerprint,
    read_or_create_next_master_key,
    rotate_master_key,
    unwrap,
)
from infrastructure.settings import Settings
from interfaces.bootstrap import Container, bootstrap, rotate_personal_data_master_key
from tests.factories import INSPECTOR, import_sample_directory, registered_case
from tests.integration.read_side import open_container
from tests.support import TEST_MASTER_KEY, SettableTimeSource, settings_for

OLD_KEY = decode_master_key(TEST_MASTER_KEY)
NEW_KEY = os.urandom(32)
NEW_KEY_TEXT = base64.b64encode(NEW_KEY).decode()
CASES = 7


class InjectedCrash(RuntimeError):
    """Stands for the process dying between two batches."""


@contextmanager
def container_of(settings: Settings) -> Iterator[Container]:
    built = bootstrap(settings, time_source=SettableTimeSource(), initialise=False)
    try:
        yield built
    finally:
        built.close()


def container_with(database_url: str, key_text: str) -> Any:
    return container_of(settings_for(database_url, master_key=key_text))


@pytest.fixture
def complainants(database_url: str) -> dict[UUID, Any]:
    """Cases registered under the old key, one of them erased: each case's complainant."""
    with open_container(database_url, SettableTimeSource()) as container:
        import_sample_directory(container.supervision)
        ids = [
            registered_case(
                container.supervision, complainant={"name": f"市民{n}", "phone": f"1390000{n:04d}"}
            )
            for n in range(CASES)
        ]
        container.supervision.erase_personal_data(ids[3], reason="本人申请删除", by=INSPECTOR)
        return {i: container.supervision.get_case(i, INSPECTOR).complainant for i in ids}


def key_rows(database_url: str) -> list[tuple[UUID, bytes | None, bytes | None]]:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT key_id, wrapped_key, wrapped_by FROM personal_data_keys ORDER BY key_id"
        ).fetchall()
    return [
        (key_id, bytes(wrapped) if wrapped else None, bytes(by) if by else None)
        for key_id, wrapped, by in rows
    ]


def stored_events(database_url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url) as connection:
        return connection.execute(
            "SELECT notification_id, topic, state FROM oversight_events ORDER BY notification_id"
        ).fetchall()


def rotate(database_url: str, **options: Any) -> Any:
    return rotate_master_key(
        database_url, old_key=OLD_KEY, new_key=NEW_KEY, time_source=SettableTimeSource(), **options
    )


def crash_after(batches: int) -> Any:
    seen = [0]

    def progress(done: int, total: int) -> None:
        seen[0] += 1
        if seen[0] == batches:
            raise InjectedCrash(f"killed after {done} of {total} keys")

    return progress


def test_an_interrupted_rotation_is_finished_by_running_it_again(
    database_url: str, complainants: dict[UUID, Any]
) -> None:
    events = stored_events(database_url)
    old, new = master_key_fingerprint(OLD_KEY), master_key_fingerprint(NEW_KEY)

    # when: the rotation dies after two batches of two keys
    with pytest.raises(InjectedCrash):
        rotate(database_url, batch_size=2, progress=crash_after(2))

    # then: the keys are split between the two master keys, none lost, and no process starts
    halfway = key_rows(database_url)
    assert Counter(by for _, wrapped, by in halfway if wrapped) == {new: 4, old: 2}
    for key_text in (TEST_MASTER_KEY, NEW_KEY_TEXT):
        with pytest.raises(MasterKeyRotationUnfinished, match="oversight keys rotate"):
            bootstrap(settings_for(database_url, master_key=key_text), initialise=False)

    # when: run again with the same keys
    report = rotate(database_url, batch_size=2)

    # then: every key is under the new master key; the events did not change
    assert (report.rewrapped, report.under_new_key, report.erased) == (2, CASES - 1, 1)
    assert not report.already_done
    finished = key_rows(database_url)
    assert all(by == new for _, wrapped, by in finished if wrapped)
    assert stored_events(database_url) == events
    # and each complainant reads back with the new key, the erased one still erased
    with container_with(database_url, NEW_KEY_TEXT) as container:
        for case_id, complainant in complainants.items():
            assert container.supervision.get_case(case_id, INSPECTOR).complainant == complainant
    assert complainants[list(complainants)[3]] == {"erased": True}
    # and the old key opens nothing any more, nor starts a process
    for key_id, wrapped, _ in finished:
        if wrapped is not None:
            with pytest.raises(MasterKeyMismatch):
                unwrap(OLD_KEY, key_id, wrapped)
    with pytest.raises(MasterKeyMismatch, match="not the master key"):
        bootstrap(settings_for(database_url), initialise=False)


def test_a_finished_rotation_run_again_changes_nothing(
    database_url: str, complainants: dict[UUID, Any]
) -> None:
    rotate(database_url)
    rows = key_rows(database_url)

    again = rotate(database_url)

    assert again.already_done
    assert again.rewrapped == 0
    assert key_rows(database_url) == rows


def test_keys_written_before_they_named_their_master_key_are_rotated_too(
    database_url: str, complainants: dict[UUID, Any]
) -> None:
    with psycopg.connect(database_url) as connection:
        connection.execute("UPDATE personal_data_keys SET wrapped_by = NULL")

    report = rotate(database_url)

    assert report.rewrapped == CASES - 1
    with container_with(database_url, NEW_KEY_TEXT) as container:
        for case_id, complainant in complainants.items():
            assert container.supervision.get_case(case_id, INSPECTOR).complainant == complainant


def test_a_rotation_refuses_to_run_beside_the_service_and_leaves_it_running(
    database_url: str, complainants: dict[UUID, Any]
) -> None:
    rows = key_rows(database_url)
    with open_container(database_url, SettableTimeSource()) as running:
        with pytest.raises(MasterKeyRotationRefused, match="the service is running"):
            rotate(database_url)

        case_id = registered_case(
            running.supervision, complainant={"name": "王五", "phone": "13700000000"}
        )
        seen = running.supervision.get_case(case_id, INSPECTOR).complainant

    assert seen is not None
    assert seen["name"] == "王五"
    old = master_key_fingerprint(OLD_KEY)
    assert set(rows) < set(key_rows(database_url))  # nothing re-wrapped, one key more
    assert all(by == old for _, wrapped, by in key_rows(database_url) if wrapped)
    with open_container(database_url, SettableTimeSource()):
        pass  # no rotation is on record: a process with the old key still starts


def test_a_rotation_to_a_third_key_is_refused_while_one_is_unfinished(
    database_url: str, complainants: dict[UUID, Any]
) -> None:
    with pytest.raises(InjectedCrash):
        rotate(database_url, batch_size=2, progress=crash_after(1))

    with pytest.raises(MasterKeyRotationRefused, match="another master key"):
        rotate_master_key(
            database_url, old_key=OLD_KEY, new_key=os.urandom(32), time_source=SettableTimeSource()
        )
    with pytest.raises(MasterKeyRotationRefused, match="key in use"):
        rotate_master_key(
            database_url, old_key=NEW_KEY, new_key=NEW_KEY, time_source=SettableTimeSource()
        )

    assert rotate(database_url).under_new_key == CASES - 1


def test_a_rotation_of_the_data_folder_key_interrupted_anywhere_finishes_on_the_next_run(
    database_url: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    settings = settings_for(database_url, master_key=None, data_dir=data_dir)
    with container_of(settings) as container:
        import_sample_directory(container.supervision)
        case_id = registered_case(
            container.supervision, complainant={"name": "赵六", "phone": "13600000000"}
        )
    old_key = (data_dir / "master.key").read_bytes()
    next_key = read_or_create_next_master_key(data_dir)

    # when: the command dies between two batches, then again after the database switched
    # to the new key but before the new key replaced the old one in the data folder
    with pytest.raises(InjectedCrash):
        rotate_master_key(
            database_url,
            old_key=old_key,
            new_key=next_key,
            time_source=SettableTimeSource(),
            batch_size=1,
            progress=crash_after(1),
        )
    rotate_master_key(
        database_url, old_key=old_key, new_key=next_key, time_source=SettableTimeSource()
    )
    with pytest.raises(MasterKeyMismatch, match="run it again to finish"):
        bootstrap(settings, initialise=False)

    # and it is run again
    rotated = rotate_personal_data_master_key(settings)

    # then: the data folder holds the new key, and the case reads back with it
    assert rotated.report.already_done
    assert rotated.key_file == data_dir / "master.key"
    assert (data_dir / "master.key").read_bytes() == next_key
    assert not (data_dir / "master.key.next").exists()
    with container_of(settings) as container:
        complainant = container.supervision.get_case(case_id, INSPECTOR).complainant
    assert complainant == {"name": "赵六", "phone": "13600000000"}
