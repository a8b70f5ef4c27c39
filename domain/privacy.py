"""Who may see a complainant's identity (DESIGN §3), and how phone numbers are masked."""

from __future__ import annotations

from collections.abc import Mapping

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
