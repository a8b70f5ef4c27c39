"""Reading a published year's holiday schedule (节假日安排) from a YAML file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from infrastructure.yaml_files import ImportFileError, parse_yaml, read_yaml_file, require_storable


class CalendarFileError(ImportFileError):
    """A schedule file that cannot be read as written."""


@dataclass(frozen=True)
class PublishedSchedule:
    """A year's days off and make-up working days, and where they were published."""

    year: int
    holidays: list[date]
    makeup_workdays: list[date]
    source: str


def read_calendar_file(path: Path, year: int) -> PublishedSchedule:
    """Read a schedule file for `year`.

    The file lists holiday periods and make-up working days::

        year: 2027
        source: 国务院办公厅关于2027年部分节假日安排的通知
        holidays:
          - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
        makeup_workdays: [2027-02-06]
    """
    return _schedule(read_yaml_file(path, CalendarFileError), year, str(path))


def parse_calendar_file(text: str, year: int, source: str) -> PublishedSchedule:
    """The schedule for `year` a file's text (uploaded as `source`) describes."""
    return _schedule(parse_yaml(text, source, CalendarFileError), year, source)


def _schedule(document: Any, year: int, path: str) -> PublishedSchedule:
    if not isinstance(document, dict):
        raise CalendarFileError(
            f"{path}: expected a mapping with year, source, holidays", code="not_calendar_mapping"
        )
    if document.get("year") != year:
        raise CalendarFileError(
            f"{path}: the file is for {document.get('year')!r}, not {year}", code="wrong_year"
        )
    source = document.get("source")
    if not isinstance(source, str) or not source.strip():
        raise CalendarFileError(
            f"{path}: `source` must say where the schedule was published", code="no_source"
        )
    require_storable(source, f"{path}: `source`", CalendarFileError)
    holidays: list[date] = []
    for index, period in enumerate(_list(document, "holidays", path)):
        start, end = _day(period, "from", path, index), _day(period, "to", path, index)
        if end < start:
            raise CalendarFileError(
                f"{path}: holidays[{index}] ends before it starts", code="ends_before_starts"
            )
        # Checked before the days are counted out: a period to 9999 would be millions of them.
        if start.year != year or end.year != year:
            raise CalendarFileError(
                f"{path}: holidays[{index}] runs outside {year}", code="outside_year"
            )
        holidays.extend(start + timedelta(days=n) for n in range((end - start).days + 1))
    makeup = [
        _as_date(value, f"{path}: makeup_workdays[{index}]")
        for index, value in enumerate(_list(document, "makeup_workdays", path))
    ]
    return PublishedSchedule(year, holidays, makeup, source.strip())


def _list(document: dict[str, Any], key: str, path: str) -> list[Any]:
    value = document.get(key, [])
    if not isinstance(value, list):
        raise CalendarFileError(f"{path}: `{key}` must be a list", code="not_a_list", field=key)
    return value


def _day(period: Any, key: str, path: str, index: int) -> date:
    if not isinstance(period, dict):
        raise CalendarFileError(
            f"{path}: holidays[{index}] must be a mapping with from and to", code="bad_period"
        )
    return _as_date(period.get(key), f"{path}: holidays[{index}].{key}")


def _as_date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise CalendarFileError(
        f"{where}: expected a date like 2027-01-01, got {value!r}", code="bad_date"
    )
