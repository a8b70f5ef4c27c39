"""Reading a published year's holiday schedule from YAML."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from infrastructure.calendar_file import CalendarFileError, read_calendar_file

SCHEDULE = """\
year: 2027
source: 示例：2027年部分节假日安排（测试用）
holidays:
  - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
  - {name: 春节, from: 2027-02-06, to: 2027-02-12}
makeup_workdays: [2027-02-13, "2027-02-14"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "2027.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_holiday_periods_become_every_day_they_span(tmp_path: Path) -> None:
    schedule = read_calendar_file(write(tmp_path, SCHEDULE), 2027)

    assert schedule.year == 2027
    assert len(schedule.holidays) == 3 + 7
    assert date(2027, 2, 9) in schedule.holidays
    assert schedule.makeup_workdays == [date(2027, 2, 13), date(2027, 2, 14)]
    assert schedule.source.startswith("示例")


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        (SCHEDULE.replace("year: 2027", "year: 2028"), "not 2027"),
        (SCHEDULE.replace("source: 示例：2027年部分节假日安排（测试用）", "source: ''"), "source"),
        (SCHEDULE.replace("to: 2027-01-03", "to: 2026-12-30"), "ends before it starts"),
        (SCHEDULE.replace("from: 2027-02-06", "from: soon"), "expected a date"),
        (SCHEDULE.replace("[2027-02-13,", "[13 Feb,"), "expected a date"),
        ("- just a list\n", "expected a mapping"),
        ("year: [unclosed\n", "2027.yaml"),
    ],
    ids=[
        "another year",
        "no source",
        "period backwards",
        "bad holiday date",
        "bad make-up date",
        "not a mapping",
        "not YAML",
    ],
)
def test_malformed_schedules_are_refused_with_a_message_naming_the_problem(
    tmp_path: Path, text: str, complaint: str
) -> None:
    with pytest.raises(CalendarFileError, match=complaint):
        read_calendar_file(write(tmp_path, text), 2027)
