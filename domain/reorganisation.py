"""Reorganisation (机构改革, DESIGN §15): what becomes of open work when the directory changes.

A directory import may take departments, windows and staff out of service (`Leaving`). Open
work (a case not closed or merged, a rectification order not verified, an appeal not yet
decided) must never be left pointing at one of them with nobody to act on it:

- a department retired with a successor (`successor:` in the file) hands each open case,
  order and appeal it holds to the successor, or, in a split, to the department that now
  runs the window the work names;
- a department, window or staff member simply left out of the file while open work names it
  refuses the whole import, naming each one and its open work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from domain.directory import Leaving
from domain.errors import Conflict


class OpenWork(Protocol):
    """A case, a rectification order or an appeal, as reorganisation reads it."""

    tracking_number: str
    window: str | None
    staff: str | None

    @property
    def held_by(self) -> str | None: ...


@dataclass(frozen=True)
class Holding:
    """A directory entry an import would drop, and the open work that still names it."""

    kind: str  # department, window or staff
    id: str
    work: tuple[str, ...]  # the tracking numbers of the open cases and orders, `appeal <id>`


class OpenWorkLeftBehind(Conflict):
    """An import would drop a department, window or staff member that open work names."""

    code = "open_work_left_behind"

    def __init__(self, holdings: tuple[Holding, ...]) -> None:
        named = "; ".join(
            f"{holding.kind} {holding.id}: {', '.join(holding.work)}" for holding in holdings
        )
        super().__init__(
            "the file drops entries that open work still names (retire a department with "
            f"`successor:`, move windows and staff, or finish the work first): {named}"
        )
        self.holdings = holdings


Work = TypeVar("Work", bound=OpenWork)


def handovers(leaving: Leaving, work: Iterable[Work]) -> list[tuple[Work, str]]:
    """Each piece of open work that changes hands, and the department taking it over; or
    `OpenWorkLeftBehind` naming everything the import would leave with nobody to act on it."""
    held: dict[tuple[str, str], list[str]] = {}
    handed: list[tuple[Work, str]] = []
    for task in sorted(work, key=lambda task: task.tracking_number):
        department = task.held_by
        if department is None:
            continue
        for kind, entry, gone in (
            ("window", task.window, leaving.windows),
            ("staff", task.staff, leaving.staff),
        ):
            if entry is not None and entry in gone:
                held.setdefault((kind, entry), []).append(task.tracking_number)
        if department not in leaving.departments:
            continue
        successor = _taker(leaving, department, task.window)
        if successor is None:
            held.setdefault(("department", department), []).append(task.tracking_number)
        else:
            handed.append((task, successor))
    if held:
        rank = {"department": 0, "window": 1, "staff": 2}
        ordered = sorted(held.items(), key=lambda item: (rank[item[0][0]], item[0][1]))
        raise OpenWorkLeftBehind(
            tuple(Holding(kind, entry, tuple(numbers)) for (kind, entry), numbers in ordered)
        )
    return handed


def _taker(leaving: Leaving, department: str, window: str | None) -> str | None:
    """Who takes over work of a retired department: in a split, the department now running
    the window the work names (when it stays in service); else the retired one's successor."""
    successor = leaving.departments[department]
    if successor is None:
        return None
    moved_to = leaving.window_departments.get(window) if window is not None else None
    if moved_to is not None and moved_to not in leaving.departments:
        return moved_to
    return successor
