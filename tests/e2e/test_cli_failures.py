"""The `oversight` command on a store holding unstorable text, and when something fails."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from domain.text import REPLACEMENT
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import bootstrap
from tests.e2e.test_cli import run, run_november_report
from tests.factories import a_deduction, import_sample_directory, registered_case
from tests.support import SettableTimeSource, settings_for

ADMIN = Actor("admin", Role.ADMIN)


@pytest.fixture
def store_holding_nul(database_url: str) -> str:
    """A store whose case summary and deduction evidence hold NUL, recorded before the
    entrance refused it."""
    with bootstrap(
        settings_for(database_url), time_source=SettableTimeSource(), initialise=False
    ) as container:
        app = container.supervision
        import_sample_directory(app, ADMIN)
        app.load_conduct_rules(default_conduct_rules(), ADMIN)
        registered_case(app, summary="排队\x00过长", complainant={"name": "王芳"})
        app.record_deduction(
            a_deduction(
                rule="harsh_attitude",
                occurred_at=datetime(2026, 11, 3, 10, 15, tzinfo=OFFICE_TZ),
                evidence="暗访\x00录像\x07",
            ),
            Actor("inspector", Role.INSPECTOR),
        )
    return database_url


def test_the_monthly_report_is_written_from_a_store_holding_nul(
    store_holding_nul: str, tmp_path: Path
) -> None:
    output = tmp_path / "report.xlsx"

    done = run_november_report(store_holding_nul, output)

    assert done.returncode == 0, done.stderr
    book = load_workbook(output)
    cells = [cell.value for sheet in book for row in sheet.iter_rows() for cell in row]
    assert f"暗访{REPLACEMENT}录像{REPLACEMENT}" in cells


def test_a_rebuild_replays_a_store_holding_nul(store_holding_nul: str) -> None:
    done = run(store_holding_nul, "projections", "rebuild")

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("rebuilt case_list")


@pytest.mark.parametrize(
    "args",
    [
        ("report", "monthly", "--month", "2026-11", "--output", "report.xlsx"),
        ("projections", "rebuild"),
    ],
)
def test_a_command_that_cannot_reach_its_database_says_so_in_one_line_and_exits_1(
    database_url: str, args: tuple[str, ...]
) -> None:
    params = conninfo_to_dict(database_url)
    missing = make_conninfo(**{**params, "dbname": "oversight_no_such_database"})

    failed = run(missing, *args)

    assert failed.returncode == 1
    (line,) = failed.stderr.splitlines()
    assert line.startswith(f"error: {' '.join(args[:2])} failed: OperationalError: ")
    assert 'database "oversight_no_such_database" does not exist' in line


def test_the_traceback_of_a_failed_command_is_in_the_log_at_debug(database_url: str) -> None:
    params = conninfo_to_dict(database_url)
    missing = make_conninfo(**{**params, "dbname": "oversight_no_such_database"})

    failed = run(missing, "projections", "rebuild", log_level="DEBUG")

    assert failed.returncode == 1
    *logged, line = failed.stderr.splitlines()
    (entry,) = [json.loads(x) for x in logged if '"command_failed"' in x]
    assert entry["exception"][0]["exc_type"] == "OperationalError"
    assert entry["exception"][0]["frames"]
    assert line.startswith("error: projections rebuild failed: OperationalError: ")
