"""An embedded PostgreSQL in a local folder, so a newcomer needs nothing installed."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

# pgserver asks platformdirs for the user's runtime folder as it is imported, for a lock file
# (and for the socket when the data folder's path is too long for one). Without
# XDG_RUNTIME_DIR (a container, a service account, ssh without a login session) platformdirs
# falls back to /tmp/runtime-<uid>, which serves that well, and warns on every command; that
# warning alone is silenced: any other problem with the folder is still shown.
RUNTIME_DIR_UNSET = r"XDG_RUNTIME_DIR is not set"


class EmbeddedPostgres:
    """A PostgreSQL server kept in `<data_dir>/pgdata`, started on demand.

    It listens only on a unix socket. Run as root, pgserver runs it as a `pgserver` OS user
    (made if missing) and opens the folders above the data to it.
    """

    def __init__(self, data_dir: Path, *, keep_data: bool = True) -> None:
        self.pgdata = (data_dir / "pgdata").resolve()
        self._cleanup_mode = "stop" if keep_data else "delete"
        self._server: Any = None

    def start(self) -> str:
        """Start (or join) the server and answer its connection URL."""
        # Imported here: pgserver is only needed when no DATABASE_URL is configured.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=RUNTIME_DIR_UNSET, category=UserWarning)
            import pgserver

        self.pgdata.mkdir(parents=True, exist_ok=True)
        self._server = pgserver.get_server(self.pgdata, cleanup_mode=self._cleanup_mode)
        return self._server.get_uri()

    def stop(self) -> None:
        """Let go of the server; it stops (and, without `keep_data`, its data is deleted)
        when the last process using it lets go."""
        if self._server is not None:
            self._server.cleanup()
            self._server = None
