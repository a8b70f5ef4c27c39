"""What the application needs from the outside world, implemented in infrastructure."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol
from uuid import UUID


class TimeSource(Protocol):
    """The source of the current time; tests set it."""

    def now(self) -> datetime: ...


IdFactory = Callable[[], UUID]


class Secrets(Protocol):
    """Random secrets and their one-way digests."""

    def new_access_code(self) -> str: ...

    def new_token(self) -> str: ...

    def hash_access_code(self, code: str) -> str: ...

    def access_code_matches(self, code: str, hashed: str) -> bool: ...

    def token_digest(self, token: str) -> str: ...


# Entered around every save of newly numbered records, so that savers in several processes
# take turns on the day's sequence instead of racing for it and numbering again. It only
# orders them: the event store's version check keeps numbers unique without it.
NumberingTurn = Callable[[], AbstractContextManager[None]]
