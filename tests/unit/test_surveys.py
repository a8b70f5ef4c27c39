"""Satisfaction surveys (满意度调查, §16): an inspector records a batch of paper forms or a
third party's results; a sheet imports every row or none, each bad row named with why."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from application.projections.survey_list import SurveyListProjection
from application.supervision import Supervision
from application.surveys import (
    RowProblem,
    SurveyBatchView,
    SurveyImportRefused,
    SurveyRow,
    SurveySheet,
    average_of,
)
from domain.actor import Actor
from domain.survey import (
    MAX_FORMS,
    SurveyBatch,
    SurveyCountsInvalid,
    SurveyPeriodInvalid,
    SurveyProviderRequired,
    SurveyResults,
    SurveySource,
    SurveyWindowUnknown,
)
from infrastructure.survey_file import (
    COLUMNS,
    SurveyFileError,
    parse_survey_file,
    survey_template,
)
from tests.factories import SAMPLE_DEPARTMENT, SAMPLE_WINDOW
from tests.support import START

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 26))


def some_results(**fields: object) -> SurveyResults:
    """A paper batch at the sample window for November, or as `fields` say."""
    arguments: dict[str, object] = {
        "source": SurveySource.PAPER,
        "window": SAMPLE_WINDOW,
        "start": NOVEMBER[0],
        "end": NOVEMBER[1],
        "counts": (0, 1, 2, 3, 4),
        **fields,
    }
    return SurveyResults(**arguments)  # type: ignore[arg-type]


def a_batch(inspector: Actor, **fields: object) -> SurveyBatch:
    return SurveyBatch.record(
        some_results(**fields),
        batch_id=uuid4(),
        department=SAMPLE_DEPARTMENT,
        by=inspector,
        at=START,
    )


# The aggregate ---------------------------------------------------------------------------


def test_a_batch_keeps_its_window_period_and_counts_with_its_sample_size(
    inspector: Actor,
) -> None:
    batch = a_batch(inspector)

    assert (batch.source, batch.window, batch.period_start, batch.period_end) == (
        SurveySource.PAPER,
        SAMPLE_WINDOW,
        *NOVEMBER,
    )
    assert (batch.counts, batch.forms) == ((0, 1, 2, 3, 4), 10)


def test_a_third_party_batch_names_its_provider_and_a_paper_batch_names_none(
    inspector: Actor,
) -> None:
    with pytest.raises(SurveyProviderRequired):
        a_batch(inspector, source=SurveySource.THIRD_PARTY, provider="  ")
    with pytest.raises(SurveyProviderRequired):
        a_batch(inspector, provider="某某测评公司")
    with pytest.raises(SurveyProviderRequired):
        a_batch(inspector, source=SurveySource.THIRD_PARTY, provider="测" * 101)
    with pytest.raises(SurveyProviderRequired):
        a_batch(inspector, source=SurveySource.THIRD_PARTY, provider="测\x00评")

    batch = a_batch(inspector, source=SurveySource.THIRD_PARTY, provider=" 某某测评公司 ")

    assert batch.provider == "某某测评公司"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 11, 20), date(2026, 11, 19)),  # backwards
        (date(2026, 11, 20), date(2026, 11, 28)),  # ends tomorrow
        (date(2025, 11, 1), date(2026, 11, 20)),  # longer than a year
    ],
)
def test_a_batch_period_runs_forwards_within_a_year_and_not_into_the_future(
    inspector: Actor, start: date, end: date
) -> None:
    with pytest.raises(SurveyPeriodInvalid):
        a_batch(inspector, start=start, end=end)


def test_a_batch_may_end_today(inspector: Actor) -> None:
    assert a_batch(inspector, end=date(2026, 11, 27)).period_end == date(2026, 11, 27)


@pytest.mark.parametrize(
    "counts",
    [
        (0, 0, 0, 0, 0),
        (1, 2, 3, 4),
        (1, 2, 3, 4, -1),
        (1, 2, 3, 4, MAX_FORMS),
        (1, 2, 3, 4, 2.5),
        (1, 2, 3, 4, True),
    ],
)
def test_a_batch_counts_at_least_one_form_at_five_levels_in_whole_numbers_within_bounds(
    inspector: Actor, counts: tuple[object, ...]
) -> None:
    with pytest.raises(SurveyCountsInvalid):
        a_batch(inspector, counts=counts)


def test_satisfaction_is_the_average_level_as_for_the_online_ratings() -> None:
    assert average_of((0, 0, 1, 1, 1)) == 4.0
    assert average_of((1, 0, 0, 0, 2)) == 3.67
    assert average_of((0, 0, 0, 0, 0)) is None


# The application -------------------------------------------------------------------------


def test_an_inspector_records_a_paper_batch_at_a_window_of_the_directory(
    supervision: Supervision, inspector: Actor
) -> None:
    view = supervision.record_survey_batch(some_results(counts=(0, 0, 1, 4, 5)), inspector)

    assert (view.department, view.forms, view.average, view.bad) == (SAMPLE_DEPARTMENT, 10, 4.4, 0)
    assert view.position is not None


def test_a_batch_at_a_window_the_directory_does_not_list_is_refused(
    supervision: Supervision, inspector: Actor
) -> None:
    with pytest.raises(SurveyWindowUnknown):
        supervision.record_survey_batch(some_results(window="W-NONE"), inspector)


def a_row(row: int, **fields: object) -> SurveyRow:
    """Row `row` of a sheet: a third party's results, or as `fields` say."""
    third_party: dict[str, object] = {
        "source": SurveySource.THIRD_PARTY,
        "provider": "某某测评公司",
        "counts": (1, 2, 3, 4, 5),
    }
    return SurveyRow(row, some_results(**third_party | fields))


def test_a_sheet_imports_every_row_in_one_save(supervision: Supervision, inspector: Actor) -> None:
    before = supervision.recorder.max_notification_id() or 0

    imported = supervision.import_survey_sheet(
        SurveySheet(rows=(a_row(2), a_row(3, source=SurveySource.PAPER, provider=None))),
        inspector,
    )

    assert [b.source for b in imported.batches] == ["third_party", "paper"]
    assert (imported.forms, imported.position) == (30, before + 2)


def test_a_sheet_with_a_bad_row_imports_nothing_and_names_each_bad_row_with_why(
    supervision: Supervision, inspector: Actor
) -> None:
    before = supervision.recorder.max_notification_id()
    sheet = SurveySheet(
        rows=(a_row(2), a_row(3, window="W-NONE"), a_row(5, provider=None)),
        problems=(RowProblem(4, "from must be a date"),),
    )

    with pytest.raises(SurveyImportRefused) as refused:
        supervision.import_survey_sheet(sheet, inspector)

    assert [p.row for p in refused.value.problems] == [3, 4, 5]
    assert "row 3: there is no window 'W-NONE'" in refused.value.message
    assert supervision.recorder.max_notification_id() == before


def test_an_empty_sheet_is_refused(supervision: Supervision, inspector: Actor) -> None:
    with pytest.raises(SurveyImportRefused, match="no rows"):
        supervision.import_survey_sheet(SurveySheet(rows=()), inspector)


# The projection --------------------------------------------------------------------------


def test_the_survey_list_holds_a_batch_as_recorded(inspector: Actor) -> None:
    batch = a_batch(inspector, source=SurveySource.THIRD_PARTY, provider="某某测评公司")
    (recorded,) = batch.collect_events()

    row = SurveyListProjection().project(None, recorded, 42)

    assert row is not None
    assert (row["window_id"], row["provider"], row["period_end"], row["position"]) == (
        SAMPLE_WINDOW,
        "某某测评公司",
        NOVEMBER[1],
        42,
    )
    assert [row[f"rated_{level}"] for level in range(1, 6)] == [0, 1, 2, 3, 4]


def test_a_view_shows_forms_average_and_bad_forms(inspector: Actor) -> None:
    view = SurveyBatchView.of(a_batch(inspector, counts=(1, 1, 0, 0, 2)), position=None)

    assert (view.forms, view.average, view.bad) == (4, 3.25, 2)


# The sheet -------------------------------------------------------------------------------


def test_the_template_reads_back_as_its_two_example_rows() -> None:
    sheet = parse_survey_file(survey_template(), "template.xlsx")

    assert sheet.problems == ()
    assert [(r.row, r.results.source, r.results.provider) for r in sheet.rows] == [
        (2, SurveySource.PAPER, None),
        (3, SurveySource.THIRD_PARTY, "某某测评公司"),
    ]


def _workbook(*rows: list[object], header: list[object] | None = None) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header if header is not None else [key for key, _ in COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_sheet_row_that_cannot_be_read_is_named_with_its_number_and_why() -> None:
    content = _workbook(
        ["paper", None, "W-A01", "2026-11-01", "2026-11-26", 0, 1, 2, 3, 4],
        [],
        ["postal", None, "W-A01", "2026-11-01", "2026-11-26", 0, 1, 2, 3, 4],
        ["paper", None, "W-A01", "11/01/2026", "2026-11-26", 0, 1, 2, 3, 4],
        ["paper", None, "W-A01", "2026-11-01", "2026-11-26", 0, "many", 2, 3, 4],
        ["paper", None, "W" * 300, "2026-11-01", "2026-11-26", 0, 1, 2, 3, 4],
    )

    sheet = parse_survey_file(content, "results.xlsx")

    assert [r.row for r in sheet.rows] == [2]
    assert [(p.row, p.reason.split(" ")[0]) for p in sheet.problems] == [
        (4, "source"),
        (5, "from"),
        (6, "the"),
        (7, "window:"),
    ]


def test_a_file_that_is_not_a_workbook_or_has_the_wrong_header_is_refused() -> None:
    with pytest.raises(SurveyFileError, match="not an XLSX"):
        parse_survey_file(b"source,provider\n", "results.csv")
    with pytest.raises(SurveyFileError, match="row 1 must name the columns"):
        parse_survey_file(_workbook(header=["窗口", "来源"]), "results.xlsx")


# The demo --------------------------------------------------------------------------------


def test_a_campaign_records_last_months_surveys_on_a_months_first_working_day() -> None:
    from tests.unit.test_simulation import recorded, run_campaign

    supervision, _ = run_campaign(days=40, scale=0.05)
    again, _ = run_campaign(days=40, scale=0.05)

    batches = [e for e in recorded(supervision) if isinstance(e, SurveyBatch.Recorded)]
    assert [(b.source, b.period_start, b.period_end) for b in batches] == [
        *[("paper", "2026-10-19", "2026-10-31")] * 3,
        *[("third_party", "2026-10-19", "2026-10-31")] * 2,
    ]
    assert {b.timestamp.date() for b in batches} == {date(2026, 11, 2)}
    assert [b.counts for b in batches] == [
        e.counts for e in recorded(again) if isinstance(e, SurveyBatch.Recorded)
    ]
