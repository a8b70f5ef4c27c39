"""The item catalogue (事项清单) as tests need it: the sample catalogue, or one item of it."""

from __future__ import annotations

from application.supervision import Supervision
from domain.actor import Actor, Role
from infrastructure.item_file import sample_items

ITEM_ADMIN = Actor("admin-items", Role.ADMIN)
# An item of the sample catalogue: 房屋买卖转移登记, at most one trip, 3 working days.
SAMPLE_ITEM = "BDC-002"


def a_listed_item(app: Supervision, code: str = SAMPLE_ITEM) -> str:
    """List one item of the sample catalogue (the catalogue holding it alone); its code."""
    app.import_items([item for item in sample_items() if item.code == code], ITEM_ADMIN)
    return code


def the_sample_catalogue(app: Supervision) -> int:
    """Import the whole sample catalogue; how many items it holds."""
    items = sample_items(app.check_item_in_directory)
    app.import_items(items, ITEM_ADMIN)
    return len(items)
