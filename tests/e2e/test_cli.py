"""The `oversight` command as scripts and administrators call it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support import command_environment

OVERSIGHT = shutil.which("oversight") or str(Path(sys.executable).with_name("oversight"))


def run(
    database_url: str, *args: str, log_level: str = "WARNING"
) -> subprocess.CompletedProcess[str]:
    """`oversight` with these arguments against the test's database, logging at `log_level`."""
    return run_with(command_environment(database_url, log_level), *args)


def run_with(
    env: dict[str, str], *args: str, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`oversight` with these arguments in this environment, its output captured as text."""
    return subprocess.run(  # noqa: S603 -- our own console script with fixed arguments
        [OVERSIGHT, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_november_report(
    database_url: str, output: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """`oversight report monthly` for November 2026 written to `output`, with these further
    arguments."""
    return run(
        database_url, "report", "monthly", "--month", "2026-11", *args, "--output", str(output)
    )


def test_init_creates_the_schema_and_can_run_again(empty_database_url: str) -> None:
    first = run(empty_database_url, "init")
    second = run(empty_database_url, "init")

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "schema ready" in second.stdout


def test_importing_the_sample_twice_records_nothing_the_second_time(database_url: str) -> None:
    first = run(database_url, "directory", "import", "--sample")
    second = run(database_url, "directory", "import", "--sample")

    assert first.returncode == 0, first.stderr
    assert "33 departments" in first.stdout
    assert "0 changes recorded" not in first.stdout
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip().endswith("0 changes recorded")


def test_importing_a_changed_file_records_only_the_changes(
    database_url: str, tmp_path: Path
) -> None:
    original = {
        "departments": [{"id": "taxation", "name": "税务局", "name_en": "Taxation"}],
        "windows": [
            {"id": "W-1", "name": "办税窗口", "department": "taxation", "zone": "税务服务专区"}
        ],
        "staff": [
            {"id": "S1", "name": "张伟", "department": "taxation", "window": "W-1", "post": "A"}
        ],
    }
    path = tmp_path / "directory.yaml"
    path.write_text(yaml.safe_dump(original, allow_unicode=True), encoding="utf-8")
    run(database_url, "directory", "import", str(path))
    original["staff"][0]["name"] = "张薇"
    path.write_text(yaml.safe_dump(original, allow_unicode=True), encoding="utf-8")

    changed = run(database_url, "directory", "import", str(path))

    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.strip().endswith("1 changes recorded")


def test_a_malformed_directory_file_is_refused_with_a_message(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("departments: [{id: x}]\n", encoding="utf-8")

    result = run(database_url, "directory", "import", str(path))

    assert result.returncode == 2
    assert "error:" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_token_is_printed_alone_on_the_last_line(database_url: str) -> None:
    run(database_url, "directory", "import", "--sample")

    result = run(
        database_url,
        "token",
        "create",
        "--role",
        "department",
        "--department",
        "taxation",
        "--name",
        "税务局值班",
    )

    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert len(token) >= 40
    assert " " not in token


@pytest.mark.parametrize(
    "args",
    [
        ("--role", "department"),
        ("--role", "department", "--department", "ministry-of-magic"),
        ("--role", "operator", "--department", "taxation"),
        ("--role", "emperor"),
    ],
    ids=["department without id", "unknown department", "operator with department", "bad role"],
)
def test_bad_token_requests_are_refused(database_url: str, args: tuple[str, ...]) -> None:
    run(database_url, "directory", "import", "--sample")

    result = run(database_url, "token", "create", *args)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_the_deadline_command_explains_a_date_across_spring_festival(database_url: str) -> None:
    result = run(database_url, "deadline", "complaint", "--start", "2026-02-13T10:00:00+08:00")

    assert result.returncode == 0, result.stderr
    assert "acknowledge by: 2026-02-14T17:30:00+08:00" in result.stdout
    assert "due:            2026-03-12T17:30:00+08:00" in result.stdout
    assert "次日起算" in result.stdout
    assert "provisional:    no" in result.stdout


def test_the_deadline_command_marks_a_year_without_a_schedule_as_provisional(
    database_url: str,
) -> None:
    result = run(database_url, "deadline", "request", "--start", "2027-03-01T10:00:00", "--urgent")

    assert result.returncode == 0, result.stderr
    assert "provisional:    yes" in result.stdout


PUBLISHED_2027 = """\
year: 2027
source: 测试用示例安排
holidays:
  - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
makeup_workdays: [2027-01-09]
"""


def test_loading_a_published_year_records_it_once(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "2027.yaml"
    path.write_text(PUBLISHED_2027, encoding="utf-8")

    first = run(database_url, "calendar", "load", "2027", str(path))
    again = run(database_url, "calendar", "load", "2027", str(path))

    assert first.returncode == 0, first.stderr
    assert "3 days off and 1 make-up working days recorded" in first.stdout
    assert again.returncode == 0, again.stderr
    assert "already on record" in again.stdout


@pytest.mark.parametrize(
    ("year", "text", "message"),
    [
        ("2028", PUBLISHED_2027, "not 2028"),
        ("2027", PUBLISHED_2027.replace("[2027-01-09]", "[2027-01-08]"), "weekend"),
        ("2027", "year: 2027\n", "source"),
    ],
    ids=["another year", "make-up day on a weekday", "no source"],
)
def test_a_bad_calendar_file_is_refused_with_a_message(
    database_url: str, tmp_path: Path, year: str, text: str, message: str
) -> None:
    path = tmp_path / "year.yaml"
    path.write_text(text, encoding="utf-8")

    result = run(database_url, "calendar", "load", year, str(path))

    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_production_mode_refuses_to_start_with_the_test_keys(database_url: str) -> None:
    result = subprocess.run(  # noqa: S603
        [OVERSIGHT, "token", "create", "--role", "admin", "--name", "ops"],
        env={**command_environment(database_url), "OVERSIGHT_ENVIRONMENT": "production"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 2
    assert result.stderr.startswith("error: refusing to start in production")
    assert "OVERSIGHT_MASTER_KEY is a typed phrase" in result.stderr
    assert "Traceback" not in result.stderr
