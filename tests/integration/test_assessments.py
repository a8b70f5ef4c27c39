"""Staff assessments (千人千题) on real PostgreSQL: assessment_list kept by the worker and
replayed by a rebuild into the same rows; standings read back as the domain's rule says."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from application.assessments import AssessmentSummary
from interfaces.bootstrap import Container
from tests.factories import INSPECTOR
from tests.integration.read_side import dict_rows, head, tracking
from tests.support import run_worker_once


def rows(database_url: str) -> list[dict[str, Any]]:
    return dict_rows(database_url, "SELECT * FROM assessment_list ORDER BY position")


def session_and_retest(
    container: Container,
    results: list[tuple[str, int]],
    retest_results: list[tuple[str, int]],
) -> tuple[AssessmentSummary, AssessmentSummary]:
    """November's session on the 20th and its retest on the 26th, pass mark 60, as recorded
    by the inspector."""
    app = container.supervision
    session = app.record_assessment(
        title="11月千人千题",
        held_on=date(2026, 11, 20),
        pass_mark=60,
        results=results,
        by=INSPECTOR,
    )
    retest = app.record_assessment(
        title="补考", held_on=date(2026, 11, 26), pass_mark=60, results=retest_results, by=INSPECTOR
    )
    return session, retest


def test_the_worker_keeps_assessment_list_and_a_rebuild_gives_the_same_rows(
    container: Container, database_url: str
) -> None:
    first, _ = session_and_retest(container, [("S0001", 58), ("S0010", 91)], [("S0001", 52)])
    run_worker_once(container)
    incremental = rows(database_url)

    container.rebuild_projections()

    assert rows(database_url) == incremental
    assert tracking(database_url, "assessment_list") == head(container)
    assert incremental[0]["id"] == first.id
    assert incremental[0]["held_on"] == date(2026, 11, 20)
    assert incremental[0]["departments"] == ["real-estate-registration", "taxation"]
    assert [r["passed"] for r in incremental[0]["results"]] == [False, True]


def test_standings_as_of_a_day_leave_out_later_sessions(container: Container) -> None:
    _, last = session_and_retest(container, [("S0001", 58)], [("S0001", 75)])
    container.catch_up_projections()

    async def read(as_of: date | None) -> Any:
        found, _, _ = await container.assessments.standings(
            department=None, as_of=as_of, after=last.position
        )
        return [(s.staff, s.score, s.retest_due) for s in found]

    async def both() -> tuple[Any, Any]:
        await container.reads.open()
        try:
            return await read(date(2026, 11, 25)), await read(None)
        finally:
            await container.reads.close()

    before, now = asyncio.run(both())

    assert before == [("S0001", 58, True)]
    assert now == [("S0001", 75, False)]
