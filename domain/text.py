"""What text the record can hold everywhere it goes: PostgreSQL columns and spreadsheets.

An event can hold any Python string, but PostgreSQL's `text` and `jsonb` refuse NUL, UTF-8
cannot encode a lone surrogate, and the XML inside an XLSX file refuses the other C0 control
characters (tab, line feed and carriage return aside) and the non-characters U+FFFE and
U+FFFF. New text with any of them is refused where it enters; text already recorded with them
is shown with U+FFFD (the replacement character) in their place, never changed in its event.
"""

from __future__ import annotations

import re

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
