"""`oversight surveys import` as an inspector's administrator runs it: the template, a sheet
imported whole, and a sheet with bad rows imported not at all, each bad row named."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from tests.e2e.test_cli import run


def test_the_template_imports_as_its_two_example_batches(database_url: str, tmp_path: Path) -> None:
    template = tmp_path / "results.xlsx"
    run(database_url, "directory", "import", "--sample")

    written = run(database_url, "surveys", "import", "--template", str(template))
    imported = run(database_url, "surveys", "import", str(template))

    assert written.returncode == 0, written.stderr
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == f"{template}: 2 batches, 140 forms recorded"


def test_a_sheet_with_bad_rows_imports_nothing_and_names_each_row_and_why(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "results.xlsx"
    run(database_url, "directory", "import", "--sample")
    run(database_url, "surveys", "import", "--template", str(path))
    book = load_workbook(path)
    sheet = book.active
    assert sheet is not None
    sheet["C3"] = "W-NONE"
    sheet.append(["paper", "某某测评公司", "W-A01", "2026-11-01", "2026-11-30", 0, 0, 0, 0, 1])
    book.save(path)

    refused = run(database_url, "surveys", "import", str(path))
    again = run(database_url, "surveys", "import", str(path).replace(".xlsx", "-none.xlsx"))

    assert refused.returncode == 2
    assert "nothing imported" in refused.stderr
    assert "row 3: there is no window 'W-NONE'" in refused.stderr
    assert "row 4: paper forms have no provider" in refused.stderr
    assert "row 2" not in refused.stderr
    assert again.returncode == 2
    assert "No such file" in again.stderr


def test_the_template_is_never_written_over_an_existing_file(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "results.xlsx"
    path.write_bytes(b"mine")

    refused = run(database_url, "surveys", "import", "--template", str(path))

    assert refused.returncode == 2
    assert path.read_bytes() == b"mine"
