"""Satisfaction surveys (满意度调查) on real PostgreSQL: survey_list kept by the worker and
replayed by a rebuild into the same rows; a sheet's batches saved together; the satisfaction
read by the `to` day of each batch."""

from __future__ import annotations

from datetime import date
from typing import Any

from application.surveys import SurveyRow, SurveySheet
from domain.survey import SurveyResults, SurveySource
from interfaces.bootstrap import Container
from tests.factories import INSPECTOR, SAMPLE_WINDOW
from tests.integration.read_side import dict_rows, head, tracking
from tests.support import run_worker_once


def rows(database_url: str) -> list[dict[str, Any]]:
    return dict_rows(database_url, "SELECT * FROM survey_list ORDER BY position")


def a_sheet() -> SurveySheet:
    """Two rows of a third party's results for October."""
    return SurveySheet(
        rows=tuple(
            SurveyRow(
                row=n,
                results=SurveyResults(
                    source=SurveySource.THIRD_PARTY,
                    provider="某某测评公司",
                    window=SAMPLE_WINDOW,
                    start=date(2026, 10, 1),
                    end=date(2026, 10, 31),
                    counts=(n, 0, 0, 0, 1),
                ),
            )
            for n in (2, 3)
        )
    )


async def test_the_worker_keeps_survey_list_and_a_rebuild_gives_the_same_rows(
    reading: Container, database_url: str
) -> None:
    container = reading
    app = container.supervision
    paper = app.record_survey_batch(
        SurveyResults(
            source=SurveySource.PAPER,
            window=SAMPLE_WINDOW,
            start=date(2026, 10, 20),
            end=date(2026, 11, 2),
            counts=(0, 1, 2, 3, 4),
        ),
        INSPECTOR,
    )
    app.import_survey_sheet(a_sheet(), INSPECTOR)
    run_worker_once(container)
    incremental = rows(database_url)

    container.rebuild_projections()

    assert rows(database_url) == incremental
    assert tracking(database_url, "survey_list") == head(container)
    assert [(r["source"], r["period_end"]) for r in incremental] == [
        ("paper", date(2026, 11, 2)),
        ("third_party", date(2026, 10, 31)),
        ("third_party", date(2026, 10, 31)),
    ]
    assert incremental[0]["id"] == paper.id

    november = await container.surveys.satisfaction(date(2026, 11, 1), date(2026, 11, 30))
    october = await container.surveys.satisfaction(date(2026, 10, 1), date(2026, 10, 31))

    assert [(s.source, s.forms, s.batches) for s in november[SAMPLE_WINDOW]] == [("paper", 10, 1)]
    assert [(s.source, s.provider, s.forms, s.batches) for s in october[SAMPLE_WINDOW]] == [
        ("third_party", "某某测评公司", 7, 2)
    ]
