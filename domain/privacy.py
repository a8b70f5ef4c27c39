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


def phone_digits(phone: str | None) -> str | None:
    """The digits that name a phone line, however it was written (`+86 138-0013-8000` and
    `13800138000` alike): a mainland mobile loses its country code. None for no number."""
    if not phone:
        return None
    digits = re.sub(r"[^0-9]", "", phone)
    if len(digits) == MOBILE_LENGTH + 2 and digits.startswith("861"):
        digits = digits[2:]
    return digits or None


def mask_name(name: str | None) -> str | None:
    """The first character and a fixed `**`: 张** for 张三 and 张三丰 alike, so the mask tells
    neither the given name nor its length. A compound surname keeps only its first character
    (司马光华 → 司**): the surname's second character would narrow it down further."""
    if not name or not name.strip():
        return name
    return name.strip()[0] + NAME_MASK


def complainant_for(
    viewer: Actor, kind: str, complainant: Mapping[str, object]
) -> dict[str, object] | None:
    """The complainant as this viewer may see them: whole, masked, or not at all; erased
    data reads as erased (`{"erased": true}`) to everyone, since that reveals no one."""
    return complainant_for_role(viewer.role, kind, complainant)


def complainant_for_role(
    role: Role, kind: str, complainant: Mapping[str, object]
) -> dict[str, object] | None:
    """The complainant as a viewer in this role may see them (see `complainant_for`)."""
    if is_placeholder(complainant):
        return dict(complainant)
    if role in ROLES_SEEING_FULL_IDENTITY:
        return dict(complainant)
    if role is not Role.DEPARTMENT or kind == "report" or complainant.get("anonymous"):
        return None
    masked = dict(complainant)
    masked["name"] = mask_name(complainant.get("name"))  # type: ignore[arg-type]
    masked["phone"] = mask_phone(complainant.get("phone"))  # type: ignore[arg-type]
    masked["address"] = None
    return masked


WITHHELD = "***"
NAME_MASK = "**"
_SHORTEST_QUOTED = 2
# Digits of a phone number as people type them: 138 1234 5678, 138-1234-5678, (138)12345678.
_DIGIT_SEPARATORS = r"[\s\-().]{0,2}"
# Any mainland mobile number, however spaced, standing on its own: not part of a longer run
# of letters and digits (an evaluation's id, a tracking number).
_ANY_MOBILE = (
    r"(?<![0-9A-Za-z])1"
    + _DIGIT_SEPARATORS
    + "[3-9]"
    + (_DIGIT_SEPARATORS + "[0-9]") * 9
    + r"(?![0-9A-Za-z])"
)


@dataclass(frozen=True)
class StandIns:
    """How to rewrite free text for one viewer: each quoted identity and what replaces it
    (None: the phone number found, masked as `mask_phone` does)."""

    pattern: re.Pattern[str] | None
    replacements: tuple[str | None, ...]

    def __bool__(self) -> bool:
        return self.pattern is not None


def identity_stand_ins(viewer: Actor, kind: str, complainant: Mapping[str, object]) -> StandIns:
    """What free text (summary, details, notes, answers) must show where it quotes the
    complainant's name, phone or address: what this viewer sees of it in the complainant
    field, else ***. People type identities into free text, so it may tell no more than
    that field does."""
    return stand_ins_for_role(viewer.role, kind, complainant)


def stand_ins_for_role(role: Role, kind: str, complainant: Mapping[str, object]) -> StandIns:
    """The stand-ins of `identity_stand_ins` for a viewer in this role.

    Besides the complainant's own, every mobile number in the text is masked (138****5678)
    for anyone but operators and inspectors (§3), and withheld in a report (举报), where
    any number may be the reporter's."""
    if role in ROLES_SEEING_FULL_IDENTITY:
        return StandIns(None, ())
    shown = complainant_for_role(role, kind, complainant) or {}
    patterns: list[str] = []
    replacements: list[str | None] = []
    for key in () if is_placeholder(complainant) else ("name", "phone", "address"):
        value = complainant.get(key)
        if not isinstance(value, str) or len(value.strip()) < _SHORTEST_QUOTED:
            continue
        if key == "phone":
            digits = "".join(ch for ch in value if ch.isdigit()) or value.strip()
            patterns.append(_DIGIT_SEPARATORS.join(map(re.escape, digits)))
            masked = mask_phone(digits) if shown.get(key) else None
            replacements.append(masked or WITHHELD)
            continue
        stand_in = shown.get(key)
        patterns.append(re.escape(value.strip()))
        replacements.append(stand_in if isinstance(stand_in, str) and stand_in else WITHHELD)
    # Longest first, so an address that contains the name is replaced whole; any other
    # mobile number last, so the complainant's own is found as theirs first.
    order = sorted(range(len(patterns)), key=lambda i: len(patterns[i]), reverse=True)
    alternatives = [patterns[i] for i in order] + [_ANY_MOBILE]
    stand_ins = [replacements[i] for i in order]
    stand_ins.append(WITHHELD if kind == "report" or not shown else None)
    pattern = re.compile("|".join(f"({alternative})" for alternative in alternatives))
    return StandIns(pattern, tuple(stand_ins))


def with_stand_ins(value: Any, stand_ins: StandIns) -> Any:
    """`value` (text, or lists and mappings holding text) with each quoted identity replaced."""
    if stand_ins.pattern is None:
        return value
    if isinstance(value, str):
        return stand_ins.pattern.sub(lambda found: _stand_in(found, stand_ins), value)
    if isinstance(value, Mapping):
        return {key: with_stand_ins(item, stand_ins) for key, item in value.items()}
    if isinstance(value, list):
        return [with_stand_ins(item, stand_ins) for item in value]
    return value


def _stand_in(found: re.Match[str], stand_ins: StandIns) -> str:
    replacement = stand_ins.replacements[(found.lastindex or 1) - 1]
    if replacement is None:
        return mask_phone("".join(ch for ch in found.group(0) if ch.isdigit())) or WITHHELD
    return replacement
