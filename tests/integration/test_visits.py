"""Inspection visits (暗访巡查) on real PostgreSQL: visit_list kept by the worker and replayed
by a rebuild into the same rows, and a record made from a finding noted on its visit exactly
once when the request stopped between the record's save and the visit's note."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.visit import VisitMethod
from interfaces.bootstrap import Container
from tests.factories import INSPECTOR, an_order_finding
from tests.integration.read_side import DEPARTMENT_ID, dict_rows, head, tracking
from tests.support import worker_turns

DAY = date(2026, 11, 26)


def rows(database_url: str) -> list[dict[str, Any]]:
    return dict_rows(database_url, "SELECT * FROM visit_list ORDER BY listed_position")


def turn(container: Container) -> int:
    """Run one of the worker's turns; answer how many records its policies made."""
    (only,) = worker_turns(container)
    return only.policy_records


def visit(container: Container, **fields: Any) -> Any:
    arguments: dict[str, Any] = {
        "day": DAY,
        "method": VisitMethod.PATROL,
        "windows": ["W-A01", "W-A02"],
        "summary": "巡查窗口在岗情况",
        "by": INSPECTOR,
        **fields,
    }
    return container.supervision.record_visit(**arguments)


def test_the_worker_keeps_visit_list_and_a_rebuild_gives_the_same_rows(
    container: Container, database_url: str
) -> None:
    first = visit(container)
    second = visit(container, method=VisitMethod.THIRD_PARTY, windows=["W-A01"])
    container.supervision.issue_order_finding(second.id, an_order_finding(), by=INSPECTOR)
    turn(container)
    incremental = rows(database_url)

    container.rebuild_projections()

    assert rows(database_url) == incremental
    assert tracking(database_url, "visit_list") == head(container)
    assert [(r["id"], r["method"], r["windows"], r["orders"]) for r in incremental] == [
        (first.id, "patrol", ["W-A01", "W-A02"], 0),
        (second.id, "third_party", ["W-A01"], 1),
    ]
    assert incremental[0]["day"] == DAY
    assert incremental[1]["departments"] == [DEPARTMENT_ID]


def test_a_record_saved_before_the_request_stopped_is_noted_on_its_visit_once(
    container: Container, database_url: str
) -> None:
    app = container.supervision
    found = visit(container)
    # The record saved with the visit as its source; the request gone before the note.
    order = app.issue_order(an_order_finding(source_ref=str(found.id)), by=INSPECTOR)
    assert app.get_visit(found.id).outcomes == []

    noted = turn(container)
    again = turn(container)
    container.rebuild_projections()

    assert (noted, again) == (1, 0)
    assert [(f.type, f.record_id) for f in app.get_visit(found.id).outcomes] == [
        ("order", order.id)
    ]
    assert rows(database_url)[0]["orders"] == 1


def test_a_finding_the_request_noted_is_not_noted_again_by_the_worker(
    container: Container,
) -> None:
    app = container.supervision
    found = visit(container)
    app.issue_order_finding(found.id, an_order_finding(), by=INSPECTOR)

    assert turn(container) == 0
    assert len(app.get_visit(found.id).outcomes) == 1
