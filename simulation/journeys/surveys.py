"""Satisfaction surveys' journeys (满意度调查, §16): on the first working day of a month an
inspector records the last month's paper forms handed out at random at a few windows, and the
third party's results for a few others.

They draw from a random stream of their own, seeded by the day, so that adding them leaves
the rest of a campaign exactly as it was; careless departments' windows get worse forms.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from domain.calendar import OFFICE_TZ
from domain.survey import SurveyResults, SurveySource
from simulation.world import INSPECTORS, World

# How many windows a month's paper forms and third party's results cover.
PAPER_WINDOWS = 3
THIRD_PARTY_WINDOWS = 2
THIRD_PARTY = "市营商环境第三方测评中心"
# The share of forms at levels 1 to 5 at a careful window; carelessness moves forms down.
FORM_MIX = (0.02, 0.04, 0.12, 0.36, 0.46)
# When the inspector sits down to record them.
RECORDED_AT = time(9, 30)


class SurveyJourneys(World):
    """What inspectors do with satisfaction surveys at the start of each month."""

    _survey_first_day: date | None = None

    def _plan_surveys(self, day: date) -> None:
        """On the month's first working day (not the campaign's first), record last month's;
        called for each working day in order, the first call on the campaign's first."""
        if self._survey_first_day is None:
            self._survey_first_day = day
        campaign_first_day = self._survey_first_day
        if day.day > 7 or day == campaign_first_day:
            return
        first_working = next(
            d
            for d in (day.replace(day=n) for n in range(1, day.day + 1))
            if self._calendar.is_working_day(d)
        )
        if first_working != day:
            return
        last_month_end = day.replace(day=1) - timedelta(days=1)
        start = max(last_month_end.replace(day=1), campaign_first_day)
        if start > last_month_end:
            return
        moment = datetime.combine(day, RECORDED_AT, tzinfo=OFFICE_TZ)
        if moment >= self.time_source.now():
            self._at(moment, self._record_surveys, start, last_month_end)

    def _record_surveys(self, start: date, end: date) -> None:
        rng = random.Random(f"surveys:{end.isoformat()}")  # noqa: S311 -- a simulation
        windows = sorted(self._windows)
        chosen = rng.sample(windows, min(len(windows), PAPER_WINDOWS + THIRD_PARTY_WINDOWS))
        inspector = INSPECTORS[end.month % len(INSPECTORS)]
        for index, window in enumerate(chosen):
            third_party = index >= PAPER_WINDOWS
            results = SurveyResults(
                source=SurveySource.THIRD_PARTY if third_party else SurveySource.PAPER,
                provider=THIRD_PARTY if third_party else None,
                window=window,
                start=start,
                end=end,
                counts=self._forms(rng, window, 60 if third_party else 25),
            )
            self.supervision.record_survey_batch(results, inspector)

    def _forms(self, rng: random.Random, window: str, expected: int) -> tuple[int, ...]:
        careless = self._sloppiness(self._windows[window].department)
        weights = [
            share * (1 + 4 * careless if level <= 2 else 1)
            for level, share in enumerate(FORM_MIX, 1)
        ]
        forms = max(1, round(expected * rng.uniform(0.7, 1.3)))
        drawn = rng.choices(range(5), weights=weights, k=forms)
        return tuple(drawn.count(level) for level in range(5))
