"""The monthly report as files a department's leadership opens in Excel: XLSX and CSV.

Both state first the instant of record time the report reflects (§14, 数据截至): the `as_of`
asked for, or the moment the report was made. Nothing else in them depends on when they are
written, so the same `as_of` writes the same CSV bytes and the same workbook cells (and
document properties, dated `as_of`).

XLSX: a summary sheet (汇总) and one sheet per department, each with a title row naming the
month, its windows' and staff's scores, and every deduction in force. CSV: one table, UTF-8
with a byte-order mark so that Excel shows the Chinese; one line per window or staff member,
and one more per further deduction charged to them. The month's notices (通报), if any, are
a sheet of their own (通报) in the workbook, and a second table after a blank line in the CSV;
the month's satisfaction surveys (满意度调查) beside the online ratings likewise, after them,
the month's A/B post cover gaps (AB岗缺岗), if any, after those, and the staff assessments
(千人千题: each staff member's latest result as of the month's end and whether a retest is
due, per department), and the item metrics (事项: per item the month's cases named, by
category, its ratings and bad ones, complaints of several trips), and the month's inspection
visits (暗访巡查) last.

Text in them comes from people (names, evidence, reasons) and may be anything the store
holds. A character a spreadsheet cannot hold shows as U+FFFD (`domain.text.storable`); text
is never a formula (OWASP, "CSV Injection"): XLSX cells of text are typed as strings, and a
CSV cell starting with = + - @, tab or carriage return is prefixed with an apostrophe, which
spreadsheets take as "text follows". Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from application.queries import CaseSummary
from application.scores import DeductionLine, DepartmentReport, MonthlyReport, SubjectScore
from domain.calendar import OFFICE_TZ
from domain.labels import label
from domain.text import storable

# The line stating the instant the report reflects (§14): first in the CSV, and under the
# summary sheet's title.
AS_OF_LABEL = "数据截至"
AS_OF_ASKED = "指定时点的记录"
AS_OF_MADE = "生成报表时的记录（未指定时点）"
SUMMARY_SHEET = "汇总"
SUMMARY_HEADERS = (
    "部门",
    "窗口数",
    "工作人员数",
    "窗口平均分",
    "工作人员平均分",
    "扣分次数",
    "扣分",
)
CASE_LIST_SHEET = "工单"
CASE_LIST_HEADERS = (
    "流水号",
    "诉求类型",
    "渠道",
    "状态",
    "承办部门",
    "窗口",
    "分类",
    "紧急",
    "摘要",
    "登记时间",
    "办理期限",
    "超期",
    "满意度",
)
SCORE_HEADERS = ("类别", "窗口", "工作人员", "得分", "扣分")
DEDUCTION_HEADERS = ("时间", "窗口", "工作人员", "扣分事项", "扣分", "扣分对象", "依据", "来源")
CSV_HEADERS = (
    "月份",
    "部门",
    "类别",
    "窗口",
    "工作人员",
    "得分",
    "扣分",
    "扣分事项",
    "事项扣分",
    "时间",
    "依据",
)
# The month's notices (通报, §15): a sheet of the workbook, a table after the CSV's own.
NOTICE_SHEET = "通报"
NOTICE_HEADERS = ("发布时间", "类型", "对象", "部门", "标题", "正文", "状态", "撤回理由")
# The month's satisfaction surveys (满意度调查, §16) beside the online ratings, per window:
# a sheet of the workbook, a table after the CSV's others.
SURVEY_SHEET = "满意度调查"
SURVEY_HEADERS = (
    "部门",
    "窗口",
    "来源",
    "测评机构",
    "样本量",
    "平均分",
    "差评",
    "非常不满意",
    "不满意",
    "一般",
    "满意",
    "非常满意",
)
# The month's A/B post cover gaps (AB岗, §16): a sheet, and a table after the notices in the CSV.
COVER_GAP_SHEET = "AB岗缺岗"
COVER_GAP_HEADERS = ("窗口", "日期", "部门", "无人在岗起", "扣分事项", "处理结果", "不予扣分理由")
# Staff assessments (千人千题, §16): a sheet of the workbook, a table at the end of the CSV.
ASSESSMENT_SHEET = "千人千题"
ASSESSMENT_HEADERS = (
    "部门",
    "工号",
    "姓名",
    "最近考试",
    "考试日期",
    "成绩",
    "合格分",
    "结果",
    "补考",
)
# The month's item metrics (事项, §16): a sheet of the workbook, a table after the others.
ITEM_SHEET = "事项"
ITEM_HEADERS = (
    "事项编码",
    "事项名称",
    "部门",
    "最多跑一次",
    "工单",
    "按分类",
    "评价",
    "差评",
    "多次跑动投诉",
)
# The month's inspection visits (暗访巡查, §16): a sheet, and a table after the CSV's others.
VISIT_SHEET = "暗访巡查"
VISIT_HEADERS = ("日期", "方式", "窗口", "扣分", "整改通知", "工单", "检查情况")
# How a revoked deduction is marked, in the files and on the pages.
REVOKED = "已撤销"
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\\t\n\r]")
# What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel's limit on the characters of one cell.
XLSX_CELL_MAX = 32_767
_SHEET_NAME_MAX = 31
_MAX_COLUMN_WIDTH = 60
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def report_filename(report: MonthlyReport, department: str | None, extension: str) -> str:
    """e.g. oversight-report-2026-11.xlsx, or …-2026-11-taxation.csv for one department."""
    scope = f"-{department}" if department else ""
    return f"oversight-report-{report.month}{scope}.{extension}"


def as_of_row(report: MonthlyReport) -> list[object]:
    """The line stating the instant the report reflects, in office time, and whether it was
    asked for or is the moment the report was made."""
    instant = report.stated_as_of.astimezone(OFFICE_TZ).isoformat()
    return [AS_OF_LABEL, instant, AS_OF_ASKED if report.as_of_asked else AS_OF_MADE]


def month_title(month: str) -> str:
    """2026-11 as 2026年11月."""
    year, number = month.split("-")
    return f"{year}年{int(number)}月"


# XLSX ------------------------------------------------------------------------------


def report_xlsx(report: MonthlyReport) -> bytes:
    """The report as an Excel workbook: 汇总, then one sheet per department."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = SUMMARY_SHEET
    _title(summary, f"{month_title(report.month)} 双百分考核汇总", len(SUMMARY_HEADERS))
    _append(summary, as_of_row(report))
    _header(summary, 3, SUMMARY_HEADERS)
    for department in report.departments:
        _append(summary, summary_row(department))
    _fit_columns(summary)
    taken: set[str] = {SUMMARY_SHEET}
    for department in report.departments:
        sheet = book.create_sheet(_sheet_name(department.name, taken))
        _department_sheet(sheet, report.month, department)
    for table in SECTION_TABLES:
        rows = list(table.rows(report))
        if rows:
            _section_sheet(book.create_sheet(table.sheet), report.month, table, rows)
    return _saved(book, report.stated_as_of)


def _saved(book: Workbook, as_of: datetime) -> bytes:
    """The workbook's bytes, its document properties dated `as_of` rather than the moment of
    writing (`Workbook.save` dates them now)."""
    book.properties.created = book.properties.modified = as_of.astimezone(UTC).replace(
        tzinfo=None  # the properties are UTC without an offset
    )
    buffer = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return buffer.getvalue()


def _section_sheet(
    sheet: Worksheet, month: str, table: SectionTable, rows: list[list[object]]
) -> None:
    _title(sheet, f"{month_title(month)} {table.title}", len(table.headers))
    _header(sheet, 2, table.headers)
    for row in rows:
        _append(sheet, row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    _fit_columns(sheet)
    sheet.freeze_panes = "A3"


def summary_row(department: DepartmentReport) -> list[object]:
    """A department's line of the summary (SUMMARY_HEADERS), counting deductions in force."""
    in_force = [d for d in department.deductions if not d.revoked]
    return [
        department.name,
        len(department.windows),
        len(department.staff),
        _average(s.score for s in department.windows),
        _average(s.score for s in department.staff),
        len(in_force),
        sum(d.points for d in in_force),
    ]


def _department_sheet(sheet: Worksheet, month: str, department: DepartmentReport) -> None:
    _title(sheet, f"{department.name} {month_title(month)} 双百分考核", len(DEDUCTION_HEADERS))
    _header(sheet, 2, SCORE_HEADERS)
    for score in (*department.windows, *department.staff):
        _append(sheet, _score_row(score))
    _header(sheet, sheet.max_row + 2, DEDUCTION_HEADERS)  # a blank row between the tables
    for line in department.deductions:
        _append(sheet, _deduction_row(line))
        sheet.cell(sheet.max_row, 1).number_format = "yyyy-mm-dd hh:mm"
    if not department.deductions:
        _append(sheet, ["本月无扣分"])
    _fit_columns(sheet)
    sheet.freeze_panes = "A3"


def notice_rows(report: MonthlyReport) -> Iterable[list[object]]:
    """One line per notice of the month (NOTICE_HEADERS), oldest first; a withdrawn one says
    so, with the reason."""
    names = {department.id: department.name for department in report.departments}
    for notice in report.notices:
        subject = notice.subject
        shown = f"{label('notice_subject', subject.type)} {subject.name}"
        department = subject.department or ""
        yield [
            _local(notice.published_at) if notice.published_at else None,
            label("notice_kind", notice.kind),
            f"{shown}（{subject.category}）" if subject.category else shown,
            names.get(department, department),
            notice.title,
            notice.text,
            label("notice_status", notice.status),
            notice.withdraw_reason or "",
        ]


def survey_rows(report: MonthlyReport) -> Iterable[list[object]]:
    """Per window with a survey ending in the month (SURVEY_HEADERS): its online ratings,
    then each survey source, with their sample sizes."""
    names = {department.id: department.name for department in report.departments}
    for window in report.surveys:
        department = names.get(window.department, window.department)
        online = window.online
        yield [
            department,
            window.window,
            label("survey_source", "online"),
            "",
            online.ratings,
            online.rating_average,
            online.bad_ratings,
            *online.by_rating,
        ]
        for survey in window.surveys:
            yield [
                department,
                window.window,
                label("survey_source", survey.source),
                survey.provider or "",
                survey.forms,
                survey.average,
                survey.bad,
                *survey.by_rating,
            ]


def cover_gap_rows(report: MonthlyReport) -> Iterable[list[object]]:
    """One line per cover gap of the month (COVER_GAP_HEADERS), by day: the window, the day,
    the first moment neither post was on duty, and what the inspectors decided."""
    names = {department.id: department.name for department in report.departments}
    for gap in report.cover_gaps:
        yield [
            gap.window,
            gap.day.isoformat(),
            names.get(gap.department, gap.department),
            _local(gap.starts_at).strftime("%H:%M"),
            "AB岗未落实",
            label("cover_gap_status", gap.status),
            gap.reason or "",
        ]


def assessment_rows(report: MonthlyReport) -> Iterable[list[object]]:
    """One line per staff member with a result by the month's end (ASSESSMENT_HEADERS), by
    department: the latest result, and whether a retest is due (补考) since which day."""
    names = {department.id: department.name for department in report.departments}
    for standing in report.assessments:
        due = f"待补考（{standing.due_since.isoformat()} 起）" if standing.due_since else "待补考"
        yield [
            names.get(standing.department, standing.department),
            standing.staff,
            standing.name,
            standing.title,
            standing.held_on,
            standing.score,
            standing.pass_mark,
            "合格" if standing.passed else "不合格",
            due if standing.retest_due else "",
        ]


def item_rows(report: MonthlyReport) -> Iterable[list[object]]:
    """One line per item the month's cases or ratings named (ITEM_HEADERS), by code."""
    names = {department.id: department.name for department in report.departments}
    for item in report.items:
        by_category = "；".join(f"{c} {n}" for c, n in sorted(item.cases_by_category.items()))
        yield [
            item.code,
            item.name + ("（已取消）" if item.withdrawn else ""),
            names.get(item.department, item.department),
            "是" if item.at_most_one_trip else "否",
            item.cases,
            by_category,
            item.ratings,
            item.bad_ratings,
            item.several_trips,
        ]


def visit_rows(report: MonthlyReport) -> Iterable[list[object]]:
    """One line per visit of the month (VISIT_HEADERS), oldest first: its findings counted
    by what they became."""
    for visit in report.visits:
        yield [
            visit.day.isoformat(),
            label("visit_method", visit.method),
            "、".join(visit.windows),
            visit.findings.get("deduction", 0),
            visit.findings.get("order", 0),
            visit.findings.get("case", 0),
            visit.summary,
        ]


@dataclass(frozen=True)
class SectionTable:
    """A section of the report after the scores: a sheet of the workbook, a table of the CSV."""

    sheet: str
    title: str  # after the month's name
    headers: tuple[str, ...]
    rows: Callable[[MonthlyReport], Iterable[list[object]]]


# In the order the workbook's sheets and the CSV's tables follow the scores; an empty one is
# left out.
SECTION_TABLES = (
    SectionTable(NOTICE_SHEET, "通报", NOTICE_HEADERS, notice_rows),
    SectionTable(SURVEY_SHEET, "满意度调查与线上评价", SURVEY_HEADERS, survey_rows),
    SectionTable(COVER_GAP_SHEET, "AB岗缺岗", COVER_GAP_HEADERS, cover_gap_rows),
    SectionTable(ASSESSMENT_SHEET, "千人千题", ASSESSMENT_HEADERS, assessment_rows),
    SectionTable(ITEM_SHEET, "事项统计", ITEM_HEADERS, item_rows),
    SectionTable(VISIT_SHEET, "暗访巡查", VISIT_HEADERS, visit_rows),
)


def _score_row(score: SubjectScore) -> list[object]:
    if score.subject == "window":
        return [
            label("subject", "window"),
            f"{score.id} {score.name}",
            "",
            score.score,
            score.deducted,
        ]
    return [label("subject", "staff"), score.window, score.name, score.score, score.deducted]


def _deduction_row(line: DeductionLine) -> list[object]:
    window = (
        f"{line.window} {line.window_name}" if line.window and line.window_name else line.window
    )
    source = label("source_type", line.source_type)
    return [
        _local(line.occurred_at),
        window,
        line.staff_name or line.staff,
        _rule_shown(line),
        line.points,
        "、".join(label("subject", kind) for kind in line.charged),
        line.evidence,
        f"{source} {line.source_ref}" if line.source_ref else source,
    ]


def _append(sheet: Worksheet, values: Sequence[object]) -> None:
    """Append a row; its text as a spreadsheet can hold it, in cells typed as text."""
    sheet.append([_xlsx_text(value) if isinstance(value, str) else value for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # openpyxl makes a formula of text starting with "="


def _xlsx_text(text: str) -> str:
    text = storable(text)
    return text if len(text) <= XLSX_CELL_MAX else f"{text[: XLSX_CELL_MAX - 1]}…"


def _title(sheet: Worksheet, text: str, width: int) -> None:
    _append(sheet, [text])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(1, 1).font = _TITLE
    sheet.cell(1, 1).alignment = Alignment(horizontal="center")
    sheet.row_dimensions[1].height = 24


def _header(sheet: Worksheet, row: int, headers: Sequence[str]) -> None:
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(row, column, text)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL


def _fit_columns(sheet: Worksheet) -> None:
    widths: dict[int, float] = {}
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.value is not None:
                widths[cell.column] = max(widths.get(cell.column, 0), _display_width(cell.value))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(_MAX_COLUMN_WIDTH, width + 2)


def _display_width(value: object) -> float:
    text = value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else str(value)
    # A Chinese character takes about two columns of a Latin one.
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _sheet_name(name: str, taken: set[str]) -> str:
    base = _SHEET_NAME_FORBIDDEN.sub("_", storable(name)).strip("'")[:_SHEET_NAME_MAX] or "部门"
    candidate, n = base, 2
    while candidate in taken:
        suffix = f"({n})"
        candidate, n = f"{base[: _SHEET_NAME_MAX - len(suffix)]}{suffix}", n + 1
    taken.add(candidate)
    return candidate


def case_list_xlsx(
    title: str, cases: Iterable[CaseSummary], department_names: dict[str, str]
) -> bytes:
    """A filtered case list as an Excel workbook, one case a row, times in office time."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = CASE_LIST_SHEET
    _title(sheet, title, len(CASE_LIST_HEADERS))
    _header(sheet, 2, CASE_LIST_HEADERS)
    for case in cases:
        department = case.assigned_department or case.department
        _append(
            sheet,
            [
                case.tracking_number,
                label("kind", case.kind),
                label("channel", case.channel),
                label("status", case.status),
                department_names.get(department, department) if department else "",
                case.window or "",
                case.category or "",
                "是" if case.urgent else "",
                case.summary,
                _local(case.registered_at),
                _local(case.due_at) if case.due_at else None,
                "是" if case.overdue else "",
                label("satisfaction", case.satisfaction) if case.satisfaction else "",
            ],
        )
    for cell in sheet["J"][2:] + sheet["K"][2:]:
        cell.number_format = "yyyy-mm-dd hh:mm"
    _fit_columns(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# CSV -------------------------------------------------------------------------------


def report_csv(report: MonthlyReport) -> bytes:
    """The report as CSV, UTF-8 with a byte-order mark (Excel reads it as UTF-8): the line
    stating its as_of, then one table, then a table per section."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(as_of_row(report))
    writer.writerow(CSV_HEADERS)
    for department in report.departments:
        for score in (*department.windows, *department.staff):
            writer.writerows(
                [csv_cell(value) for value in row]
                for row in _csv_rows(report.month, department, score)
            )
    for table in SECTION_TABLES:  # each section a table of its own, after a blank line
        rows = list(table.rows(report))
        if rows:
            writer.writerow([])
            writer.writerow(table.headers)
            writer.writerows([csv_cell(_csv_moment(value)) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def _csv_moment(value: object) -> object:
    """A moment as the CSV shows it (to the minute), a day as YYYY-MM-DD, the rest as it is."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat() if isinstance(value, date) else value


def csv_cell(value: object) -> object:
    """A CSV cell: text as a spreadsheet can hold it and never as a formula; numbers as they
    are (a negative number is a number, not a formula)."""
    if not isinstance(value, str):
        return value
    text = storable(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _csv_rows(
    month: str, department: DepartmentReport, score: SubjectScore
) -> Iterable[list[object]]:
    is_window = score.subject == "window"
    head = [
        month,
        department.name,
        label("subject", score.subject),
        f"{score.id} {score.name}" if is_window else (score.window or ""),
        "" if is_window else score.name,
        score.score,
        score.deducted,
    ]
    charged = [
        line
        for line in department.deductions
        if score.subject in line.charged and (line.window if is_window else line.staff) == score.id
    ]
    if not charged:
        yield [*head, "", "", "", ""]
    for line in charged:
        yield [
            *head,
            _rule_shown(line),
            line.points,
            _local(line.occurred_at).strftime("%Y-%m-%d %H:%M"),
            line.evidence,
        ]


def _rule_shown(line: DeductionLine) -> str:
    """The rule's name; a revoked deduction (listed only when asked for) says so, and an
    appealed one says how its appeal stands (申诉中, or its outcome)."""
    marks = [REVOKED] if line.revoked else []
    if line.appeal_status is not None:
        marks.append(appeal_mark(line.appeal_status))
    return f"{line.rule_name}（{'，'.join(marks)}）" if marks else line.rule_name


def appeal_mark(status: str) -> str:
    """How a deduction's appeal is marked in the files and on the pages: 申诉中 while open,
    then 申诉维持扣分 or 申诉撤销扣分."""
    text = label("appeal_status", status)
    return text if status == "open" else f"申诉{text}"


def _local(moment: datetime) -> datetime:
    # Excel has no time zones: moments are written as the centre's wall-clock time.
    return moment.astimezone(OFFICE_TZ).replace(tzinfo=None)


def _average(scores: Iterable[int]) -> float | None:
    values = list(scores)
    return round(sum(values) / len(values), 1) if values else None
