"""Reads a sheet of satisfaction survey results (满意度调查, XLSX) into rows to import, and
writes the template of that sheet (`oversight surveys import --template`).

The first sheet of the workbook; row 1 is the header, each further row one batch, in these
columns (a header cell may give the column's Chinese name or its key):

| column | key | Chinese | what |
|---|---|---|---|
| A | source | 来源 | `paper` or `third_party` (or 纸质问卷, 第三方测评) |
| B | provider | 测评机构 | the third party's name; empty for paper forms |
| C | window | 窗口 | the window's id in the directory |
| D | from | 开始日期 | the first day of collection (a date cell, or text 2026-11-01) |
| E | to | 结束日期 | the last day of collection |
| F–J | 1 … 5 | 非常不满意 … 非常满意 | how many forms gave each level (whole numbers ≥ 0) |

Empty rows are skipped. A row that cannot be read is named with its number and why; the
application names the rows it refuses the same way, and imports nothing if any row is bad.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from application.surveys import MAX_IMPORT_ROWS, RowProblem, SurveyRow, SurveySheet
from domain.labels import LABELS
from domain.survey import RATING_LEVELS, SurveyResults, SurveySource
from domain.text import why_refused

COLUMNS: tuple[tuple[str, str], ...] = (
    ("source", "来源"),
    ("provider", "测评机构"),
    ("window", "窗口"),
    ("from", "开始日期"),
    ("to", "结束日期"),
    *((level, LABELS["rating"][level]) for level in RATING_LEVELS),
)
# A sheet's file is at most this big (the console's upload, the command's file).
MAX_FILE_BYTES = 2_000_000
_SOURCES = {
    **{source.value: source for source in SurveySource},
    **{LABELS["survey_source"][source.value]: source for source in SurveySource},
}


class SurveyFileError(ValueError):
    """A file that is not a workbook of survey results at all (not XLSX, wrong header)."""


def read_survey_file(path: Path) -> SurveySheet:
    """The rows of a workbook on disk."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SurveyFileError(f"{path}: larger than {MAX_FILE_BYTES // 1_000_000} MB")
        content = path.read_bytes()
    except OSError as error:
        raise SurveyFileError(f"{path}: {error.strerror or error}") from error
    return parse_survey_file(content, str(path))


def parse_survey_file(content: bytes, source: str) -> SurveySheet:
    """The rows of a workbook's bytes (uploaded as `source`)."""
    if len(content) > MAX_FILE_BYTES:
        raise SurveyFileError(f"{source}: larger than {MAX_FILE_BYTES // 1_000_000} MB")
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise SurveyFileError(f"{source}: not an XLSX workbook ({type(error).__name__})") from error
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True, max_col=len(COLUMNS) + 5)
        header = next(rows, None)
        _check_header(header, source)
        found: list[SurveyRow] = []
        problems: list[RowProblem] = []
        for number, values in enumerate(rows, start=2):
            if all(value is None or str(value).strip() == "" for value in values):
                continue
            if len(found) + len(problems) >= MAX_IMPORT_ROWS:
                too_many = f"a sheet holds at most {MAX_IMPORT_ROWS} rows"
                problems.append(RowProblem(0, too_many, "survey_file_invalid"))
                break
            try:
                found.append(_row(number, values))
            except ValueError as problem:
                problems.append(RowProblem(number, str(problem)))
        return SurveySheet(rows=tuple(found), problems=tuple(problems))
    finally:
        book.close()


def _check_header(header: tuple[Any, ...] | None, source: str) -> None:
    shown = [str(cell).strip() if cell is not None else "" for cell in (header or ())]
    for index, (key, chinese) in enumerate(COLUMNS):
        cell = shown[index] if index < len(shown) else ""
        if cell not in (key, chinese):
            expected = ", ".join(f"{chinese} ({key})" for key, chinese in COLUMNS)
            raise SurveyFileError(
                f"{source}: row 1 must name the columns {expected}; column {index + 1} is "
                f"{cell or 'empty'!r}"
            )


def _row(number: int, values: tuple[Any, ...]) -> SurveyRow:
    cells = list(values) + [None] * (len(COLUMNS) - len(values))
    source_cell, provider, window, start, end, *counts = cells[: len(COLUMNS)]
    source = _SOURCES.get(_text(source_cell, "source") or "")
    if source is None:
        raise ValueError(f"source must be {' or '.join(s.value for s in SurveySource)}")
    results = SurveyResults(
        source=source,
        provider=_text(provider, "provider"),
        window=_text(window, "window") or "",
        start=_day(start, "from"),
        end=_day(end, "to"),
        counts=tuple(
            _count(count, level) for count, level in zip(counts, RATING_LEVELS, strict=True)
        ),
    )
    return SurveyRow(number, results)


def _text(value: Any, column: str) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    problem = why_refused(text)
    if problem is not None:
        raise ValueError(f"{column}: {problem}")
    if len(text) > 200:
        raise ValueError(f"{column}: at most 200 characters")
    return text or None


def _day(value: Any, column: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{column} must be a date (a date cell, or text such as 2026-11-01)")


def _count(value: Any, level: str) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, bool):
        raise ValueError(f"the count at level {level} is not a whole number")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 9:
        value = int(value.strip())
    if not isinstance(value, int):
        raise ValueError(f"the count at level {level} is not a whole number")
    return value


def survey_template() -> bytes:
    """A workbook with the header row and two example rows: a paper batch, a third party's."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "满意度调查"
    sheet.append([chinese for _, chinese in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(["paper", None, "W-A01", "2026-10-01", "2026-10-31", 0, 1, 3, 12, 24])
    sheet.append(
        ["third_party", "某某测评公司", "W-A01", "2026-10-01", "2026-10-31", 1, 2, 5, 40, 52]
    )
    widths = (12, 18, 10, 12, 12, 12, 10, 8, 8, 10)
    for column, width in zip("ABCDEFGHIJ", widths, strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
