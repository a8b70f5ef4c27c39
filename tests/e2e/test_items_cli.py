"""`oversight items import` as an administrator runs it: the sample catalogue, a YAML or XLSX
file; a file with any wrong row imports nothing and names each wrong row's line."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from infrastructure.item_file import FIELDS
from tests.e2e.test_cli import run

HEADER = list(FIELDS)
ROW = [
    "GZ-9",
    "委托公证",
    "notary",
    "W-H11",
    "综合受理区",
    "high",
    "是",
    0,
    "居民身份证;original;1",
    "《中华人民共和国公证法》",
]


def test_the_sample_catalogue_imports_once_and_again_changes_nothing(database_url: str) -> None:
    assert run(database_url, "directory", "import", "--sample").returncode == 0

    first = run(database_url, "items", "import", "--sample")
    second = run(database_url, "items", "import", "--sample")

    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().endswith("listed, 0 revised, 0 withdrawn")
    assert second.stdout.strip().endswith(": 0 listed, 0 revised, 0 withdrawn")


def test_an_xlsx_with_a_bad_row_imports_nothing_and_names_the_rows_line(
    database_url: str, tmp_path: Path
) -> None:
    run(database_url, "directory", "import", "--sample")
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(ROW)
    sheet.append(["GZ-10", *ROW[1:3], "W-Z99", *ROW[4:]])
    path = tmp_path / "items.xlsx"
    book.save(path)

    refused = run(database_url, "items", "import", str(path))
    good_only = tmp_path / "good.yaml"
    good_only.write_text(
        "items:\n  - {code: GZ-9, name: 委托公证, department: notary, windows: [W-H11],"
        " zone: 综合受理区, frequency: low, at_most_one_trip: true,"
        " promised_working_days: 0}\n",
        encoding="utf-8",
    )
    accepted = run(database_url, "items", "import", str(good_only))

    assert refused.returncode == 2
    assert "line 3" in refused.stderr
    assert "W-Z99" in refused.stderr
    assert accepted.stdout.strip() == "1 items: 1 listed, 0 revised, 0 withdrawn"


def test_the_import_wants_a_file_or_the_sample(database_url: str) -> None:
    neither = run(database_url, "items", "import")

    assert neither.returncode == 2
    assert "--sample" in neither.stderr
