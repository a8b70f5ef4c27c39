"""The item_list read table: one row per item of the catalogue (事项清单), withdrawn ones kept."""

from __future__ import annotations

from typing import Any

from application.projections import Row
from domain.item import ItemCatalogue


class ItemListProjection:
    """Keeps item_list current: items listed, revised and withdrawn."""

    name = "item_list"
    table = "item_list"
    key = "code"
    topic_prefix = "oversight:ItemCatalogue."

    def key_of(self, event: Any) -> Any:
        return getattr(event, "code", "")

    def project(self, row: Row | None, event: Any, position: int) -> Row | None:
        if isinstance(event, ItemCatalogue.ItemListed | ItemCatalogue.ItemRevised):
            item = event.item
            return {
                "code": event.code,
                "name": item["name"],
                "department": item["department"],
                "windows": list(item["windows"]),
                "zone": item["zone"],
                "frequency": item["frequency"],
                "at_most_one_trip": item["at_most_one_trip"],
                "promised_working_days": item["promised_working_days"],
                "materials": list(item["materials"]),
                "legal_basis": item["legal_basis"],
                "sample": item["sample"],
                "withdrawn": False,
                "version": (row["version"] + 1) if row is not None else 1,
                "listed_at": row["listed_at"] if row is not None else event.timestamp,
                "revised_at": event.timestamp,
                "position": position,
            }
        if isinstance(event, ItemCatalogue.ItemWithdrawn) and row is not None:
            return {**row, "withdrawn": True, "revised_at": event.timestamp, "position": position}
        return row
