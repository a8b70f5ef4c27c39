"""Who may see a complainant's identity (DESIGN §3), and how phone numbers are masked."""

from __future__ import annotations

from collections.abc import Mapping

from domain.actor import Actor, Role

ROLES_SEEING_FULL_IDENTITY = frozenset({Role.OPERATOR, Role.INSPECTOR})


def mask_phone(phone: str | None) -> str | None:
    """Keep the first three and last four digits, as on Chinese receipts: 138****5678."""
    if not phone:
        return phone
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def complainant_for(
    viewer: Actor, kind: str, complainant: Mapping[str, object]
) -> dict[str, object] | None:
    """The complainant as this viewer may see them: whole, masked, or not at all."""
    if viewer.role in ROLES_SEEING_FULL_IDENTITY:
        return dict(complainant)
    if viewer.role is not Role.DEPARTMENT or kind == "report" or complainant.get("anonymous"):
        return None
    masked = dict(complainant)
    masked["phone"] = mask_phone(complainant.get("phone"))  # type: ignore[arg-type]
    masked["address"] = None
    return masked
