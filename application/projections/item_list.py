"""The item catalogue's read tables (事项清单, §16): item_list, one row per item (withdrawn
ones kept), and case_items and rating_items, the cases and ratings that name an item."""

from __future__ import annotations

from typing import Any

from application.projections import Row, WrittenOnceProjection
from domain.case import Case
from domain.evaluation import Evaluation
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


class CaseItemsProjection(WrittenOnceProjection):
    """Keeps case_items current: one row per case that names an item."""

    name = "case_items"
    table = "case_items"
    key = "case_id"
    topic_prefix = Case.ItemNamed.TOPIC
    recording_event = Case.ItemNamed

    def recorded(self, event: Any, position: int) -> Row:
        return {
            "case_id": event.originator_id,
            "item": event.item,
            "kind": event.kind,
            "category": event.category,
            "department": event.department,
            "registered_at": event.timestamp,
            "position": position,
        }


class RatingItemsProjection(WrittenOnceProjection):
    """Keeps rating_items current: one row per rating that names an item."""

    name = "rating_items"
    table = "rating_items"
    key = "evaluation_id"
    topic_prefix = Evaluation.ItemNamed.TOPIC
    recording_event = Evaluation.ItemNamed

    def recorded(self, event: Any, position: int) -> Row:
        return {
            "evaluation_id": event.originator_id,
            "item": event.item,
            "rating": event.rating,
            "window_id": event.window,
            "department": event.department,
            "rated_at": event.timestamp,
            "position": position,
        }
