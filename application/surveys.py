"""Verbs on satisfaction surveys (满意度调查, DESIGN §16): record a batch, import a sheet, read.

A batch counts forms at the five rating levels of the online ratings (好差评), so its
satisfaction is summarised the same way: the average level (1–5, two decimals) and the bad
forms (levels 1 and 2), beside the online ratings' average and bad ratings. A batch belongs to
a period of the metrics, and to a month of the monthly report, by the last day of its
collection (`to`): each batch counts once, however its period straddles months.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol, Self
from uuid import UUID

from application.directory import DirectoryVerbs
from application.queries import EvaluationMetrics, Page
from application.views import view_of
from domain.actor import Actor
from domain.errors import DomainError, Invalid
from domain.survey import SurveyBatch, SurveyResults, SurveyWindowUnknown

# How many rows one imported sheet may hold: every batch is saved together, and a save's
# size is kept bounded (docs/benchmarks.md; eventsourcing-notes, "A large save can hang").
MAX_IMPORT_ROWS = 1_000
# The code of a problem of the sheet as a whole (row 0).
_SHEET = "survey_file_invalid"
# Levels 1 and 2 are bad, as for the online ratings (差评).
BAD_LEVEL = 2


def average_of(by_rating: Sequence[int]) -> float | None:
    """The average level of counts at levels 1 to 5, two decimals; None without any."""
    total = sum(by_rating)
    if not total:
        return None
    return round(sum(level * count for level, count in enumerate(by_rating, 1)) / total, 2)


class RatingTally:
    """What forms counted by rating (one to five) tell: how many, their average, how many bad."""

    by_rating: tuple[int, int, int, int, int]

    @property
    def forms(self) -> int:
        """The sample size."""
        return sum(self.by_rating)

    @property
    def average(self) -> float | None:
        return average_of(self.by_rating)

    @property
    def bad(self) -> int:
        return sum(self.by_rating[:BAD_LEVEL])


@dataclass(frozen=True)
class SurveyBatchView(RatingTally):
    """A batch as its readers see it; `position`: a command's answer, the global position of
    its event; a list's item, its place in the list, newest first."""

    id: UUID
    source: str
    provider: str | None
    window: str
    department: str
    start: date
    end: date
    by_rating: tuple[int, int, int, int, int]
    recorded_at: datetime
    recorded_by: str
    position: int | None

    @classmethod
    def of(cls, batch: SurveyBatch, position: int | None) -> SurveyBatchView:
        one, two, three, four, five = batch.counts
        return view_of(
            cls,
            batch,
            source=batch.source.value,
            start=batch.period_start,
            end=batch.period_end,
            by_rating=(one, two, three, four, five),
            recorded_at=batch.created_on,
            recorded_by=batch.recorded_by.name or batch.recorded_by.principal,
            position=position,
        )


@dataclass(frozen=True)
class SurveySatisfaction(RatingTally):
    """One source's forms at one window over a period: paper forms together, a third party's
    per provider; `batches` how many batches they came in."""

    window: str
    source: str
    provider: str | None
    batches: int
    by_rating: tuple[int, int, int, int, int]


@dataclass(frozen=True)
class WindowSatisfaction:
    """A window's month for the monthly report: its online ratings and its surveys, each
    source apart."""

    window: str
    department: str
    online: EvaluationMetrics
    surveys: tuple[SurveySatisfaction, ...]


class SurveyQueries(Protocol):
    """Survey batches and their satisfaction, read from the survey_list table."""

    def as_of(self, position: int) -> Self:
        """These queries, reading the record as it stood at log `position` (§14)."""
        ...

    async def list_batches(
        self, *, window: str | None, limit: int, cursor: str | None, after: int | None
    ) -> Page:
        """Batches, the last recorded first, of one window if named."""
        ...

    async def satisfaction(self, start: date, end: date) -> dict[str, list[SurveySatisfaction]]:
        """Per window: each source's forms of the batches whose `to` falls in [start, end]."""
        ...

    async def month_satisfaction(
        self, month: str, *, department: str | None, after: int | None
    ) -> list[WindowSatisfaction]:
        """The windows with a batch ending in `month`: their surveys beside their ratings."""
        ...


@dataclass(frozen=True)
class SurveyRow:
    """One row of an imported sheet: its number in the sheet, as a spreadsheet shows it, and
    the results it reports, read but not yet checked."""

    row: int
    results: SurveyResults


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one row of a sheet (row 0: the sheet itself): why, and the code of
    the refusal (`survey_row_unreadable`: a cell that cannot be read as its column says)."""

    row: int
    reason: str
    code: str = "survey_row_unreadable"


@dataclass(frozen=True)
class SurveySheet:
    """A sheet as read: its rows, and the rows that could not be read, with why."""

    rows: tuple[SurveyRow, ...]
    problems: tuple[RowProblem, ...] = ()


class SurveyImportRefused(Invalid):
    """A sheet with a bad row imports nothing; `problems` names each bad row and why."""

    code = "survey_file_invalid"

    def __init__(self, message: str, problems: Sequence[RowProblem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


@dataclass(frozen=True)
class SurveyImport:
    """What an import recorded."""

    batches: tuple[SurveyBatchView, ...]
    position: int
    forms: int = field(default=0)


class SurveyVerbs(DirectoryVerbs):
    """Record satisfaction survey batches, one by one or a third party's sheet at once."""

    def _window_department(self, window: str) -> str:
        found = self.directory().window(window)
        if found is None:
            raise SurveyWindowUnknown(f"there is no window {window!r}")
        return found.department

    def _batch(self, results: SurveyResults, by: Actor, at: datetime) -> SurveyBatch:
        """A batch of `results`, of their window's department."""
        return SurveyBatch.record(
            results,
            batch_id=self.ids(),
            department=self._window_department(results.window),
            by=by,
            at=at,
        )

    def record_survey_batch(self, results: SurveyResults, by: Actor) -> SurveyBatchView:
        """Record one batch of forms at a window over a period (录入调查结果)."""
        batch = self._batch(results, by, self.time_source.now())
        return SurveyBatchView.of(batch, self._commit(batch))

    def import_survey_sheet(self, sheet: SurveySheet, by: Actor) -> SurveyImport:
        """Record every row of a sheet (导入第三方测评结果) in one save, or none: a sheet with
        a bad row is refused, each bad row named with its number and why."""
        problems = list(sheet.problems)
        if not sheet.rows and not problems:
            problems.append(RowProblem(0, "the sheet has no rows of results", _SHEET))
        if len(sheet.rows) > MAX_IMPORT_ROWS:
            problems.append(RowProblem(0, f"a sheet holds at most {MAX_IMPORT_ROWS} rows", _SHEET))
        now = self.time_source.now()
        batches: list[SurveyBatch] = []
        for row in sheet.rows:
            try:
                batches.append(self._batch(row.results, by, now))
            except DomainError as refused:
                problems.append(RowProblem(row.row, refused.message, refused.code))
        if problems:
            problems.sort(key=lambda problem: problem.row)
            shown = "; ".join(
                f"row {p.row}: {p.reason}" if p.row else p.reason for p in problems[:20]
            )
            more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
            raise SurveyImportRefused(f"nothing imported: {shown}{more}", problems)
        position = self._commit(*batches)
        views = tuple(SurveyBatchView.of(batch, position) for batch in batches)
        return SurveyImport(
            batches=views, position=position, forms=sum(view.forms for view in views)
        )
