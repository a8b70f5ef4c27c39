"""Every code a person may meet has a Chinese label: enum values and error codes, derived
from the code base itself so that a new one without a label fails here."""

from __future__ import annotations

import importlib
import pkgutil
from enum import StrEnum
from pathlib import Path

import pytest

from domain.errors import DomainError
from domain.labels import LABELS, error_message, label
from interfaces.http.errors import every_error_code as documented_error_codes

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "application", "infrastructure", "interfaces", "simulation")


def _import_every_module() -> None:
    for package in PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
            importlib.import_module(info.name)


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def every_error_code() -> set[str]:
    """The codes the API documents (interfaces/http/errors.py), once every module that may
    define a refusal is imported, with the simulation's too: the demo shows them."""
    _import_every_module()
    simulation = {
        cls.code for cls in _subclasses(DomainError) if cls.__module__.startswith("simulation")
    }
    return set(documented_error_codes()) | simulation


def every_enum() -> set[type[StrEnum]]:
    _import_every_module()
    return {
        cls
        for cls in _subclasses(StrEnum)
        if cls.__module__.split(".")[0] in ("domain", "application")
    }


def test_the_derivation_finds_the_codes_of_every_layer() -> None:
    codes = every_error_code()
    assert {"case_not_found", "too_many_requests", "invalid_request", "internal_error"} <= codes


def test_every_error_code_has_a_chinese_message() -> None:
    missing = sorted(every_error_code() - set(LABELS["error"]))
    assert missing == [], f"add these codes to LABELS['error'] in domain/labels.py: {missing}"


def test_every_enum_of_the_domain_has_a_group_labelling_all_its_values() -> None:
    unlabelled = [
        cls.__qualname__
        for cls in every_enum()
        if not any({m.value for m in cls} <= set(group) for group in LABELS.values())
    ]
    assert unlabelled == [], f"add a group to domain/labels.py for: {unlabelled}"


@pytest.mark.parametrize(("group", "texts"), sorted(LABELS.items()))
def test_every_label_is_chinese_text(group: str, texts: dict[str, str]) -> None:
    assert all(text.strip() for text in texts.values()), group
    if group not in ("report_format",):
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in texts.values())


def test_an_unknown_code_reads_as_a_general_refusal_and_an_unknown_value_as_itself() -> None:
    assert error_message("no_such_code") == LABELS["error"]["rule_broken"]
    assert label("status", "no_such_status") == "no_such_status"
