"""The monthly report's XLSX and CSV hold any text the store holds, and never as a formula."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import replace
from datetime import datetime
from uuid import uuid4

import pytest
from openpyxl import load_workbook

from application.scores import DeductionLine, DepartmentReport, MonthlyReport, SubjectScore
from domain.calendar import OFFICE_TZ
from domain.text import REPLACEMENT
from interfaces.reports import report_csv, report_xlsx

FORMULA = '{}HYPERLINK("http://example.invalid","点此查看")'
# What OWASP lists as a formula's first character: = + - @, tab and carriage return.
FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]
UNHOLDABLE = ["\x00", "\x07", "\x0b", "\x1b", "\ud800", "\ufffe"]


def a_report(text: str, *, points: int = 5) -> MonthlyReport:
    """A month of one department whose every name, evidence and reference is `text`."""
    window = SubjectScore(
        subject="window",
        id="W-A01",
        name=f"{text}窗口",
        department="d1",
        department_name=text,
        window=None,
        score=95,
        deducted=5,
        deductions=1,
        active=True,
    )
    staff = replace(window, subject="staff", id="S0001", name=text, window="W-A01")
    line = DeductionLine(
        id=uuid4(),
        occurred_at=datetime(2026, 11, 3, 10, 15, tzinfo=OFFICE_TZ),
        month="2026-11",
        department="d1",
        department_name=text,
        window="W-A01",
        window_name=text,
        staff="S0001",
        staff_name=text,
        charged=("staff", "window"),
        rule="harsh_attitude",
        rule_name=text,
        points=points,
        all_remaining=False,
        evidence=text,
        source_type="unannounced_visit",
        source_ref=text,
    )
    department = DepartmentReport(
        id="d1", name=text, windows=(window,), staff=(staff,), deductions=(line,)
    )
    return MonthlyReport(
        "2026-11",
        (department,),
        position=1,
        caught_up=True,
        as_of=datetime(2026, 11, 27, 10, 0, tzinfo=OFFICE_TZ),
    )


def formulas_in(workbook: bytes) -> list[str]:
    """Every formula element of every sheet of an XLSX file."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        return [
            formula
            for name in sheets
            for formula in re.findall(r"<f[ >].*?</f>", archive.read(name).decode())
        ]


def cell_values(workbook: bytes) -> list[object]:
    book = load_workbook(io.BytesIO(workbook))
    return [cell.value for sheet in book for row in sheet.iter_rows() for cell in row]


def csv_rows(content: bytes) -> list[list[str]]:
    """The CSV's tables: its rows after the first, which states the report's as_of."""
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))[1:]


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_text_starting_like_a_formula_is_a_text_cell_of_the_xlsx(start: str) -> None:
    text = FORMULA.format(start)

    workbook = report_xlsx(a_report(text))

    assert formulas_in(workbook) == []
    # XML reads a carriage return as a line feed: text keeps its place and its meaning.
    values = [value for value in cell_values(workbook) if value == text.replace("\r", "\n")]
    # The department's name (summary), the staff member's (scores, deductions), the rule,
    # the evidence.
    assert len(values) == 5


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_text_starting_like_a_formula_is_quoted_as_text_in_the_csv(start: str) -> None:
    text = FORMULA.format(start)

    rows = csv_rows(report_csv(a_report(text)))

    (_, staff) = rows[1:]
    assert staff[1] == f"'{text}"  # the department's name
    assert staff[4] == f"'{text}"  # the staff member
    assert staff[7] == f"'{text}"  # the rule
    assert staff[10] == f"'{text}"  # the evidence
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith(tuple(FORMULA_STARTS)) for cell in cells)


@pytest.mark.parametrize("character", UNHOLDABLE)
def test_a_character_a_spreadsheet_cannot_hold_shows_as_the_replacement_in_the_xlsx(
    character: str,
) -> None:
    workbook = report_xlsx(a_report(f"暗访{character}录像"))

    assert f"暗访{REPLACEMENT}录像" in cell_values(workbook)
    assert f"暗访{REPLACEMENT}录像" in load_workbook(io.BytesIO(workbook)).sheetnames


@pytest.mark.parametrize("character", UNHOLDABLE)
def test_a_character_a_spreadsheet_cannot_hold_shows_as_the_replacement_in_the_csv(
    character: str,
) -> None:
    rows = csv_rows(report_csv(a_report(f"暗访{character}录像")))

    assert rows[1][10] == f"暗访{REPLACEMENT}录像"


def test_numbers_stay_numbers_even_negative_ones() -> None:
    report = a_report("=1+1", points=-5)

    workbook = load_workbook(io.BytesIO(report_xlsx(report)))
    rows = csv_rows(report_csv(report))

    sheet = workbook["=1+1"]
    (staff_score,) = [row for row in sheet.iter_rows(min_row=3) if row[0].value == "工作人员"]
    (deduction,) = [row for row in sheet.iter_rows(min_row=3) if row[4].value == -5]
    assert [(cell.value, cell.data_type) for cell in staff_score[3:5]] == [(95, "n"), (5, "n")]
    assert (deduction[4].data_type, deduction[3].data_type) == ("n", "s")
    assert rows[1][5:9] == ["95", "5", "'=1+1", "-5"]


def test_line_breaks_in_text_are_kept() -> None:
    rows = csv_rows(report_csv(a_report("第一行\r\n第二行\t完")))

    assert rows[1][10] == "第一行\r\n第二行\t完"


def test_text_longer_than_an_excel_cell_holds_is_cut_to_fit_and_says_so() -> None:
    workbook = report_xlsx(a_report("录" * 40_000))

    longest = max((v for v in cell_values(workbook) if isinstance(v, str)), key=len)
    assert len(longest) == 32_767
    assert longest.endswith("录…")
