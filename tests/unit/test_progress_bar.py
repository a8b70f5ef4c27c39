"""The progress bar on a terminal: log records written while it is drawn keep lines of their own."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import redirect_stderr

import pytest

from interfaces.progress import progress_bar

# Cursor moves, line erasures and colours a terminal obeys and does not show.
TERMINAL_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal(io.StringIO):
    """Standard error as a terminal: what was written to it, escape codes and all."""

    def isatty(self) -> bool:
        return True

    def lines(self) -> list[str]:
        """What a person reads: each line as the terminal last drew it."""
        shown = TERMINAL_CONTROL.sub("", self.getvalue())
        return [line.rsplit("\r", 1)[-1] for line in shown.split("\n") if line.strip("\r")]


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[Terminal]:
    """A terminal the root logger writes to; a test makes it standard error (pytest sets its
    own again before each test runs)."""
    stderr = Terminal()
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    handler = logging.StreamHandler(stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stderr
    finally:
        root.removeHandler(handler)


def test_a_record_logged_while_a_bar_is_drawn_gets_a_line_of_its_own(
    terminal: Terminal,
) -> None:
    log = logging.getLogger("oversight.test")

    with redirect_stderr(terminal), progress_bar("replaying events", total=3) as progress:
        progress(1, 3)
        log.warning('{"event": "rebuild_started"}')
        progress(2, 3)
        log.warning('{"event": "rebuild_finished"}')
        progress(3, 3)

    lines = terminal.lines()
    assert '{"event": "rebuild_started"}' in lines
    assert '{"event": "rebuild_finished"}' in lines
    assert [line for line in lines if "{" in line and "replaying" in line] == []
    assert lines[-1].startswith("replaying events")  # the bar, drawn again below the records


def test_records_go_to_standard_error_again_once_the_bar_is_done(terminal: Terminal) -> None:
    with redirect_stderr(terminal):
        with progress_bar("verifying", total=1) as progress:
            progress(1, 1)
        logging.getLogger("oversight.test").warning("after the bar")

    *_, bar, after = terminal.lines()
    assert bar.startswith("verifying")
    assert after == "after the bar"
