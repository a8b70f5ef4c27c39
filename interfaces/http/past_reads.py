"""Reads of the present or of the record as it stood at `as_of` (§14), alike on every list,
board and metric: which queries, which position to wait for, and at which moment time left
and overdue flags are counted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends

from application.queries import Past, PastReadable
from interfaces.http.deps import ContainerDep, PastDep


@dataclass(frozen=True)
class Reading:
    """A read of the record now (`past` None) or as it stood at `past`, asked at `present`."""

    past: Past | None
    present: datetime

    @property
    def as_of(self) -> datetime | None:
        """The instant the answer reflects, to state in it; None when it reflects now."""
        return self.past.instant if self.past is not None else None

    @property
    def now(self) -> datetime:
        """When time left and overdue flags are counted: at the instant asked for."""
        return self.past.instant if self.past is not None else self.present

    def of(self, queries: PastReadable) -> PastReadable:
        """`queries`, reading the record as it stood at the instant asked for."""
        return queries.as_of(self.past.position) if self.past is not None else queries

    def after(self, asked: int | None) -> int | None:
        """The position to wait for: the past's own, or the one the caller asked for now."""
        return self.past.position if self.past is not None else asked


async def reading_asked(past: PastDep, container: ContainerDep) -> Reading:
    """The read `as_of` asks for. A past the read tables have not yet been projected to is
    refused (503 `as_of_not_projected`): its answer would miss what was recorded by then."""
    if past is not None:
        await container.read_side_history.projected_to(past.position)
    return Reading(past, container.supervision.time_source.now())


ReadingDep = Annotated[Reading, Depends(reading_asked)]
