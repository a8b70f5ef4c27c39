"""Which characters the record refuses, and how stored text with them is shown."""

from __future__ import annotations

import pytest

from domain.text import REPLACEMENT, described, first_unstorable, storable, why_refused


@pytest.mark.parametrize(
    "character",
    ["\x00", "\x07", "\x0b", "\x0c", "\x1b", "\x1f", chr(0xD800), chr(0xDFFF), "\ufffe", "\uffff"],
)
def test_characters_postgresql_or_a_spreadsheet_cannot_hold_are_found(character: str) -> None:
    assert first_unstorable(f"ab{character}c") == 2
    assert storable(f"ab{character}c") == f"ab{REPLACEMENT}c"


@pytest.mark.parametrize("text", ["窗口人员态度生硬", "line\nbreak\ttab\r", "emoji 👍", "\x7f\x85"])
def test_text_people_type_is_kept_as_it_is(text: str) -> None:
    assert first_unstorable(text) is None
    assert storable(text) == text


def test_a_character_is_described_by_its_code_point() -> None:
    assert described("\x00") == "U+0000"
    assert described("\ufffe") == "U+FFFE"


def test_a_refusal_names_the_first_character_and_where_a_person_counts_it() -> None:
    assert why_refused("ab\x00c\x1b") == "the character U+0000 at position 3 cannot be recorded"
    assert why_refused(f"{chr(0xD800)}") == "the character U+D800 at position 1 cannot be recorded"
    assert why_refused("窗口\n态度") is None
