"""Running work that might never end, without letting it hang the test run."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

import pytest

T = TypeVar("T")

# Far beyond what any test here needs: only a wait without end gets there.
HANG_SECONDS = 300


class Running(Generic[T]):
    """Work started on a thread of its own."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._work = work
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._work()
        except BaseException as error:  # handed to the test in result()
            self._error = error

    def result(self) -> T:
        """What the work answered (or raised); the test fails if it has not ended."""
        self._thread.join(HANG_SECONDS)
        if self._thread.is_alive():
            pytest.fail(f"still waiting after {HANG_SECONDS} s: a wait without end")
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


def finishes(work: Callable[[], T]) -> T:
    """Run `work` and answer what it answered; the test fails if it never ends."""
    return Running(work).result()
