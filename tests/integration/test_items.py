"""The item catalogue (事项清单) on real PostgreSQL: item_list, case_items and rating_items kept
by the worker and replayed by a rebuild into the same rows, a withdrawn item kept."""

from __future__ import annotations

from typing import Any

from interfaces.bootstrap import Container, sample_items
from tests.factories import registered_case
from tests.integration.read_side import dict_rows, head, tracking
from tests.item_story import ITEM_ADMIN, the_sample_catalogue
from tests.support import run_worker_once

TABLES = {"item_list": "code", "case_items": "case_id", "rating_items": "evaluation_id"}


def rows(database_url: str, table: str) -> list[dict[str, Any]]:
    return dict_rows(database_url, f"SELECT * FROM {table} ORDER BY {TABLES[table]}")


def test_the_worker_keeps_the_item_tables_and_a_rebuild_gives_the_same_rows(
    container: Container, database_url: str
) -> None:
    app = container.supervision
    listed = the_sample_catalogue(app)
    registered_case(app, item="BDC-002", category="多次跑动")
    app.record_evaluation(
        window="W-A01",
        staff=None,
        rating=2,
        comment=None,
        service_item=None,
        by=ITEM_ADMIN,
        item="BDC-002",
    )
    app.import_items([i for i in sample_items() if i.code != "GA-001"], ITEM_ADMIN)
    run_worker_once(container)
    incremental = {table: rows(database_url, table) for table in TABLES}

    container.rebuild_projections()

    assert {table: rows(database_url, table) for table in TABLES} == incremental
    for table in TABLES:
        assert tracking(database_url, table) == head(container)
    items = {row["code"]: row for row in incremental["item_list"]}
    assert len(items) == listed
    assert items["GA-001"]["withdrawn"] is True
    # The case registered, and the one the bad rating opened, both naming the item.
    assert [row["item"] for row in incremental["case_items"]] == ["BDC-002", "BDC-002"]
    assert [row["rating"] for row in incremental["rating_items"]] == [2]
