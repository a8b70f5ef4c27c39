"""A read of the present or of the record as it stood at an instant (§14): which queries answer,
which position they wait for, the instant time is counted at, and `as_of` as people write it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from application.queries import AsOfInFuture, InvalidAsOf, Past, PastNotProjected, Reading
from interfaces.as_of import instant_asked
from interfaces.web.past import Moment, office_time

NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
THEN = Past(instant=datetime(2026, 11, 3, 2, 0, tzinfo=UTC), position=4_117)


@dataclass(frozen=True)
class Queries:
    """Queries that say at which position they read."""

    position: int | None = None

    def as_of(self, position: int) -> Queries:
        return Queries(position)

    async def answer(self, after: int | None, *, reached: int) -> Answer:
        return Answer(self.position, after, caught_up=after is None or reached >= after)


@dataclass(frozen=True)
class Answer:
    read_at: int | None
    waited_for: int | None
    caught_up: bool


def test_a_read_of_the_present_uses_the_live_queries_and_the_position_the_caller_asked_for() -> (
    None
):
    reading = Reading(NOW)

    assert reading.of(Queries()) == Queries()
    assert reading.after(12) == 12
    assert (reading.as_of, reading.at) == (None, NOW)


def test_a_read_of_the_past_uses_the_past_queries_waits_for_its_position_and_counts_time_then() -> (
    None
):
    reading = Reading(NOW, THEN)

    assert reading.of(Queries()) == Queries(THEN.position)
    assert reading.after(12) == THEN.position
    assert (reading.as_of, reading.at) == (THEN.instant, THEN.instant)


@pytest.mark.asyncio
async def test_an_answer_of_the_past_short_of_its_position_is_refused_not_returned() -> None:
    reading = Reading(NOW, THEN)

    answer = await reading.read(Queries(), lambda q, after: q.answer(after, reached=THEN.position))
    assert answer == Answer(THEN.position, THEN.position, caught_up=True)
    with pytest.raises(PastNotProjected):
        await reading.read(Queries(), lambda q, after: q.answer(after, reached=THEN.position - 1))


@pytest.mark.asyncio
async def test_an_answer_of_the_present_not_yet_caught_up_is_returned_to_say_so() -> None:
    answer = await Reading(NOW).read(Queries(), lambda q, after: q.answer(after, reached=5), 6)

    assert answer == Answer(None, 6, caught_up=False)


def test_a_page_at_a_past_instant_carries_it_in_its_links_with_the_offices_offset() -> None:
    moment = Moment(NOW, THEN)

    assert moment.query == {"as_of": "2026-11-03T10:00:00+08:00"}
    assert (moment.wall_clock, moment.latest) == ("2026-11-03T10:00", "2026-12-03T14:00")
    assert Moment(NOW).query == {}


def test_a_wall_clock_time_from_the_control_is_read_in_the_offices_time() -> None:
    assert instant_asked(office_time("2026-11-03T10:00"), NOW) == THEN.instant
    assert office_time("2026-11-03T10:00Z") == "2026-11-03T10:00Z"
    assert office_time("2026-11-03") == "2026-11-03"


def test_a_date_means_the_end_of_that_day_in_the_office_and_today_means_now() -> None:
    end_of_day = datetime(2026, 11, 3, 16, 0, tzinfo=UTC) - timedelta(microseconds=1)

    assert instant_asked("2026-11-03", NOW) == end_of_day
    assert instant_asked("2026-12-03", NOW) == NOW


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("2026-11-03T10:00", InvalidAsOf),
        ("yesterday", InvalidAsOf),
        ("2026-11-03T10:00+08:00\x00", InvalidAsOf),
        ("1999-12-31T23:59+00:00", InvalidAsOf),
        ("0001-01-01T00:00+14:00", InvalidAsOf),
        ("2026-12-04", AsOfInFuture),
        ("2026-12-03T14:00:01+08:00", AsOfInFuture),
        ("9999-12-31T23:59:59+00:00", AsOfInFuture),
    ],
)
def test_an_as_of_without_an_offset_malformed_too_early_or_still_to_come_is_refused(
    text: str, refusal: type[Exception]
) -> None:
    with pytest.raises(refusal):
        instant_asked(text, NOW)
