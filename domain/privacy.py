"""Who may see a complainant's identity (DESIGN §3), and how phone numbers are masked."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.actor import Actor, Role
from domain.personal_data import is_placeholder

ROLES_SEEING_FULL_IDENTITY = frozenset({Role.OPERATOR, Role.INSPECTOR})


MOBILE_LENGTH = 11


def mask_phone(phone: str | None) -> str | None:
    """Mobiles keep their first three and last four digits (138****5678); shorter numbers
    keep only their last four, so at least four digits are always hidden."""
    if not phone:
        return phone
    if len(phone) >= MOBILE_LENGTH:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    shown = max(0, min(4, len(phone) - 4))
    return "*" * (len(phone) - shown) + phone[len(phone) - shown :]


def complainant_for(
    viewer: Actor, kind: str, complainant: Mapping[str, object]
) -> dict[str, object] | None:
    """The complainant as this viewer may see them: whole, masked, or not at all; erased
    data reads as erased (`{"erased": true}`) to everyone, since that reveals no one."""
    if is_placeholder(complainant):
        return dict(complainant)
    if viewer.role in ROLES_SEEING_FULL_IDENTITY:
        return dict(complainant)
    if viewer.role is not Role.DEPARTMENT or kind == "report" or complainant.get("anonymous"):
        return None
    masked = dict(complainant)
    masked["phone"] = mask_phone(complainant.get("phone"))  # type: ignore[arg-type]
    masked["address"] = None
    return masked


WITHHELD = "***"
_SHORTEST_QUOTED = 2
# Digits of a phone number as people type them: 138 1234 5678, 138-1234-5678, (138)12345678.
_DIGIT_SEPARATORS = r"[\s\-().]{0,2}"


@dataclass(frozen=True)
class StandIns:
    """How to rewrite free text for one viewer: each quoted identity and what replaces it."""

    pattern: re.Pattern[str] | None
    replacements: tuple[str, ...]

    def __bool__(self) -> bool:
        return self.pattern is not None


def identity_stand_ins(viewer: Actor, kind: str, complainant: Mapping[str, object]) -> StandIns:
    """What free text (details, notes, answers) must show where it quotes the complainant's
    name, phone or address: what this viewer sees of it in the complainant field, else ***.
    People type identities into free text, so it may tell no more than that field does."""
    if is_placeholder(complainant) or viewer.role in ROLES_SEEING_FULL_IDENTITY:
        return StandIns(None, ())
    shown = complainant_for(viewer, kind, complainant) or {}
    patterns: list[str] = []
    replacements: list[str] = []
    for key in ("name", "phone", "address"):
        value = complainant.get(key)
        if not isinstance(value, str) or len(value.strip()) < _SHORTEST_QUOTED:
            continue
        if key == "phone":
            digits = "".join(ch for ch in value if ch.isdigit()) or value.strip()
            patterns.append(_DIGIT_SEPARATORS.join(map(re.escape, digits)))
            masked = mask_phone(digits) if shown.get(key) else None
            replacements.append(masked or WITHHELD)
        elif not shown.get(key):
            patterns.append(re.escape(value.strip()))
            replacements.append(WITHHELD)
    if not patterns:
        return StandIns(None, ())
    # Longest first, so an address that contains the name is replaced whole.
    order = sorted(range(len(patterns)), key=lambda i: len(patterns[i]), reverse=True)
    pattern = re.compile("|".join(f"({patterns[i]})" for i in order))
    return StandIns(pattern, tuple(replacements[i] for i in order))


def with_stand_ins(value: Any, stand_ins: StandIns) -> Any:
    """`value` (text, or lists and mappings holding text) with each quoted identity replaced."""
    if stand_ins.pattern is None:
        return value
    if isinstance(value, str):
        return stand_ins.pattern.sub(
            lambda found: stand_ins.replacements[(found.lastindex or 1) - 1], value
        )
    if isinstance(value, Mapping):
        return {key: with_stand_ins(item, stand_ins) for key, item in value.items()}
    if isinstance(value, list):
        return [with_stand_ins(item, stand_ins) for item in value]
    return value
