"""Every request body refuses text the record cannot hold, in any field, however typed."""

from __future__ import annotations

import re
from datetime import date

import pytest
from pydantic import Field, ValidationError

from domain.text import UNSTORABLE
from interfaces.http.schemas.text import (
    INVALID_CHARACTER,
    STORABLE_NOT_BLANK,
    STORABLE_TEXT,
    RequestBody,
)


class Inner(RequestBody):
    note: str


class Body(RequestBody):
    day: date | None = None
    count: int = 0
    tags: list[str] = Field(default_factory=list)
    inner: Inner | None = None


@pytest.mark.parametrize(
    ("given", "loc", "message"),
    [
        ({"day": "2026-11-27\x00"}, ("day",), "the character U+0000 at position 11"),
        ({"count": "1\x1b"}, ("count",), "the character U+001B at position 2"),
        ({"tags": ["ok", "o\ud800k"]}, ("tags",), "item 2: the character U+D800 at position 2"),
        ({"inner": {"note": "\ufffe"}}, ("inner", "note"), "the character U+FFFE at position 1"),
    ],
    ids=["a date", "a number", "an item of a list", "a nested body"],
)
def test_a_field_of_any_type_refuses_unstorable_text_before_its_own_checks(
    given: dict[str, object], loc: tuple[str, ...], message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        Body.model_validate(given)

    (error,) = refused.value.errors()
    assert (error["type"], error["loc"]) == (INVALID_CHARACTER, loc)
    assert error["msg"] == f"{message} cannot be recorded"


def test_text_people_type_passes() -> None:
    body = Body.model_validate({"tags": ["窗口\t态度\r\n生硬 👍"], "inner": {"note": "\x7f"}})

    assert body.tags == ["窗口\t态度\r\n生硬 👍"]


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        (STORABLE_TEXT, "窗口\t态度\n👍", True),
        (STORABLE_TEXT, "", True),
        (STORABLE_TEXT, "a\x00b", False),
        (STORABLE_TEXT, "a\uffffb", False),
        (STORABLE_NOT_BLANK, " 窗口 ", True),
        (STORABLE_NOT_BLANK, " \t\u3000\x85", False),
        (STORABLE_NOT_BLANK, "窗口\x1f", False),
    ],
)
def test_the_documented_patterns_say_what_the_bodies_accept(
    pattern: str, text: str, matches: bool
) -> None:
    assert bool(re.search(pattern, text)) is matches


def test_the_documented_patterns_refuse_every_unstorable_character_lone_surrogates_aside() -> None:
    """No UTF-8 JSON text holds a lone surrogate, and Rust's regex engine, which schemathesis
    validates patterns with, cannot name one: the patterns leave them to the validator."""
    characters = [chr(code) for code in range(0x10000) if UNSTORABLE.match(chr(code))]
    named = [c for c in characters if not 0xD800 <= ord(c) <= 0xDFFF]

    assert len(named) == len(characters) - 0x800 > 0
    for pattern in (STORABLE_TEXT, STORABLE_NOT_BLANK):
        assert [c for c in named if re.search(pattern, f"ok{c}ok")] == []
