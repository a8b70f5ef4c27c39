"""Reads a conduct catalogue file (YAML) into the rules the ConductCatalogue reconciles to."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from domain.conduct import AppliesTo, ConductRule
from infrastructure.yaml_files import (
    ImportFileError,
    fields_known,
    item_line,
    line_of,
    list_under,
    mapping_entry,
    parse_yaml,
    read_packaged_yaml,
    read_yaml_file,
    require_all,
    require_storable,
)

DEFAULT_CATALOGUE = "conduct_rules.yaml"

_REQUIRED = ("code", "name_zh", "name_en", "points", "applies_to")
_OPTIONAL = ("all_remaining",)


class ConductFileError(ImportFileError):
    """A conduct catalogue file that is not shaped as the format says."""


def read_conduct_file(path: Path) -> tuple[ConductRule, ...]:
    """The rules a YAML file on disk lists."""
    return _rules(read_yaml_file(path, ConductFileError), source=str(path))


def parse_conduct_file(text: str, source: str) -> tuple[ConductRule, ...]:
    """The rules a file's text (uploaded as `source`) lists."""
    return _rules(parse_yaml(text, source, ConductFileError), source=source)


def default_conduct_rules() -> tuple[ConductRule, ...]:
    """The catalogue shipped with the package (DESIGN §6)."""
    document = read_packaged_yaml(DEFAULT_CATALOGUE, ConductFileError)
    return _rules(document, source=DEFAULT_CATALOGUE)


def _rules(document: Any, source: str) -> tuple[ConductRule, ...]:
    if not isinstance(document, dict) or set(document) != {"rules"}:
        raise ConductFileError(
            f"{source}: expected a mapping with one list, `rules`", code="not_rules_mapping"
        )
    entries = list_under(document, "rules", source, ConductFileError)
    # Every rule is checked before the file is refused: the refusal lists each wrong one.
    checks = [
        (item_line(entries, n), partial(_rule, raw, f"{source}: rules[{n}]"))
        for n, raw in enumerate(entries)
    ]
    return tuple(require_all(checks, ConductFileError))


def _rule(entry: object, where: str) -> ConductRule:
    raw = mapping_entry(entry, where, ConductFileError)
    if isinstance(raw.get("code"), str):
        where = f"{where} (code {raw['code']!r})"
    fields_known(raw, (*_REQUIRED, *_OPTIONAL), where, ConductFileError)
    for field in _REQUIRED:
        if field not in raw:
            raise _about(raw, field, "missing_field", f"{where}: missing field {field!r}")
    for field in ("code", "name_zh", "name_en", "applies_to"):
        _require(raw, isinstance(raw[field], str), where, field, "text")
        require_storable(
            raw[field],
            f"{where}: field {field!r}",
            ConductFileError,
            line=line_of(raw, field),
            field=field,
        )
    points: Any = raw["points"]
    is_whole = isinstance(points, int) and not isinstance(points, bool)
    _require(raw, is_whole, where, "points", "a whole number")
    all_remaining: Any = raw.get("all_remaining", False)
    _require(raw, isinstance(all_remaining, bool), where, "all_remaining", "true or false")
    try:
        applies_to = AppliesTo(raw["applies_to"])
    except ValueError:
        detail = f"{where}: applies_to is {raw['applies_to']!r}; it is staff, window or both"
        raise _about(raw, "applies_to", "bad_applies_to", detail) from None
    return ConductRule(
        code=raw["code"],
        name_zh=raw["name_zh"],
        name_en=raw["name_en"],
        points=points,
        applies_to=applies_to,
        all_remaining=all_remaining,
    )


# What a field must be, as a `file_problem` code.
_KINDS = {"text": "not_text", "a whole number": "not_whole_number", "true or false": "not_flag"}


def _require(raw: dict[Any, Any], holds: bool, where: str, field: str, kind: str) -> None:
    if not holds:
        detail = f"{where}: field {field!r} must be {kind}, got {raw.get(field, False)!r}"
        raise _about(raw, field, _KINDS[kind], detail)


def _about(raw: dict[Any, Any], field: object, code: str, detail: str) -> ConductFileError:
    """A refusal about one field of a rule, on the field's line."""
    return ConductFileError(detail, code=code, line=line_of(raw, field), field=str(field))
