"""The files an administrator imports are refused with every wrong entry at once, each on
its line and with a code the label catalogue words in Chinese (the admin pages list them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from domain.labels import LABELS
from infrastructure.conduct_file import ConductFileError, parse_conduct_file
from infrastructure.directory_file import DirectoryFileError, parse_directory_file
from infrastructure.yaml_files import FileProblem

ROOT = Path(__file__).resolve().parents[2]
READERS = ("calendar_file.py", "conduct_file.py", "directory_file.py", "yaml_files.py")
CODE = re.compile(r'code="([a-z_]+)"|"(not_[a-z_]+)"')


def test_every_problem_code_a_reader_raises_has_a_chinese_label() -> None:
    codes = {
        next(group for group in found if group)
        for reader in READERS
        for found in CODE.findall((ROOT / "infrastructure" / reader).read_text(encoding="utf-8"))
    }

    assert codes
    assert codes <= set(LABELS["file_problem"]), codes - set(LABELS["file_problem"])


def test_a_directory_file_is_refused_with_each_wrong_entry_on_its_line() -> None:
    text = (
        "departments:\n"
        "  - {id: a, name: 甲, name_en: A}\n"
        "  - {id: b, name_en: B}\n"
        "windows:\n"
        "  - id: W\n"
        "    name: 窗口\n"
        "    department: a\n"
        "    zone: 1\n"
        "staff: [{id: S, name: 张, department: a, hat: red}]\n"
    )

    with pytest.raises(DirectoryFileError) as refused:
        parse_directory_file(text, "upload.yaml")

    assert [(p.line, p.code, p.field) for p in refused.value.problems] == [
        (3, "missing_field", "name"),
        (8, "not_text", "zone"),
        (9, "unknown_field", "hat"),
    ]
    assert refused.value.problems[1] == FileProblem(
        8,
        "not_text",
        "upload.yaml: windows[0] (id 'W'): field 'zone' must be text, got int",
        "zone",
    )
    assert str(refused.value).count("\n") == 2


def test_a_catalogue_with_one_wrong_rule_keeps_its_one_line_message() -> None:
    text = "rules:\n  - {code: x, name_zh: 甲, name_en: X, points: 1.5, applies_to: staff}\n"

    with pytest.raises(ConductFileError) as refused:
        parse_conduct_file(text, "rules.yaml")

    assert str(refused.value) == (
        "rules.yaml: rules[0] (code 'x'): field 'points' must be a whole number, got 1.5"
    )
    assert refused.value.problems[0].line == 2
    assert refused.value.problems[0].code == "not_whole_number"
