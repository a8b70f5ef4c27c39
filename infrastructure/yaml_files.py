"""What the YAML files an administrator loads share: anything wrong is one line naming the
file, and text the record cannot hold (domain/text.py) is refused where it is read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from domain.text import why_refused


def read_yaml_file(path: Path, refusal: type[ValueError]) -> Any:
    """The document a YAML file on disk holds; a file that is not UTF-8 or not YAML is
    refused with `refusal`."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise refusal(f"{path}: not UTF-8 text (byte {error.start + 1} is not)") from None
    except OSError as error:
        raise refusal(f"{path}: cannot read it: {error.strerror or error}") from None
    return parse_yaml(text, str(path), refusal)


def parse_yaml(text: str, source: str, refusal: type[ValueError]) -> Any:
    """The document `text` holds, or `refusal` in one line naming `source` and the place."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise refusal(f"{source}: not valid YAML: {_one_line(error)}") from None
    except (ValueError, RecursionError) as error:
        # PyYAML builds a scalar that looks like a date (0000-00-00) and lets Python's own
        # refusal through; a nesting thousands deep exhausts the stack.
        raise refusal(f"{source}: not valid YAML: {error}") from None


def require_storable(text: str, where: str, refusal: type[ValueError]) -> None:
    """Refuses text holding a character the record cannot hold, saying `where` it is."""
    problem = why_refused(text)
    if problem is not None:
        raise refusal(f"{where}: {problem}")


def _one_line(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.MarkedYAMLError) and (error.problem or error.context):
        mark = error.problem_mark or error.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return f"{error.problem or error.context}{where}"
    return " ".join(str(error).split())
