"""Reads a directory file (YAML) into the spec the Directory aggregate reconciles to."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import Any

from domain.directory import Department, DirectorySpec, StaffMember, Window
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
    sections_known,
)

SAMPLE_DIRECTORY = "sample_directory.yaml"
# A department's notification contacts (§17): an e-mail address, and a group-robot webhook.
_CONTACTS = {
    "email": (re.compile(r"^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$"), 254, "an e-mail address"),
    "webhook": (re.compile(r"^https?://[^\s]+$"), 2_000, "an http(s) URL"),
}

_REQUIRED = {
    "departments": ("id", "name", "name_en"),
    "windows": ("id", "name", "department", "zone"),
    "staff": ("id", "name", "department"),
}
# A department kept in the file with `successor: <department id>` is retired, its open cases
# and orders handed to that department (机构改革).
_OPTIONAL = {
    "departments": ("superior", "successor", "email", "webhook"),
    "windows": (),
    "staff": ("window", "post"),
}


class DirectoryFileError(ImportFileError):
    """A directory file that is not shaped as the format says."""


def read_directory_file(path: Path) -> DirectorySpec:
    """The directory a YAML file on disk describes."""
    return _spec(read_yaml_file(path, DirectoryFileError), source=str(path))


def parse_directory_file(text: str, source: str) -> DirectorySpec:
    """The directory a file's text (uploaded as `source`) describes."""
    return _spec(parse_yaml(text, source, DirectoryFileError), source=source)


def sample_directory() -> DirectorySpec:
    """The invented sample directory shipped with the package."""
    document = read_packaged_yaml(SAMPLE_DIRECTORY, DirectoryFileError)
    return _spec(document, source=SAMPLE_DIRECTORY)


def _spec(document: Any, source: str) -> DirectorySpec:
    if not isinstance(document, dict):
        raise DirectoryFileError(
            f"{source}: expected a mapping with departments, windows and staff",
            code="not_mapping",
        )
    sections_known(document, _REQUIRED, source, DirectoryFileError)
    sections = {section: _section(document, section, source) for section in _REQUIRED}
    # Every entry is checked before the file is refused: the refusal lists each wrong one.
    checks = [
        (section, item_line(entries, position), partial(_entry, raw, where, section))
        for section, entries in sections.items()
        for position, raw in enumerate(entries)
        for where in [f"{source}: {section}[{position}]"]
    ]
    fields = require_all([(line, check) for _, line, check in checks], DirectoryFileError)
    by_section: dict[str, list[dict[str, Any]]] = {section: [] for section in _REQUIRED}
    for (section, _, _), entry in zip(checks, fields, strict=True):
        by_section[section].append(entry)
    return DirectorySpec(
        departments=tuple(Department(**entry) for entry in by_section["departments"]),
        windows=tuple(Window(**entry) for entry in by_section["windows"]),
        staff=tuple(StaffMember(**entry) for entry in by_section["staff"]),
    )


def _section(document: dict[Any, Any], section: str, source: str) -> list[Any]:
    if section not in document:
        raise DirectoryFileError(
            f"{source}: missing section {section!r}", code="missing_section", field=section
        )
    return list_under(document, section, source, DirectoryFileError)


def _entry(entry: object, where: str, section: str) -> dict[str, Any]:
    raw = mapping_entry(entry, where, DirectoryFileError)
    if isinstance(raw.get("id"), str):
        where = f"{where} (id {raw['id']!r})"
    required, optional = _REQUIRED[section], _OPTIONAL[section]
    fields_known(raw, (*required, *optional), where, DirectoryFileError)
    for field in required:
        if field not in raw:
            raise _about(raw, field, "missing_field", f"{where}: missing field {field!r}")
        if not isinstance(raw[field], str):
            kind = type(raw[field]).__name__
            raise _about(
                raw, field, "not_text", f"{where}: field {field!r} must be text, got {kind}"
            )
    for field in optional:
        if raw.get(field) is not None and not isinstance(raw[field], str):
            kind = type(raw[field]).__name__
            detail = f"{where}: field {field!r} must be text or empty, got {kind}"
            raise _about(raw, field, "not_text", detail)
    for field, (pattern, longest, what) in _CONTACTS.items():
        value = raw.get(field) if section == "departments" else None
        if isinstance(value, str) and (len(value) > longest or not pattern.match(value)):
            detail = f"{where}: field {field!r} must be {what}, got {value[:80]!r}"
            raise _about(raw, field, f"bad_{field}", detail)
    for field, value in raw.items():
        if isinstance(value, str):
            require_storable(
                value,
                f"{where}: field {field!r}",
                DirectoryFileError,
                line=line_of(raw, field),
                field=str(field),
            )
    return {field: raw[field] for field in (*required, *optional) if field in raw}


def _about(raw: dict[Any, Any], field: object, code: str, detail: str) -> DirectoryFileError:
    """A refusal about one field of an entry, on the field's line."""
    return DirectoryFileError(detail, code=code, line=line_of(raw, field), field=str(field))
