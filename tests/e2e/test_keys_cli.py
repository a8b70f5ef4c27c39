"""`oversight keys rotate` as an administrator runs it: with the new key in a file (the key
in OVERSIGHT_MASTER_KEY), or made in the data folder (the key kept there)."""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path
from uuid import UUID

from infrastructure.settings import Settings
from interfaces.bootstrap import bootstrap
from tests.e2e.test_cli import OVERSIGHT, run
from tests.factories import INSPECTOR, import_sample_directory, registered_case
from tests.support import TEST_MASTER_KEY, SettableTimeSource, command_environment, settings_for

NEW_KEY = base64.b64encode(os.urandom(32)).decode()


def settings_with(
    database_url: str, master_key: str | None, data_dir: Path | None = None
) -> Settings:
    """The test's settings with this master key (None: the data folder's)."""
    where = {"data_dir": data_dir} if data_dir is not None else {}
    return settings_for(database_url, master_key=master_key, **where)


def complainants_of(settings: Settings, case_ids: list[UUID]) -> list[object]:
    with bootstrap(settings, time_source=SettableTimeSource(), initialise=False) as container:
        return [container.supervision.get_case(i, INSPECTOR).complainant for i in case_ids]


def cases_registered_with(settings: Settings) -> list[UUID]:
    with bootstrap(settings, time_source=SettableTimeSource(), initialise=False) as container:
        import_sample_directory(container.supervision)
        return [
            registered_case(
                container.supervision, complainant={"name": f"市民{n}", "phone": f"1380000{n:04d}"}
            )
            for n in range(3)
        ]


def run_in_data_folder(
    database_url: str, data_dir: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    env = command_environment(database_url)
    del env["OVERSIGHT_MASTER_KEY"]
    env["OVERSIGHT_DATA_DIR"] = str(data_dir)
    return subprocess.run(  # noqa: S603 -- our own console script with fixed arguments
        [OVERSIGHT, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_rotating_to_a_key_given_in_a_file_leaves_every_complainant_readable_with_it(
    database_url: str, tmp_path: Path
) -> None:
    case_ids = cases_registered_with(settings_with(database_url, TEST_MASTER_KEY))
    before = complainants_of(settings_with(database_url, TEST_MASTER_KEY), case_ids)
    new_key_file = tmp_path / "new.key"
    new_key_file.write_text(NEW_KEY + "\n", encoding="utf-8")

    rotated = run(database_url, "keys", "rotate", "--new-key-file", str(new_key_file))

    assert rotated.returncode == 0, rotated.stderr
    assert len(rotated.stdout.strip().splitlines()) == 1
    assert rotated.stdout.startswith("re-wrapped 3 data keys from master key ")
    assert "set OVERSIGHT_MASTER_KEY to the new key" in rotated.stdout
    assert complainants_of(settings_with(database_url, NEW_KEY), case_ids) == before
    with_old_key = run(database_url, "token", "list")
    assert with_old_key.returncode != 0
    assert "is not the master key this database" in with_old_key.stderr


def test_rotating_the_key_kept_in_the_data_folder_replaces_it_there(
    database_url: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    case_ids = cases_registered_with(settings_with(database_url, None, data_dir))
    old_key = (data_dir / "master.key").read_bytes()

    rotated = run_in_data_folder(database_url, data_dir, "keys", "rotate")

    assert rotated.returncode == 0, rotated.stderr
    assert f"{data_dir / 'master.key'} holds the new key" in rotated.stdout
    new_key = (data_dir / "master.key").read_bytes()
    assert new_key != old_key
    assert len(new_key) == 32
    assert (data_dir / "master.key").stat().st_mode & 0o777 == 0o600
    assert not (data_dir / "master.key.next").exists()
    assert complainants_of(settings_with(database_url, None, data_dir), case_ids) == [
        {"name": f"市民{n}", "phone": f"1380000{n:04d}"} for n in range(3)
    ]


def test_rotation_problems_are_one_line_and_exit_2(database_url: str, tmp_path: Path) -> None:
    cases_registered_with(settings_with(database_url, TEST_MASTER_KEY))
    malformed = tmp_path / "malformed.key"
    malformed.write_text("not a key\x00", encoding="utf-8")
    own_key = tmp_path / "own.key"
    own_key.write_text(TEST_MASTER_KEY, encoding="utf-8")

    refusals = [
        run(database_url, "keys", "rotate"),
        run(database_url, "keys", "rotate", "--new-key-file", str(malformed)),
        run(database_url, "keys", "rotate", "--new-key-file", str(tmp_path / "missing.key")),
        run(database_url, "keys", "rotate", "--new-key-file", str(own_key)),
    ]

    for refused, says in zip(
        refusals,
        ["--new-key-file", "base64 of exactly 32 bytes", "missing.key", "the master key in use"],
        strict=True,
    ):
        assert refused.returncode == 2, refused.stderr
        assert refused.stderr.startswith("error: ")
        assert says in refused.stderr
        assert "Traceback" not in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1


def test_rotation_is_refused_while_the_service_runs(database_url: str, tmp_path: Path) -> None:
    settings = settings_with(database_url, TEST_MASTER_KEY)
    cases_registered_with(settings)
    new_key_file = tmp_path / "new.key"
    new_key_file.write_text(NEW_KEY, encoding="utf-8")
    service = bootstrap(settings, time_source=SettableTimeSource(), initialise=False)
    try:
        refused = run(database_url, "keys", "rotate", "--new-key-file", str(new_key_file))
    finally:
        service.close()

    assert refused.returncode == 2
    assert "the service is running" in refused.stderr
    assert run(database_url, "token", "list").returncode == 0  # nothing changed
