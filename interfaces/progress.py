"""The progress bar long commands draw on standard error (rebuild, verify, demo).

Log records go to standard error too. Written there directly while a bar is drawn, a record
lands on the bar's line, glued to it; so for the bar's duration the log handlers writing to
standard error write through the bar's console instead, which prints each record on a line
of its own above the bar and draws the bar again below it.
"""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeElapsedColumn
from rich.text import Text


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[ProgressTask]:
    """A bar with a count and the time taken, on standard error so output stays clean."""
    console = Console(stderr=True)
    with (
        _logs_above(console),
        Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar,
    ):
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


@contextmanager
def _logs_above(console: Console) -> Iterator[None]:
    """Route the root logger's handlers that write to standard error through `console`."""
    stderr = sys.stderr
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, logging.StreamHandler) and handler.stream is stderr
    ]
    above = _LinesAbove(console)
    for handler in handlers:
        handler.setStream(above)
    try:
        yield
    finally:
        for handler in handlers:
            handler.setStream(stderr)
        above.close()


class _LinesAbove(io.TextIOBase):
    """A text stream whose lines a live console prints above what it draws, each whole."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._partial = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *lines, self._partial = (self._partial + text).split("\n")
        for line in lines:
            self._print(line)
        return len(text)

    def close(self) -> None:
        if self._partial:
            self._print(self._partial)
            self._partial = ""
        super().close()

    def _print(self, line: str) -> None:
        # As written (a Text: no markup or emoji codes read into it), never wrapped.
        self._console.print(Text(line), highlight=False, soft_wrap=True)
