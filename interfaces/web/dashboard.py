"""The dashboard's charts as tables: each chart is one table (caption, headers, rows) that
the page shows beside the chart, the CSV download writes out, and the dashboard's script
draws (its first column as the categories, each other column as a series).

The numbers come from the read side's metrics, as the API answers them; this module only
shapes them for people: names instead of ids, rates as percentages, the worst first.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from application.queries import CaseCounts, DayCount, DepartmentMetrics, WindowMetrics
from application.surveys import SurveySatisfaction, average_of
from domain.labels import LABELS, label
from domain.survey import SurveySource

Cell = str | int | float | None
Drawing = Literal["bars", "horizontal_bars", "stacked_bars", "line"]
# The byte order mark that tells Excel a CSV file is UTF-8 (else it reads Chinese as GBK).
BOM = "\ufeff"
NO_CATEGORY = "未分类"


@dataclass(frozen=True)
class Chart:
    """One chart of the dashboard and the table of its numbers."""

    name: str
    caption: str
    drawing: Drawing
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    # How many columns after the first are drawn (None: all); the others are only in the table.
    drawn: int | None = None

    def spec(self) -> dict[str, object]:
        """What the dashboard's script draws: categories and one series per drawn column."""
        drawn = self.headers[1:] if self.drawn is None else self.headers[1 : 1 + self.drawn]
        return {
            "drawing": self.drawing,
            "categories": [row[0] for row in self.rows],
            "series": [
                {"name": header, "data": [row[column] for row in self.rows]}
                for column, header in enumerate(drawn, start=1)
            ],
        }

    def csv(self) -> bytes:
        """The table as CSV, UTF-8 with a BOM so that Excel reads the Chinese."""
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(self.headers)
        writer.writerows(["" if cell is None else cell for cell in row] for row in self.rows)
        return (BOM + text.getvalue()).encode("utf-8")


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def _judged(metrics: DepartmentMetrics) -> list[float]:
    """The rates a department could be judged on in the period (None until something was)."""
    rates = (
        metrics.acknowledged_on_time_rate,
        metrics.completed_on_time_rate,
        metrics.satisfied_rate,
    )
    return [rate for rate in rates if rate is not None]


def _mean_rate(metrics: DepartmentMetrics) -> float:
    rates = _judged(metrics)
    return sum(rates) / len(rates)


def rates_chart(metrics: Sequence[DepartmentMetrics], names: dict[str, str]) -> Chart:
    """The three rates of each department judged on any, the worst (lowest mean) first; a
    department with nothing to judge in the period has no bar and no row."""
    return Chart(
        name="rates",
        caption="各部门签收及时率、按时办结率、满意率（%，最差在前）",
        drawing="horizontal_bars",
        headers=("部门", "签收及时率（%）", "按时办结率（%）", "满意率（%）"),
        rows=[
            (
                names.get(m.department, m.department),
                _percent(m.acknowledged_on_time_rate),
                _percent(m.completed_on_time_rate),
                _percent(m.satisfied_rate),
            )
            for m in sorted((m for m in metrics if _judged(m)), key=_mean_rate)
        ],
    )


def overdue_chart(days: Sequence[DayCount]) -> Chart:
    """The cases overdue at the end of each day of the period, up to today."""
    return Chart(
        name="overdue",
        caption="每日超期工单数",
        drawing="line",
        headers=("日期", "超期工单数"),
        rows=[(day.day.isoformat(), day.count) for day in days],
    )


def _count_chart(name: str, caption: str, what: str, rows: list[tuple[Cell, ...]]) -> Chart:
    """Bars of how many cases each `what` had."""
    return Chart(name=name, caption=caption, drawing="bars", headers=(what, "工单数"), rows=rows)


def kinds_chart(counts: CaseCounts) -> Chart:
    """The cases registered in the period, by kind."""
    rows: list[tuple[Cell, ...]] = [(label("kind", kind), n) for kind, n in counts.by_kind]
    return _count_chart("kinds", "登记工单数（按诉求类型）", "诉求类型", rows)


def categories_chart(counts: CaseCounts) -> Chart:
    """The cases registered in the period, by category."""
    rows: list[tuple[Cell, ...]] = [(c or NO_CATEGORY, n) for c, n in counts.by_category]
    return _count_chart("categories", "登记工单数（按分类）", "分类", rows)


def ratings_chart(metrics: Sequence[WindowMetrics], names: dict[str, str]) -> Chart:
    """Each rated window's ratings, counted from 1 (非常不满意) to 5 (非常满意)."""
    scale = tuple(f"{text}（{value}）" for value, text in LABELS["rating"].items())
    return Chart(
        name="ratings",
        caption="各窗口评价分布（评价次数）",
        drawing="stacked_bars",
        headers=("窗口", *scale),
        rows=[
            (names.get(m.window, m.window), *m.by_rating)
            for m in sorted(metrics, key=lambda m: -m.ratings)
            if m.ratings
        ],
    )


def satisfaction_chart(
    metrics: Sequence[WindowMetrics],
    surveys: Mapping[str, Sequence[SurveySatisfaction]],
    names: dict[str, str],
) -> Chart:
    """Each surveyed window's satisfaction by source (满意度调查, §16): the average level of
    its online ratings, paper forms and third parties' results (drawn), then each one's sample
    size (in the table); third parties' providers together."""
    sources = ("online", *(source.value for source in SurveySource))
    shown = [label("survey_source", source) for source in sources]
    rows: list[tuple[Cell, ...]] = []
    for m in sorted(metrics, key=lambda m: names.get(m.window, m.window)):
        found = surveys.get(m.window, ())
        if not found:
            continue
        by_source = {"online": m.by_rating}
        for survey in found:
            before = by_source.get(survey.source, (0, 0, 0, 0, 0))
            by_source[survey.source] = tuple(  # type: ignore[assignment]
                a + b for a, b in zip(before, survey.by_rating, strict=True)
            )
        levels = [by_source.get(source, (0, 0, 0, 0, 0)) for source in sources]
        rows.append(
            (
                names.get(m.window, m.window),
                *(average_of(counts) for counts in levels),
                *(sum(counts) for counts in levels),
            )
        )
    return Chart(
        name="satisfaction",
        caption="各窗口满意度：线上评价与满意度调查（平均分 1–5）",
        drawing="bars",
        headers=("窗口", *(f"{s}平均分" for s in shown), *(f"{s}样本量" for s in shown)),
        rows=rows,
        drawn=len(sources),
    )
