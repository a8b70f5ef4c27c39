"""Verbs on the item catalogue (事项清单, DESIGN §16): import it, check an item against the
directory, name an item in service, and read the catalogue.

A catalogue file is checked against the directory as it is read, row by row, so that a
refusal names every wrong row; `import_items` checks again before anything is recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from application.directory import DirectoryVerbs
from domain.actor import Actor
from domain.case import SEVERAL_TRIPS
from domain.item import (
    CATALOGUE_ID,
    ItemCatalogue,
    ItemDepartmentUnknown,
    ItemSpec,
    ItemWindowUnknown,
    ItemZoneUnknown,
    Material,
    check_codes_unique,
    check_item,
)


@dataclass(frozen=True)
class ItemImport:
    """What an import recorded: items listed, revised and withdrawn, and the log position."""

    listed: int
    revised: int
    withdrawn: int
    position: int

    @property
    def changes(self) -> int:
        return self.listed + self.revised + self.withdrawn


@dataclass(frozen=True)
class ItemSummary:
    """An item as the catalogue lists it, with the one-time notice's materials."""

    code: str
    name: str
    department: str
    department_name: str
    windows: tuple[str, ...]
    # Each window's name, in the order of `windows` (the id where the directory has none).
    window_names: tuple[str, ...]
    zone: str
    frequency: str
    at_most_one_trip: bool
    promised_working_days: int
    materials: tuple[Material, ...]
    legal_basis: str
    sample: bool
    withdrawn: bool
    version: int
    revised_at: datetime


@dataclass(frozen=True)
class ItemList:
    """The items a filter keeps, by code, and how far the read side had got."""

    items: list[ItemSummary]
    position: int
    caught_up: bool


# How the metrics name the cases that name no category.
UNCATEGORISED = "未分类"


@dataclass(frozen=True)
class ItemMetrics:
    """One item over a period: its cases by category, its ratings and the bad ones (差评),
    and, for an item promised in at most one trip, the complaints that it took several
    (多次跑动)."""

    code: str
    name: str
    department: str
    at_most_one_trip: bool
    withdrawn: bool
    cases_by_category: dict[str, int]
    ratings: int
    bad_ratings: int

    @property
    def cases(self) -> int:
        return sum(self.cases_by_category.values())

    @property
    def several_trips(self) -> int:
        """Cases of the category 多次跑动 on an item promised in one trip (0 on any other)."""
        return self.cases_by_category.get(SEVERAL_TRIPS, 0) if self.at_most_one_trip else 0


class ItemQueries(Protocol):
    """The public catalogue, read from the item_list table."""

    async def list_items(
        self,
        *,
        department: str | None,
        zone: str | None,
        at_most_one_trip: bool | None,
        q: str | None,
        after: int | None,
    ) -> ItemList:
        """Items in service matching every filter given, by code."""
        ...

    async def get_item(self, code: str) -> ItemSummary | None:
        """One item by code (a withdrawn one too, marked so); None when the code is unknown."""
        ...

    async def item_metrics(self, *, start: datetime, end: datetime) -> list[ItemMetrics]:
        """Per item, by code: cases registered and ratings recorded from `start` to before
        `end`; every item in service, and a withdrawn one with cases or ratings then."""
        ...


class ItemVerbs(DirectoryVerbs):
    """Importing the catalogue and naming its items."""

    def item_catalogue(self) -> ItemCatalogue:
        """The catalogue as recorded (empty before the first import), to read, not change."""
        found = self._shared_or_none(CATALOGUE_ID)
        return (
            found
            if found is not None
            else ItemCatalogue.start(Actor.system(), self.time_source.now())
        )

    def check_item_in_directory(self, spec: ItemSpec) -> None:
        """Refuse an item whose department, windows or zone the directory does not hold."""
        check_item(spec)
        directory = self.directory()
        if spec.department not in {department.id for department in directory.departments}:
            raise ItemDepartmentUnknown(
                f"department {spec.department!r} is not an active department of the directory"
            )
        active = {window.id: window for window in directory.windows}
        for window in spec.windows:
            if window not in active:
                raise ItemWindowUnknown(
                    f"window {window!r} is not an active window of the directory"
                )
        if spec.zone not in {window.zone for window in directory.windows}:
            raise ItemZoneUnknown(f"zone {spec.zone!r} is not a zone of the hall's windows")

    def import_items(self, specs: Sequence[ItemSpec], by: Actor) -> ItemImport:
        """Record what changed between the catalogue on record and `specs` (idempotent):
        nothing at all when any item is refused."""
        check_codes_unique(specs)
        for spec in specs:
            self.check_item_in_directory(spec)
        now = self.time_source.now()
        catalogue = self._load_or_none(CATALOGUE_ID) or ItemCatalogue.start(by, now)
        catalogue.reconcile(specs, by, now)
        pending = catalogue.pending_events
        counts = {
            kind: sum(isinstance(event, kind) for event in pending)
            for kind in (
                ItemCatalogue.ItemListed,
                ItemCatalogue.ItemRevised,
                ItemCatalogue.ItemWithdrawn,
            )
        }
        position = self._commit(catalogue)
        return ItemImport(
            listed=counts[ItemCatalogue.ItemListed],
            revised=counts[ItemCatalogue.ItemRevised],
            withdrawn=counts[ItemCatalogue.ItemWithdrawn],
            position=position,
        )

    def require_item(self, code: str | None) -> None:
        """Refuse (`unknown_item`) a code the catalogue does not hold in service; None passes."""
        if code is not None:
            self.item_catalogue().require_item(code)
