"""Reads a directory file (YAML) into the spec the Directory aggregate reconciles to."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from domain.directory import Department, DirectorySpec, StaffMember, Window
from infrastructure.yaml_files import parse_yaml, read_yaml_file, require_storable

SAMPLE_DIRECTORY = "sample_directory.yaml"

_REQUIRED = {
    "departments": ("id", "name", "name_en"),
    "windows": ("id", "name", "department", "zone"),
    "staff": ("id", "name", "department"),
}
_OPTIONAL = {"departments": (), "windows": (), "staff": ("window", "post")}


class DirectoryFileError(ValueError):
    """A directory file that is not shaped as the format says."""


def read_directory_file(path: Path) -> DirectorySpec:
    """The directory a YAML file on disk describes."""
    return _spec(read_yaml_file(path, DirectoryFileError), source=str(path))


def sample_directory() -> DirectorySpec:
    """The invented sample directory shipped with the package."""
    resource = files("infrastructure") / "data" / SAMPLE_DIRECTORY
    text = resource.read_text(encoding="utf-8")
    return _spec(parse_yaml(text, SAMPLE_DIRECTORY, DirectoryFileError), source=SAMPLE_DIRECTORY)


def _spec(document: Any, source: str) -> DirectorySpec:
    if not isinstance(document, dict):
        raise DirectoryFileError(
            f"{source}: expected a mapping with departments, windows and staff"
        )
    unknown_sections = sorted(set(document) - set(_REQUIRED), key=str)
    if unknown_sections:
        raise DirectoryFileError(f"{source}: unknown section {unknown_sections[0]!r}")
    departments = _entries(document, "departments", source)
    windows = _entries(document, "windows", source)
    staff = _entries(document, "staff", source)
    return DirectorySpec(
        departments=tuple(Department(**fields) for fields in departments),
        windows=tuple(Window(**fields) for fields in windows),
        staff=tuple(StaffMember(**fields) for fields in staff),
    )


def _entries(document: dict[Any, Any], section: str, source: str) -> list[dict[str, Any]]:
    if section not in document:
        raise DirectoryFileError(f"{source}: missing section {section!r}")
    raw_entries = document[section] or []
    if not isinstance(raw_entries, list):
        raise DirectoryFileError(f"{source}: {section} must be a list")
    return [
        _entry(raw, f"{source}: {section}[{position}]", section)
        for position, raw in enumerate(raw_entries)
    ]


def _entry(raw: object, where: str, section: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise DirectoryFileError(f"{where}: expected a mapping, got {type(raw).__name__}")
    if isinstance(raw.get("id"), str):
        where = f"{where} (id {raw['id']!r})"
    required, optional = _REQUIRED[section], _OPTIONAL[section]
    for field in raw:
        if field not in required and field not in optional:
            raise DirectoryFileError(f"{where}: unknown field {field!r}")
    for field in required:
        if field not in raw:
            raise DirectoryFileError(f"{where}: missing field {field!r}")
        if not isinstance(raw[field], str):
            raise DirectoryFileError(
                f"{where}: field {field!r} must be text, got {type(raw[field]).__name__}"
            )
    for field in optional:
        if raw.get(field) is not None and not isinstance(raw[field], str):
            raise DirectoryFileError(
                f"{where}: field {field!r} must be text or empty, got {type(raw[field]).__name__}"
            )
    for field, value in raw.items():
        if isinstance(value, str):
            require_storable(value, f"{where}: field {field!r}", DirectoryFileError)
    return {field: raw[field] for field in (*required, *optional) if field in raw}
