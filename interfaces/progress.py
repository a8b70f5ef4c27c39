"""The progress bar long commands draw on standard error (rebuild, verify, demo)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeElapsedColumn


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[ProgressTask]:
    """A bar with a count and the time taken, on standard error so output stays clean."""
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as bar:
        yield ProgressTask(bar, bar.add_task(description, total=total))


class ProgressTask:
    """One bar's task: call it with how much is done, of how much, and what is under way."""

    def __init__(self, bar: Progress, task: TaskID) -> None:
        self._bar = bar
        self._task = task

    def __call__(self, done: int, total: int | None, description: str | None = None) -> None:
        if description is None:
            self._bar.update(self._task, completed=done, total=total)
        else:
            self._bar.update(self._task, completed=done, total=total, description=description)
