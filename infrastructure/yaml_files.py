"""What the YAML files an administrator loads share: anything wrong is one line naming the
file, and text the record cannot hold (domain/text.py) is refused where it is read.

A refusal also says, for the console, what is wrong as a code and on which line of the file
(`FileProblem`): mappings and lists read from a file remember the lines they came from. A
reader checks every entry of a file before it refuses it, so one refusal lists each wrong
entry, and nothing is imported from a file with any.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from domain.text import why_refused


@dataclass(frozen=True)
class FileProblem:
    """One thing wrong in a file: its line (from 1, when known), what is wrong as a code
    (a `file_problem` label), the field it is about, and the English line the CLI prints."""

    line: int | None
    code: str
    detail: str
    field: str | None = None


class ImportFileError(ValueError):
    """A file an administrator loads that cannot be read as its format says: each problem
    on a line of the message."""

    def __init__(
        self,
        detail: str,
        *,
        code: str = "malformed",
        line: int | None = None,
        field: str | None = None,
        problems: Iterable[FileProblem] = (),
    ) -> None:
        self.problems = tuple(problems) or (FileProblem(line, code, detail, field),)
        super().__init__("\n".join(problem.detail for problem in self.problems))


class LinedMapping(dict[Any, Any]):
    """A mapping read from a file, with the line it starts on and the line of each key."""

    line: int | None = None
    key_lines: dict[Any, int]


class LinedList(list[Any]):
    """A list read from a file, with the line each item starts on."""

    item_lines: list[int]


def line_of(value: object, key: object = None) -> int | None:
    """The line a value read from a file starts on (a key's line, for a mapping's key)."""
    if isinstance(value, LinedMapping):
        return value.key_lines.get(key, value.line) if key is not None else value.line
    return None


def item_line(items: object, index: int) -> int | None:
    """The line the `index`th item of a list read from a file starts on."""
    if isinstance(items, LinedList) and index < len(items.item_lines):
        return items.item_lines[index]
    return None


def sections_known(
    document: dict[Any, Any], known: Iterable[str], source: str, refusal: type[ImportFileError]
) -> None:
    """Refuses a file whose mapping holds a section other than the `known`, on the line of
    the first such (in sorted order)."""
    unknown = sorted(set(document) - set(known), key=str)
    if unknown:
        raise refusal(
            f"{source}: unknown section {unknown[0]!r}",
            code="unknown_section",
            line=line_of(document, unknown[0]),
            field=str(unknown[0]),
        )


def fields_known(
    entry: dict[Any, Any], known: Collection[str], where: str, refusal: type[ImportFileError]
) -> None:
    """Refuses an entry (a rule, a department) holding a field other than the `known`, on
    the line of the first such."""
    for field in entry:
        if field not in known:
            raise refusal(
                f"{where}: unknown field {field!r}",
                code="unknown_field",
                line=line_of(entry, field),
                field=str(field),
            )


def list_under(
    document: dict[Any, Any], key: str, source: str, refusal: type[ImportFileError]
) -> list[Any]:
    """The list a file's mapping holds under `key` (an empty one when left blank); `refusal`
    on the key's line when it holds anything else."""
    entries = document[key] or []
    if not isinstance(entries, list):
        raise refusal(
            f"{source}: {key} must be a list",
            code="not_a_list",
            line=line_of(document, key),
            field=key,
        )
    return entries


def mapping_entry(raw: object, where: str, refusal: type[ImportFileError]) -> dict[Any, Any]:
    """An entry of a list that must be a mapping (a rule, a department, an item)."""
    if not isinstance(raw, dict):
        raise refusal(
            f"{where}: expected a mapping, got {type(raw).__name__}", code="entry_not_mapping"
        )
    return raw


def require_all(
    checked: Iterable[tuple[int | None, Any]], refusal: type[ImportFileError]
) -> list[Any]:
    """The values of (line, check) pairs, each check a function; every refusal among them is
    collected, and one refusal listing them all is raised if there is any."""
    values, problems = [], []
    for line, check in checked:
        try:
            values.append(check())
        except ImportFileError as refused:
            problems.extend(
                problem if problem.line is not None else _at(problem, line)
                for problem in refused.problems
            )
    if problems:
        raise refusal(problems[0].detail, problems=problems)
    return values


def _at(problem: FileProblem, line: int | None) -> FileProblem:
    return FileProblem(line, problem.code, problem.detail, problem.field)


class _LinedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, keeping the lines mappings and lists start on."""


def _lined_mapping(loader: _LinedLoader, node: yaml.MappingNode) -> Any:
    mapping = LinedMapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    yield mapping
    mapping.update(loader.construct_mapping(node))
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            mapping.key_lines.setdefault(key_node.value, key_node.start_mark.line + 1)


def _lined_list(loader: _LinedLoader, node: yaml.SequenceNode) -> Any:
    items = LinedList()
    items.item_lines = [item.start_mark.line + 1 for item in node.value]
    yield items
    items.extend(loader.construct_sequence(node))


_LinedLoader.add_constructor("tag:yaml.org,2002:map", _lined_mapping)
_LinedLoader.add_constructor("tag:yaml.org,2002:seq", _lined_list)


def read_yaml_file(path: Path, refusal: type[ImportFileError]) -> Any:
    """The document a YAML file on disk holds; a file that is not UTF-8 or not YAML is
    refused with `refusal`."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise refusal(
            f"{path}: not UTF-8 text (byte {error.start + 1} is not)", code="not_utf8"
        ) from None
    except OSError as error:
        raise refusal(f"{path}: cannot read it: {error.strerror or error}") from None
    return parse_yaml(text, str(path), refusal)


def read_packaged_yaml(name: str, refusal: type[ImportFileError]) -> Any:
    """The document a YAML file shipped in the package's data folder holds."""
    text = (files("infrastructure") / "data" / name).read_text(encoding="utf-8")
    return parse_yaml(text, name, refusal)


def parse_yaml(text: str, source: str, refusal: type[ImportFileError]) -> Any:
    """The document `text` holds, or `refusal` in one line naming `source` and the place."""
    try:
        return yaml.load(text, Loader=_LinedLoader)  # noqa: S506 (the safe loader, with lines)
    except yaml.YAMLError as error:
        raise refusal(
            f"{source}: not valid YAML: {_one_line(error)}", code="not_yaml", line=_line(error)
        ) from None
    except (ValueError, RecursionError) as error:
        # PyYAML builds a scalar that looks like a date (0000-00-00) and lets Python's own
        # refusal through; a nesting thousands deep exhausts the stack.
        raise refusal(f"{source}: not valid YAML: {error}", code="not_yaml") from None


def require_storable(
    text: str,
    where: str,
    refusal: type[ImportFileError],
    *,
    line: int | None = None,
    field: str | None = None,
) -> None:
    """Refuses text holding a character the record cannot hold, saying `where` it is."""
    problem = why_refused(text)
    if problem is not None:
        raise refusal(f"{where}: {problem}", code="unstorable", line=line, field=field)


def _one_line(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.MarkedYAMLError) and (error.problem or error.context):
        mark = error.problem_mark or error.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return f"{error.problem or error.context}{where}"
    return " ".join(str(error).split())


def _line(error: yaml.YAMLError) -> int | None:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        return mark.line + 1 if mark else None
    return None
