"""`as_of` (§14) as the API, the console and the CLI take it: an ISO 8601 instant with its
offset, or a date meaning the end of that day in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from application.past import ReadSideHistory
from application.queries import AsOfInFuture, InvalidAsOf, Past, RecordTime
from domain.calendar import office_midnight

AS_OF_DESCRIPTION = (
    "read the record as it stood at this instant (§14, record time): an ISO 8601 instant "
    "with its offset, such as 2026-11-03T10:00:00+08:00, or a date, meaning the end of that "
    "day in Asia/Shanghai (today: now). Months and days asked for stay the days acts "
    "happened (valid time)."
)
# The longest instant ISO 8601 writes, with microseconds and an offset, and a little more.
_LONGEST = 40
# The earliest instant asked for: the API's days and moments are of the years 20xx, and an
# instant of year 1 may not even be one in UTC (at +14:00), which the database keeps.
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def instant_asked(text: str, now: datetime) -> datetime:
    """The instant `text` names; a date is the end of that day, or now for today."""
    if len(text) > _LONGEST or not (text.isascii() and text.isprintable()):
        raise InvalidAsOf("as_of is an ISO 8601 instant with its offset, or a date")
    try:
        if len(text) == len("2026-11-03"):
            day = date.fromisoformat(text)
            if office_midnight(day) > now:
                raise AsOfInFuture("as_of is a day still to come: the record cannot say yet")
            instant = min(office_midnight(day + timedelta(days=1)) - timedelta(microseconds=1), now)
        else:
            instant = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        raise InvalidAsOf("as_of is an ISO 8601 instant with its offset, or a date") from None
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InvalidAsOf("as_of needs its offset, such as +08:00 or Z")
    if instant > now:
        raise AsOfInFuture("as_of is in the future: the record cannot say yet")
    if instant < _EARLIEST:
        raise InvalidAsOf("as_of is before the year 2000, which the record holds nothing of")
    return instant


async def past_asked(record_time: RecordTime, text: str | None, now: datetime) -> Past | None:
    """The record as it stood at `as_of`, or None when the present is asked for."""
    if text is None or text == "":
        return None
    return await record_time.past(instant_asked(text, now))


async def past_projected(history: ReadSideHistory, past: Past | None) -> Past | None:
    """`past`, once the read tables that keep history have been projected to it; refused
    (503 `as_of_not_projected`) if they do not get there in time, as an answer would miss
    what was recorded by then."""
    if past is not None:
        await history.projected_to(past.position)
    return past
