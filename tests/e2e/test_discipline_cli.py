"""`oversight rules load` and `oversight report monthly` as administrators run them."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from infrastructure.conduct_file import default_conduct_rules
from interfaces.bootstrap import Container
from tests.e2e.test_cli import run, run_november_report
from tests.factories import a_deduction

INSPECTOR = Actor("inspector-li", Role.INSPECTOR)
RULES = len(default_conduct_rules())


def test_loading_the_default_catalogue_twice_records_nothing_the_second_time(
    database_url: str,
) -> None:
    first = run(database_url, "rules", "load", "--default")
    second = run(database_url, "rules", "load", "--default")

    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == f"{RULES} rules: {RULES} changes recorded"
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == f"{RULES} rules: 0 changes recorded"


def test_loading_an_edited_catalogue_records_only_the_changes(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n"
        "  - {code: lateness_early_leave, name_zh: 迟到早退, name_en: Late, points: 2,"
        " applies_to: staff}\n"
        "  - {code: integrity, name_zh: 吃拿卡要, name_en: Integrity, points: 100,"
        " applies_to: both, all_remaining: true}\n",
        encoding="utf-8",
    )
    run(database_url, "rules", "load", str(path))
    path.write_text(path.read_text(encoding="utf-8").replace("points: 2,", "points: 3,"), "utf-8")

    changed = run(database_url, "rules", "load", str(path))

    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.strip() == "2 rules: 1 changes recorded"


@pytest.mark.parametrize(
    ("args", "text", "message"),
    [
        ((), None, "either --default or a FILE"),
        (("--default", "FILE"), None, "either --default or a FILE"),
        (("FILE",), "rules: [{code: x}]", "missing field"),
        (
            ("FILE",),
            "rules: [{code: x, name_zh: 甲, name_en: A, points: 0, applies_to: staff}]",
            "1 to 100",
        ),
    ],
    ids=["neither", "both", "missing field", "no points"],
)
def test_a_bad_catalogue_is_refused_with_a_message(
    database_url: str, tmp_path: Path, args: tuple[str, ...], text: str | None, message: str
) -> None:
    path = tmp_path / "rules.yaml"
    if text is not None:
        path.write_text(text, encoding="utf-8")

    result = run(database_url, "rules", "load", *(str(path) if a == "FILE" else a for a in args))

    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def deducted(container: Container) -> None:
    """Two deductions in November 2026, recorded by the service (the CLI reads them)."""
    container.supervision.load_conduct_rules(default_conduct_rules(), Actor("admin", Role.ADMIN))
    for rule, staff, day in (("harsh_attitude", "S0001", 3), ("phone_or_games", "S0010", 10)):
        container.supervision.record_deduction(
            a_deduction(
                rule=rule,
                staff=staff,
                occurred_at=datetime(2026, 11, day, 10, 0, tzinfo=OFFICE_TZ),
                evidence="巡查记录",
            ),
            INSPECTOR,
        )


def test_the_monthly_report_is_written_as_a_workbook_after_catching_the_read_side_up(
    database_url: str, tmp_path: Path, deducted: None
) -> None:
    output = tmp_path / "2026-11.xlsx"

    result = run_november_report(database_url, output)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{output}: 2026-11, 30 departments, 2 deductions"
    book = load_workbook(output)
    assert book.sheetnames[0] == "汇总"
    rows = list(book["不动产登记中心"].iter_rows(min_row=3, values_only=True))
    assert ("工作人员", "W-A01", "韩蕾", 95, 5) in [r[:5] for r in rows]


def test_one_departments_report_as_csv_and_as_json(
    database_url: str, tmp_path: Path, deducted: None
) -> None:
    as_csv, as_json = tmp_path / "taxation.csv", tmp_path / "taxation.json"

    for path, kind in ((as_csv, "csv"), (as_json, "json")):
        result = run_november_report(
            database_url, path, "--department", "taxation", "--format", kind
        )
        assert result.returncode == 0, result.stderr

    _, *table = csv.reader(io.StringIO(as_csv.read_bytes().decode("utf-8-sig")))
    (peng,) = [row for row in table if row[4] == "彭莉"]
    assert (peng[1], peng[5], peng[7]) == ("税务局", "97", "上班玩手机/游戏")
    report = json.loads(as_json.read_text(encoding="utf-8"))
    assert [d["id"] for d in report["departments"]] == ["taxation"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--month", "2099-01"), "has not begun"),
        (("--month", "2026-1"), "YYYY-MM"),
        (("--month", "2026-11", "--department", "ministry-of-magic"), "no department"),
    ],
)
def test_a_report_the_record_cannot_give_is_refused_with_a_message(
    database_url: str, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = run(database_url, "report", "monthly", *args, "--output", str(tmp_path / "r.xlsx"))

    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "r.xlsx").exists()
