"""Commands that draw a progress bar, run on a terminal with logs at INFO: each log line stays
a line of its own, never glued to a fragment of the bar."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import command_environment

OVERSIGHT = shutil.which("oversight") or str(Path(sys.executable).with_name("oversight"))
# Cursor moves, line erasures and colours a terminal obeys and does not show.
TERMINAL_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
ROWS, COLUMNS = 40, 160


def on_a_terminal(env: dict[str, str], *args: str) -> tuple[int, list[str]]:
    """Run `oversight` with standard error on a pseudo-terminal; answer its exit status and
    every piece of a line the terminal was given, control codes taken out."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    shown = bytearray()

    def read() -> None:
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the command and its children closed the terminal
                return
            if not chunk:
                return
            shown.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        done = subprocess.run(  # noqa: S603 -- our own console script with fixed arguments
            [OVERSIGHT, *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=terminal,
            timeout=300,
            check=False,
        )
    finally:
        os.close(terminal)
        reader.join(timeout=30)
        os.close(controller)
    text = TERMINAL_CONTROL.sub("", shown.decode(errors="replace"))
    return done.returncode, [piece for piece in re.split(r"[\r\n]+", text) if piece.strip()]


def log_lines_kept_whole(pieces: list[str], bar: str) -> list[dict[str, object]]:
    """The log records among the pieces, each checked to fill its piece alone."""
    records = []
    for piece in pieces:
        if '"event"' in piece:
            assert piece.startswith("{"), f"a log line glued to something: {piece!r}"
            records.append(json.loads(piece))
        elif bar in piece:
            assert "{" not in piece, f"a bar glued to a log line: {piece!r}"
    return records


@pytest.fixture
def new_data_folder() -> Iterator[Path]:
    """A path for a new data folder, outside pytest's temporary root (tests/conftest.py says
    why), removed afterwards."""
    parent = Path(tempfile.mkdtemp(prefix="oversight-progress-test-"))
    try:
        yield parent / "demo"
    finally:
        shutil.rmtree(parent, ignore_errors=True)


@pytest.mark.slow
def test_the_demo_keeps_log_lines_off_its_progress_bar(new_data_folder: Path) -> None:
    env = command_environment("", log_level="INFO")
    del env["DATABASE_URL"]  # a new data folder's embedded server: its migrations are logged

    status, pieces = on_a_terminal(
        env, "demo", "--days", "2", "--scale", "0.05", "--data-dir", str(new_data_folder)
    )

    assert status == 0, pieces
    records = log_lines_kept_whole(pieces, bar="simulating")
    assert "migration_applied" in {record["event"] for record in records}
    assert any("simulating" in piece for piece in pieces)


def test_a_rebuild_keeps_log_lines_off_its_progress_bar(database_url: str) -> None:
    env = command_environment(database_url, log_level="INFO")

    status, pieces = on_a_terminal(env, "projections", "rebuild")

    assert status == 0, pieces
    records = log_lines_kept_whole(pieces, bar="replaying events")
    assert "rebuild_started" in {record["event"] for record in records}
