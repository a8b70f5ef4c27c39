"""Saved filters of the case list, per account (DESIGN §13): a person names the filters they
use often and applies them with one click. A preference, not a record: kept in a small table,
not as events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.errors import Conflict

MAX_SAVED_FILTERS = 20


class TooManySavedFilters(Conflict):
    """An account keeps at most MAX_SAVED_FILTERS saved filters."""

    code = "too_many_saved_filters"


@dataclass(frozen=True)
class SavedFilter:
    """A named case-list query (the list's own query string)."""

    name: str
    query: str
    saved_at: datetime


class SavedFilterStore(Protocol):
    """Where saved filters are kept, keyed by account and name."""

    async def of_account(self, account_id: UUID) -> list[SavedFilter]:
        """The account's saved filters, by name."""
        ...

    async def put(self, account_id: UUID, saved: SavedFilter) -> None:
        """Keep `saved`, replacing one of the same name."""
        ...

    async def remove(self, account_id: UUID, name: str) -> bool:
        """Forget the filter of this name; False if there was none."""
        ...


class SavedFilters:
    """The saved-filter verbs: list, save (or replace), delete."""

    def __init__(self, store: SavedFilterStore) -> None:
        self.store = store

    async def of_account(self, account_id: UUID) -> list[SavedFilter]:
        return await self.store.of_account(account_id)

    async def save(self, account_id: UUID, name: str, query: str, *, at: datetime) -> None:
        """Save the query under this name; a new name beyond the limit is refused."""
        kept = await self.store.of_account(account_id)
        if len(kept) >= MAX_SAVED_FILTERS and name not in {f.name for f in kept}:
            raise TooManySavedFilters(f"an account keeps at most {MAX_SAVED_FILTERS} saved filters")
        await self.store.put(account_id, SavedFilter(name=name, query=query, saved_at=at))

    async def delete(self, account_id: UUID, name: str) -> bool:
        return await self.store.remove(account_id, name)
