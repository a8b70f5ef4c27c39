"""Reads an item catalogue (事项清单, DESIGN §16) from YAML or XLSX into item specs.

YAML: a mapping with `items:` (a list of items; see docs/operations.md) and, for invented
data, `sample: true`. XLSX: the first sheet, a header row naming the same fields, one item a
row; `windows` separated by commas, `materials` one a line in the cell, each
`name;original|copy;count;notes`. Every row is checked (its shape, its own rules and, given
`check`, the directory) before the file is refused; the refusal names each wrong row's line.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from domain.errors import Invalid
from domain.item import ItemSpec, Material, check_item
from infrastructure.yaml_files import (
    FileProblem,
    ImportFileError,
    item_line,
    list_under,
    mapping_entry,
    parse_yaml,
    read_packaged_yaml,
    read_yaml_file,
    sections_known,
)

SAMPLE_ITEMS = "sample_items.yaml"
FIELDS = (
    "code",
    "name",
    "department",
    "windows",
    "zone",
    "frequency",
    "at_most_one_trip",
    "promised_working_days",
    "materials",
    "legal_basis",
)
_REQUIRED = FIELDS[:8]
_MATERIAL_FIELDS = ("name", "form", "count", "notes")
_YES = {"true", "yes", "是", "1", "y"}
_NO = {"false", "no", "否", "0", "n", ""}

Check = Callable[[ItemSpec], None]


class ItemFileError(ImportFileError):
    """An item catalogue that cannot be imported: each wrong row on a line of the message."""


def read_item_file(path: Path, check: Check | None = None) -> list[ItemSpec]:
    """The items a catalogue file on disk (.yaml, .yml or .xlsx) describes."""
    if path.suffix.lower() == ".xlsx":
        try:
            content = path.read_bytes()
        except OSError as error:
            raise ItemFileError(f"{path}: cannot read it: {error.strerror or error}") from None
        return parse_item_workbook(content, str(path), check)
    document = read_yaml_file(path, ItemFileError)
    return _specs_of_document(document, str(path), check)


def parse_item_yaml(text: str, source: str, check: Check | None = None) -> list[ItemSpec]:
    """The items a YAML catalogue's text describes."""
    return _specs_of_document(parse_yaml(text, source, ItemFileError), source, check)


def sample_items(check: Check | None = None) -> list[ItemSpec]:
    """The invented sample catalogue shipped with the package (示例数据)."""
    document = read_packaged_yaml(SAMPLE_ITEMS, ItemFileError)
    return _specs_of_document(document, SAMPLE_ITEMS, check)


def parse_item_workbook(content: bytes, source: str, check: Check | None = None) -> list[ItemSpec]:
    """The items the first sheet of an XLSX workbook describes, a header row first."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:
        raise ItemFileError(f"{source}: not an XLSX workbook ({error})", code="not_xlsx") from None
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    workbook.close()
    if not rows:
        raise ItemFileError(f"{source}: the sheet is empty", code="missing_section", line=1)
    header = [str(cell).strip() if cell is not None else "" for cell in rows[0]]
    missing = [field for field in _REQUIRED if field not in header]
    if missing:
        raise ItemFileError(
            f"{source}: line 1: the header row lacks {', '.join(missing)}",
            code="missing_field",
            line=1,
            field=missing[0],
        )
    entries = []
    for number, cells in enumerate(rows[1:], start=2):
        if all(cell is None or str(cell).strip() == "" for cell in cells):
            continue
        raw = {
            name: cell
            for name, cell in zip(header, cells, strict=False)
            if name and cell is not None
        }
        entries.append((number, _from_cells(raw)))
    return _checked_rows(entries, source, check, sample=False)


def _from_cells(raw: dict[str, Any]) -> dict[str, Any]:
    """A row's cells in the shapes a YAML item has: windows a list, materials mappings."""
    entry = dict(raw)
    if isinstance(entry.get("windows"), str):
        entry["windows"] = [w.strip() for w in entry["windows"].split(",") if w.strip()]
    if isinstance(entry.get("materials"), str):
        entry["materials"] = [
            _material_cell(line) for line in entry["materials"].splitlines() if line.strip()
        ]
    flag = entry.get("at_most_one_trip")
    if isinstance(flag, str) and flag.strip().lower() in _YES | _NO:
        entry["at_most_one_trip"] = flag.strip().lower() in _YES
    if isinstance(entry.get("promised_working_days"), float):
        days = entry["promised_working_days"]
        entry["promised_working_days"] = int(days) if days.is_integer() else days
    return entry


def _material_cell(line: str) -> dict[str, Any]:
    parts = [part.strip() for part in line.split(";")]
    material: dict[str, Any] = dict(zip(_MATERIAL_FIELDS, parts, strict=False))
    if "count" in material:
        count = material["count"]
        material["count"] = int(count) if count.isdigit() else count
    return material


def _specs_of_document(document: Any, source: str, check: Check | None) -> list[ItemSpec]:
    if not isinstance(document, dict) or "items" not in document:
        raise ItemFileError(
            f"{source}: expected a mapping with an `items:` list", code="not_items_mapping"
        )
    sections_known(document, ("items", "sample"), source, ItemFileError)
    items = list_under(document, "items", source, ItemFileError)
    entries = [(item_line(items, position), raw) for position, raw in enumerate(items)]
    return _checked_rows(entries, source, check, sample=document.get("sample") is True)


def _checked_rows(
    entries: list[tuple[int | None, Any]], source: str, check: Check | None, *, sample: bool
) -> list[ItemSpec]:
    """Every row's spec; or one refusal naming each wrong row, its line and what is wrong."""
    specs: list[ItemSpec] = []
    problems: list[FileProblem] = []
    lines_of_code: dict[str, int | None] = {}
    for line, raw in entries:
        where = f"{source}: line {line}" if line is not None else source
        try:
            spec = _spec(raw, where, sample)
            check_item(spec)
            if check is not None:
                check(spec)
        except ItemFileError as refused:
            problems.extend(FileProblem(line, p.code, p.detail, p.field) for p in refused.problems)
            continue
        except Invalid as refused:
            problems.append(FileProblem(line, refused.code, f"{where}: {refused.message}"))
            continue
        if spec.code in lines_of_code:
            first = lines_of_code[spec.code]
            problems.append(
                FileProblem(
                    line,
                    "duplicate_item_code",
                    f"{where}: code {spec.code!r} appears before, on line {first}",
                    "code",
                )
            )
            continue
        lines_of_code[spec.code] = line
        specs.append(spec)
    if problems:
        raise ItemFileError(problems[0].detail, problems=problems)
    return specs


def _refused(where: str, field: str, code: str, detail: str) -> ItemFileError:
    return ItemFileError(f"{where}: {detail}", code=code, field=field)


def _spec(entry: Any, where: str, sample: bool) -> ItemSpec:
    raw = mapping_entry(entry, where, ItemFileError)
    for field in raw:
        if field not in FIELDS:
            raise _refused(where, str(field), "unknown_field", f"unknown field {field!r}")
    for field in _REQUIRED:
        if field not in raw:
            raise _refused(where, field, "missing_field", f"missing field {field!r}")
    for field in ("code", "name", "department", "zone", "frequency"):
        if not isinstance(raw[field], str):
            raise _refused(where, field, "not_text", f"field {field!r} must be text")
    legal_basis = raw.get("legal_basis") or ""
    if not isinstance(legal_basis, str):
        raise _refused(where, "legal_basis", "not_text", "field 'legal_basis' must be text")
    if not isinstance(raw["at_most_one_trip"], bool):
        raise _refused(
            where, "at_most_one_trip", "not_flag", "field 'at_most_one_trip' must be true or false"
        )
    days = raw["promised_working_days"]
    if isinstance(days, bool) or not isinstance(days, int):
        raise _refused(
            where,
            "promised_working_days",
            "not_whole_number",
            "field 'promised_working_days' must be a whole number",
        )
    windows = raw["windows"] or []
    if not isinstance(windows, list) or not all(isinstance(w, str) for w in windows):
        raise _refused(where, "windows", "not_a_list", "field 'windows' must be a list of ids")
    return ItemSpec(
        code=raw["code"].strip(),
        name=raw["name"].strip(),
        department=raw["department"].strip(),
        windows=tuple(w.strip() for w in windows),
        zone=raw["zone"].strip(),
        frequency=raw["frequency"].strip(),  # type: ignore[arg-type]  # checked by check_item
        at_most_one_trip=raw["at_most_one_trip"],
        promised_working_days=days,
        materials=_materials(raw.get("materials"), where),
        legal_basis=legal_basis.strip(),
        sample=sample,
    )


def _materials(raw: Any, where: str) -> tuple[Material, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _refused(where, "materials", "not_a_list", "field 'materials' must be a list")
    materials = []
    for number, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict) or set(entry) - set(_MATERIAL_FIELDS):
            raise _refused(
                where,
                "materials",
                "material_invalid",
                f"material {number}: a mapping of name, form, count and notes",
            )
        name, form, notes = entry.get("name"), entry.get("form"), entry.get("notes") or ""
        if not isinstance(name, str) or not isinstance(form, str) or not isinstance(notes, str):
            raise _refused(
                where,
                "materials",
                "material_invalid",
                f"material {number}: name, form and notes are text",
            )
        materials.append(
            Material(
                name=name.strip(),
                form=form.strip(),  # type: ignore[arg-type]  # checked by check_item
                count=entry.get("count", 1),
                notes=notes.strip(),
            )
        )
    return tuple(materials)
