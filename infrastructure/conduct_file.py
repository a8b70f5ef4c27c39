"""Reads a conduct catalogue file (YAML) into the rules the ConductCatalogue reconciles to."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from domain.conduct import AppliesTo, ConductRule
from infrastructure.yaml_files import parse_yaml, read_yaml_file, require_storable

DEFAULT_CATALOGUE = "conduct_rules.yaml"

_REQUIRED = ("code", "name_zh", "name_en", "points", "applies_to")
_OPTIONAL = ("all_remaining",)


class ConductFileError(ValueError):
    """A conduct catalogue file that is not shaped as the format says."""


def read_conduct_file(path: Path) -> tuple[ConductRule, ...]:
    """The rules a YAML file on disk lists."""
    return _rules(read_yaml_file(path, ConductFileError), source=str(path))


def default_conduct_rules() -> tuple[ConductRule, ...]:
    """The catalogue shipped with the package (DESIGN §6)."""
    resource = files("infrastructure") / "data" / DEFAULT_CATALOGUE
    text = resource.read_text(encoding="utf-8")
    return _rules(parse_yaml(text, DEFAULT_CATALOGUE, ConductFileError), source=DEFAULT_CATALOGUE)


def _rules(document: Any, source: str) -> tuple[ConductRule, ...]:
    if not isinstance(document, dict) or set(document) != {"rules"}:
        raise ConductFileError(f"{source}: expected a mapping with one list, `rules`")
    entries = document["rules"] or []
    if not isinstance(entries, list):
        raise ConductFileError(f"{source}: rules must be a list")
    return tuple(_rule(raw, f"{source}: rules[{n}]") for n, raw in enumerate(entries))


def _rule(raw: object, where: str) -> ConductRule:
    if not isinstance(raw, dict):
        raise ConductFileError(f"{where}: expected a mapping, got {type(raw).__name__}")
    if isinstance(raw.get("code"), str):
        where = f"{where} (code {raw['code']!r})"
    for field in raw:
        if field not in _REQUIRED and field not in _OPTIONAL:
            raise ConductFileError(f"{where}: unknown field {field!r}")
    for field in _REQUIRED:
        if field not in raw:
            raise ConductFileError(f"{where}: missing field {field!r}")
    for field in ("code", "name_zh", "name_en", "applies_to"):
        _require(isinstance(raw[field], str), where, field, "text", raw[field])
        require_storable(raw[field], f"{where}: field {field!r}", ConductFileError)
    points: Any = raw["points"]
    _require(
        isinstance(points, int) and not isinstance(points, bool),
        where,
        "points",
        "a whole number",
        points,
    )
    all_remaining: Any = raw.get("all_remaining", False)
    _require(
        isinstance(all_remaining, bool), where, "all_remaining", "true or false", all_remaining
    )
    try:
        applies_to = AppliesTo(raw["applies_to"])
    except ValueError:
        raise ConductFileError(
            f"{where}: applies_to is {raw['applies_to']!r}; it is staff, window or both"
        ) from None
    return ConductRule(
        code=raw["code"],
        name_zh=raw["name_zh"],
        name_en=raw["name_en"],
        points=points,
        applies_to=applies_to,
        all_remaining=all_remaining,
    )


def _require(holds: bool, where: str, field: str, kind: str, value: object) -> None:
    if not holds:
        raise ConductFileError(f"{where}: field {field!r} must be {kind}, got {value!r}")
