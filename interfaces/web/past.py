"""查看历史时点 (§14) at the console: the instant a page shows the record at, from `as_of`.

A page of boards, lists, scores or reports depends on `MomentDep`. Without `as_of` the page
reads now, as before. With it, the page reads through `moment.of(queries)` with
`after=moment.after()`, keeps the answer if `moment.checked(answer)`, and counts time left
and overdue at `moment.at`; given the `moment` in
its context, the layout shows the banner saying which instant is shown, and the page leaves
its write actions out (templates/_as_of.html).

`as_of` is what the API takes (`interfaces/as_of.py`: an instant with its offset, or a date),
and what the control's `datetime-local` input sends: a wall-clock time without an offset,
read in the office's time (Asia/Shanghai), as the deduction form reads its 发生时间.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from application.queries import Reading
from domain.calendar import OFFICE_TZ
from interfaces.as_of import past_asked, past_projected
from interfaces.http.deps import ContainerDep

AS_OF = "as_of"
# The longest wall-clock time a `datetime-local` input sends: 2026-11-03T10:00:00.000000.
_LONGEST_WALL_CLOCK = len("2026-11-03T10:00:00.000000")


@dataclass(frozen=True)
class Moment(Reading):
    """The instant a page shows the record at, now or a past instant of record time, and how
    its links and its control carry it."""

    @property
    def as_of_text(self) -> str:
        """The past instant as links carry it on (with the office's offset); empty for now."""
        return self.past.instant.astimezone(OFFICE_TZ).isoformat() if self.past else ""

    @property
    def query(self) -> dict[str, str]:
        """What a link of the page adds to its query string to stay at the instant shown."""
        return {AS_OF: self.as_of_text} if self.past else {}

    @property
    def wall_clock(self) -> str:
        """The past instant as the control's `datetime-local` input shows it; empty for now."""
        return _wall_clock(self.past.instant) if self.past else ""

    @property
    def latest(self) -> str:
        """The latest minute the control offers: this one."""
        return _wall_clock(self.now)


def office_time(text: str) -> str:
    """`as_of` with a wall-clock time without an offset (as `datetime-local` sends it) given
    the office's offset; any other text as it is, for `interfaces/as_of.py` to read or refuse."""
    if len(text) <= len("2026-11-03") or len(text) > _LONGEST_WALL_CLOCK or not text.isascii():
        return text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is not None:
        return text
    return moment.replace(tzinfo=OFFICE_TZ).isoformat()


async def moment_asked(request: Request, container: ContainerDep) -> Moment:
    """The instant the page's `as_of` asks for (now without one); a malformed one, or one
    still to come, is refused in Chinese (422), and one the read side has not yet got to
    asks to retry (503), as the API does."""
    now = container.supervision.time_source.now()
    asked = request.query_params.get(AS_OF, "").strip()
    if not asked:
        return Moment(now)
    past = await past_asked(container.record_time, office_time(asked), now)
    return Moment(now, await past_projected(container.read_side_history, past))


def _wall_clock(instant: datetime) -> str:
    return instant.astimezone(OFFICE_TZ).strftime("%Y-%m-%dT%H:%M")


# The instant a page of boards, lists, scores or reports shows (§14).
MomentDep = Annotated[Moment, Depends(moment_asked)]
