"""The YAML files an administrator loads — directory, conduct catalogue, calendar year —
refuse text the record cannot hold, and every file PyYAML itself refuses, in one line that
names the file (and the entry and field, where there is one)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from infrastructure.calendar_file import CalendarFileError, read_calendar_file
from infrastructure.conduct_file import ConductFileError, read_conduct_file
from infrastructure.directory_file import DirectoryFileError, read_directory_file

DIRECTORY = """\
departments:
  - {id: taxation, name: 税务局, name_en: Taxation}
windows:
  - {id: W-1, name: 办税窗口, department: taxation, zone: 税务服务专区}
staff:
  - {id: S1, name: 张伟, department: taxation, window: W-1, post: A}
"""
CATALOGUE = """\
rules:
  - {code: lateness, name_zh: 迟到早退, name_en: Lateness, points: 2, applies_to: staff}
"""
CALENDAR = """\
year: 2027
source: 国务院办公厅通知
holidays:
  - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
makeup_workdays: [2027-02-13]
"""

Reader = Callable[[Path], object]
READERS: dict[str, tuple[Reader, str, type[ValueError]]] = {
    "directory": (read_directory_file, DIRECTORY, DirectoryFileError),
    "catalogue": (read_conduct_file, CATALOGUE, ConductFileError),
    "calendar": (lambda path: read_calendar_file(path, 2027), CALENDAR, CalendarFileError),
}


def _refusal(reader: str, path: Path) -> str:
    read, _, refusal = READERS[reader]
    with pytest.raises(refusal) as refused:
        read(path)
    message = str(refused.value)
    assert "\n" not in message, message
    assert message.startswith(f"{path}: "), message
    return message


@pytest.mark.parametrize(
    ("escape", "described"),
    [("\\0", "U+0000"), ("\\e", "U+001B"), ("\\x0b", "U+000B"), ("\\uFFFE", "U+FFFE")],
    ids=["NUL", "ESC", "VT", "U+FFFE"],
)
@pytest.mark.parametrize(
    ("reader", "original", "spoilt", "where"),
    [
        ("directory", "name: 张伟", 'name: "张{}伟"', "staff[0] (id 'S1'): field 'name'"),
        ("directory", "id: taxation,", 'id: "tax{}ation",', "departments[0]"),
        (
            "directory",
            "zone: 税务服务专区",
            'zone: "专区{}"',
            "windows[0] (id 'W-1'): field 'zone'",
        ),
        (
            "catalogue",
            "name_zh: 迟到早退",
            'name_zh: "迟到{}"',
            "(code 'lateness'): field 'name_zh'",
        ),
        ("calendar", "source: 国务院办公厅通知", 'source: "通知{}"', "`source`"),
    ],
    ids=["staff name", "department id", "window zone", "rule name", "calendar source"],
)
def test_text_the_record_cannot_hold_is_refused_naming_the_file_entry_and_field(
    tmp_path: Path,
    reader: str,
    original: str,
    spoilt: str,
    where: str,
    escape: str,
    described: str,
) -> None:
    text = READERS[reader][1]
    path = tmp_path / f"{reader}.yaml"
    path.write_text(text.replace(original, spoilt.format(escape)), encoding="utf-8")

    message = _refusal(reader, path)

    assert where in message
    assert f"the character {described} at position" in message


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(
    ("spoil", "complaint"),
    [
        (lambda text: text.encode().replace(b"\n", b"\n\x00", 1), "special characters"),
        (lambda text: text.encode().replace("张".encode(), b"\xff\xfe", 1) + b"\xff", "UTF-8"),
        (lambda text: text.replace("\n  -", "\n\t-", 1).encode(), "cannot start any token"),
        (lambda text: (text + "when: 0000-00-00\n").encode(), "year 0 is out of range"),
        (lambda text: ("x: " + "[" * 700 + "]" * 700 + "\n").encode(), "not valid YAML"),
    ],
    ids=["raw NUL", "not UTF-8", "tab indent", "impossible date", "nested 700 deep"],
)
def test_a_file_pyyaml_refuses_is_refused_in_one_line_naming_the_file(
    tmp_path: Path, reader: str, spoil: Callable[[str], bytes], complaint: str
) -> None:
    path = tmp_path / f"{reader}.yaml"
    path.write_bytes(spoil(READERS[reader][1]))

    assert complaint in _refusal(reader, path)


def test_a_holiday_period_running_past_the_year_is_refused_before_its_days_are_counted(
    tmp_path: Path,
) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text(CALENDAR.replace("to: 2027-01-03", "to: 9999-12-31"), encoding="utf-8")

    assert "holidays[0] runs outside 2027" in _refusal("calendar", path)
