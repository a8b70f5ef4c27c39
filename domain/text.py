"""What text the record can hold everywhere it goes: PostgreSQL columns and spreadsheets.

An event can hold any Python string, but PostgreSQL's `text` and `jsonb` refuse NUL, UTF-8
cannot encode a lone surrogate, and the XML inside an XLSX file refuses the other C0 control
characters (tab, line feed and carriage return aside) and the non-characters U+FFFE and
U+FFFF. New text with any of them is refused where it enters; text already recorded with them
is shown with U+FFFD (the replacement character) in their place, never changed in its event.
"""

from __future__ import annotations

import re

from domain.errors import Invalid

REPLACEMENT = "\ufffd"
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def first_unstorable(text: str) -> int | None:
    """The index of the first character the record cannot hold, or None if there is none."""
    found = UNSTORABLE.search(text)
    return found.start() if found else None


def storable(text: str) -> str:
    """`text` with each character the record cannot hold replaced by U+FFFD."""
    return UNSTORABLE.sub(REPLACEMENT, text)


def described(character: str) -> str:
    """A character as a person reads it in an error message: U+0000, U+001B…"""
    return f"U+{ord(character):04X}"


def why_refused(text: str) -> str | None:
    """Why the record refuses `text`, as an error message says it, or None if it can hold it.

    Positions count characters from 1, as a person counts them.
    """
    index = first_unstorable(text)
    if index is None:
        return None
    return f"the character {described(text[index])} at position {index + 1} cannot be recorded"


def require_storable(text: str, error: type[Invalid], lead: str) -> None:
    """Refuse `text` with `error` ("<lead>: <why>") when the record cannot hold it."""
    refused = why_refused(text)
    if refused is not None:
        raise error(f"{lead}: {refused}")


def stripped_text(
    text: str, *, subject: str, label: str, longest: int, error: type[Invalid]
) -> str:
    """`text` without surrounding spaces, refused with `error` when it is empty, longer than
    `longest` characters or not text the record can hold. `subject` names it in a sentence
    ("a display name"), `label` before the reason it cannot be recorded ("display name")."""
    text = text.strip()
    if not text:
        raise error(f"{subject} is required")
    if len(text) > longest:
        raise error(f"{subject} has at most {longest} characters")
    require_storable(text, error, label)
    return text
