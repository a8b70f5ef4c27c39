"""The SurveyBatch aggregate (满意度调查, DESIGN §16): one batch of satisfaction forms.

A batch is either paper forms handed out at random at a window (纸质问卷), or one window's
results from a third party's survey (第三方测评), named by its provider. It says which window,
over which period (the days the forms were collected, both included), and how many forms gave
each rating level, 1 (非常不满意) to 5 (非常满意), the levels of the online ratings (好差评).
A batch is recorded once and not changed; its satisfaction is read beside the online ratings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.actor import Actor
from domain.errors import Invalid
from domain.scorecard import day_of
from domain.text import require_storable

# The rating levels a batch counts, as the API and the sheets name them.
RATING_LEVELS = ("1", "2", "3", "4", "5")
# The forms one batch may count, all levels together: far above any window's survey, low
# enough that a typo (a phone number in a count cell) is refused rather than recorded.
MAX_FORMS = 100_000
MAX_PROVIDER = 100
# A batch covers at most a year of collection.
MAX_PERIOD_DAYS = 366


class SurveySource(StrEnum):
    """Where a batch's forms come from (调查来源)."""

    PAPER = "paper"
    THIRD_PARTY = "third_party"


@dataclass(frozen=True, kw_only=True)
class SurveyResults:
    """What a batch reports, before it is checked: whose forms (the third party's name, none
    for paper), at which window, collected from `start` to `end`, and how many forms gave
    each level, 1 to 5."""

    source: SurveySource
    provider: str | None = None
    window: str
    start: date
    end: date
    counts: Sequence[int]


class InvalidSurvey(Invalid):
    """A batch the record cannot accept as it stands."""

    code = "invalid_survey"


class SurveyProviderRequired(InvalidSurvey):
    """A third party's results name the third party; paper forms name none."""

    code = "survey_provider"


class SurveyPeriodInvalid(InvalidSurvey):
    """A batch's period runs forwards, a year at most, and has begun by today."""

    code = "survey_period"


class SurveyCountsInvalid(InvalidSurvey):
    """A batch counts the forms at each of the five levels: whole numbers, not negative, at
    least one form and at most MAX_FORMS in all."""

    code = "survey_counts"


class SurveyWindowUnknown(InvalidSurvey):
    """A batch names a window the directory lists."""

    code = "survey_window_unknown"


def checked_provider(source: SurveySource, provider: str | None) -> str | None:
    """The provider a batch of `source` names: required for a third party, refused on paper."""
    provider = (provider or "").strip() or None
    if source is SurveySource.THIRD_PARTY and provider is None:
        raise SurveyProviderRequired("a third party's results name the third party (provider)")
    if source is SurveySource.PAPER and provider is not None:
        raise SurveyProviderRequired("paper forms have no provider: leave it out")
    if provider is not None and len(provider) > MAX_PROVIDER:
        raise SurveyProviderRequired(f"a provider's name is at most {MAX_PROVIDER} characters")
    if provider is not None:
        require_storable(provider, SurveyProviderRequired, "provider")
    return provider


def checked_period(start: date, end: date, today: date) -> None:
    """Refuse a period that runs backwards, is longer than a year or has not begun."""
    if start > end:
        raise SurveyPeriodInvalid("the period's `from` must not be after its `to`")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise SurveyPeriodInvalid(f"a batch covers at most {MAX_PERIOD_DAYS} days")
    if end > today:
        raise SurveyPeriodInvalid(f"the period ends {end.isoformat()}, after today")


def checked_counts(counts: Sequence[int]) -> tuple[int, int, int, int, int]:
    """The forms at levels 1 to 5, if they are five whole numbers, not negative, at least one
    form and at most MAX_FORMS in all."""
    if len(counts) != len(RATING_LEVELS):
        raise SurveyCountsInvalid("a batch counts the forms at each of the levels 1 to 5")
    for level, count in zip(RATING_LEVELS, counts, strict=True):
        if isinstance(count, bool) or not isinstance(count, int):
            raise SurveyCountsInvalid(f"the count at level {level} is not a whole number")
        if count < 0:
            raise SurveyCountsInvalid(f"the count at level {level} is negative")
    total = sum(counts)
    if total == 0:
        raise SurveyCountsInvalid("a batch counts at least one form")
    if total > MAX_FORMS:
        raise SurveyCountsInvalid(f"a batch counts at most {MAX_FORMS} forms")
    one, two, three, four, five = counts
    return one, two, three, four, five


class SurveyBatch(Aggregate):
    """A batch of satisfaction forms (满意度调查) at one window over a period."""

    TOPIC = "oversight:SurveyBatch"

    class Event(Aggregate.Event):
        TOPIC = "oversight:SurveyBatch.Event"
        actor: Actor

    class Recorded(Event, Aggregate.Created):
        TOPIC = "oversight:SurveyBatch.Recorded"
        source: str
        provider: str | None
        window: str
        department: str
        period_start: str
        period_end: str
        counts: list[int]

    def __init__(
        self,
        source: str,
        provider: str | None,
        window: str,
        department: str,
        period_start: str,
        period_end: str,
        counts: list[int],
        actor: Actor,
    ) -> None:
        self.source = SurveySource(source)
        self.provider = provider
        self.window = window
        self.department = department
        self.period_start = date.fromisoformat(period_start)
        self.period_end = date.fromisoformat(period_end)
        self.counts = tuple(counts)
        self.recorded_by = actor

    @classmethod
    def record(
        cls,
        results: SurveyResults,
        *,
        batch_id: UUID,
        department: str,
        by: Actor,
        at: datetime,
    ) -> SurveyBatch:
        """Record a batch (录入调查结果) once its provider, period and counts are checked."""
        source = SurveySource(results.source)
        provider = checked_provider(source, results.provider)
        checked_period(results.start, results.end, day_of(at))
        return cls._create(
            cls.Recorded,
            id=batch_id,
            source=source.value,
            provider=provider,
            window=results.window,
            department=department,
            period_start=results.start.isoformat(),
            period_end=results.end.isoformat(),
            counts=list(checked_counts(results.counts)),
            actor=by,
            timestamp=at,
        )

    @property
    def forms(self) -> int:
        """How many forms the batch counts: its sample size."""
        return sum(self.counts)
