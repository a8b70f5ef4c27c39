"""A PostgreSQL cluster of a test's own, which the test may crash and start again.

The shared test server must never be crashed, so crash tests make their own: `initdb` into a
folder of the test's own, a spare port on 127.0.0.1, `pg_ctl start`; `kill()` is
`pg_ctl stop -m immediate` (every server process quits at once without a checkpoint, as in
a power cut of the database process: the next start runs crash recovery from the WAL), and
`start()` brings it back on the same port and folder.

PostgreSQL refuses to run as root. Run as an ordinary user, the cluster lives under the
test's `tmp_path`. Run as root, it runs as the `postgres` OS user (or `pgserver`, made the
way the `pgserver` package makes it) in a folder that user owns under the system's temporary
folder, linked from `tmp_path`: pytest takes the other users' access to its own temporary
root away whenever any pytest session starts (it chmods it to 0700), so a server user could
lose its way to a data folder under `tmp_path` in mid-test, as happened with several
engineers' sessions at once. The server's log is copied to `tmp_path` when the cluster
closes. Binaries: `OVERSIGHT_PG_BIN`, else the newest /usr/lib/postgresql/*/bin, else the
ones on PATH, else those shipped in the `pgserver` package.

`streaming_pair()` makes two: a primary and a streaming standby of it (`pg_basebackup -R`),
for the read replica's tests.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from infrastructure.eventstore import initialise_schema

START_TIMEOUT_SECONDS = 60
SERVER_USER_CANDIDATES = ("postgres", "pgserver")


class ClusterUnavailable(RuntimeError):
    """No PostgreSQL binaries (initdb, pg_ctl) could be found on this machine."""


class ClusterCommandFailed(RuntimeError):
    """initdb or pg_ctl failed; the message carries what it printed."""


def find_binaries() -> Path:
    """The folder holding initdb and pg_ctl."""
    configured = os.environ.get("OVERSIGHT_PG_BIN")
    candidates: list[Path] = [Path(configured)] if configured else []
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(debian)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).parent)
    spec = importlib.util.find_spec("pgserver")  # found without importing it (no side effects)
    if spec is not None and spec.origin is not None:
        candidates.append(Path(spec.origin).parent / "pginstall" / "bin")
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise ClusterUnavailable("no initdb/pg_ctl found; set OVERSIGHT_PG_BIN")


def spare_port() -> int:
    """A TCP port nobody listens on right now (the kernel's pick for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_user() -> pwd.struct_passwd | None:
    """The OS user the server runs as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in SERVER_USER_CANDIDATES:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    subprocess.run(  # as pgserver does when it runs as root
        ["useradd", "-s", "/bin/bash", "pgserver"],  # noqa: S607
        check=True,
        capture_output=True,
    )
    return pwd.getpwnam("pgserver")


def _make_traversable(path: Path) -> None:
    """Let other users pass through every folder above `path` (o+x; nothing becomes readable)."""
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie waiting for its parent to reap it does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc: trust kill(pid, 0)
    return state != "Z"


class ThrowawayCluster:
    """One PostgreSQL cluster in a folder of the test's own; crash it with `kill()`."""

    def __init__(
        self,
        base: Path,
        *,
        settings: dict[str, str] | None = None,
        standby_of: ThrowawayCluster | None = None,
    ) -> None:
        self.bin_dir = find_binaries()
        self.user = _server_user()
        self.base = base
        self.base.mkdir(parents=True, exist_ok=True)
        if self.user is None:
            self.home = base
        else:
            self.home = Path(tempfile.mkdtemp(prefix="oversight-pg-"))
            (base / "server").symlink_to(self.home)
        self.data_dir = self.home / "pgdata"
        self.log_file = self.home / "postgres.log"
        # Unix socket paths are limited to ~100 bytes: keep the socket folder short.
        self.socket_dir = Path(tempfile.mkdtemp(prefix="ovpg-"))
        self.port = spare_port()
        self.settings = {
            "listen_addresses": "127.0.0.1",
            "max_connections": "200",
            "fsync": "on",  # the default, stated: acknowledged commits must survive a crash
            # Recovery first syncs the data folder; one syncfs is quicker than a file at a time.
            "recovery_init_sync_method": "syncfs",
            **(settings or {}),
        }
        self.crashes = 0
        self.pg_ctl_failures: list[str] = []
        try:
            if standby_of is None:
                self._initdb()
            else:
                self._base_backup(standby_of)
        except BaseException:
            self.close()
            raise

    # Commands --------------------------------------------------------------------

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        argv = [str(self.bin_dir / command[0]), *command[1:]]
        if self.user is not None:
            argv = ["runuser", "-u", self.user.pw_name, "--", *argv]
        done = subprocess.run(  # noqa: S603
            argv,
            check=False,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_SECONDS + 30,
            env={**os.environ, "LC_ALL": "C", "LANG": "C"},
        )
        if check and done.returncode != 0:
            raise ClusterCommandFailed(
                f"{' '.join(command)} exited with {done.returncode}: "
                f"{done.stdout.strip()} {done.stderr.strip()} (log: {self.log_file})"
            )
        return done

    def _make_data_dir(self) -> None:
        self.data_dir.mkdir(mode=0o700)
        if self.user is not None:
            _make_traversable(self.bin_dir)
            for owned in (self.home, self.data_dir, self.socket_dir):
                os.chown(owned, self.user.pw_uid, self.user.pw_gid)

    def _base_backup(self, primary: ThrowawayCluster) -> None:
        """A copy of the running `primary` that, once started, streams its WAL and replays it
        (`-R` writes standby.signal and the primary's address into the copy)."""
        self._make_data_dir()
        self._run(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(self.data_dir),
            "-R",
            "--wal-method=stream",
            "--checkpoint=fast",
            "--no-sync",
        )

    def _initdb(self) -> None:
        self._make_data_dir()
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",  # the folder is thrown away; the server itself keeps fsync on
        )

    def start(self) -> None:
        """Start the server (after `kill()`: it recovers from its WAL) and wait until it answers."""
        options = " ".join(
            [f"-p {self.port}", f"-k {self.socket_dir}"]
            + [f"-c {name}={value}" for name, value in self.settings.items()]
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_file),
            "-o",
            options,
            "-W",  # no waiting on pg_ctl's coarse poll: connecting tells sooner
            "start",
        )
        self.wait_until_answering()

    def kill(self) -> None:
        """Crash the server: every process quits at once, no checkpoint, no goodbye."""
        done = self._run(
            "pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop", check=False
        )
        if done.returncode != 0:
            # Seen once on a loaded machine, cause not caught: do what pg_ctl does instead
            # (SIGQUIT to the postmaster) and keep what pg_ctl said for the report.
            self.pg_ctl_failures.append(f"{done.stdout.strip()} {done.stderr.strip()}")
            self._quit_postmaster()
        self.crashes += 1

    def stop(self) -> None:
        """Stop the server if it runs (immediately: the folder is thrown away after)."""
        if self.postmaster_pid() is not None:
            self._run(
                "pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop", check=False
            )
            self._quit_postmaster()

    def postmaster_pid(self) -> int | None:
        """The postmaster's process id while one is alive for this folder."""
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        return pid if _alive(pid) else None

    def _quit_postmaster(self) -> None:
        """SIGQUIT the postmaster if it still runs (an immediate shutdown) and wait it out."""
        pid = self.postmaster_pid()
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGQUIT)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while _alive(pid):
            if time.monotonic() > deadline:
                raise ClusterCommandFailed(f"postmaster {pid} did not quit; see {self.log_file}")
            time.sleep(0.02)

    def close(self) -> None:
        """Stop the server and remove its folders (never the data folder under a live server)."""
        try:
            self.stop()
        finally:
            shutil.rmtree(self.socket_dir, ignore_errors=True)
            if self.postmaster_pid() is None:
                shutil.rmtree(self.data_dir, ignore_errors=True)
                if self.home != self.base:
                    with contextlib.suppress(OSError):
                        shutil.copyfile(self.log_file, self.base / "postgres.log")
                    shutil.rmtree(self.home, ignore_errors=True)
                    (self.base / "server").unlink(missing_ok=True)

    # Connecting ---------------------------------------------------------------------

    def url(self, dbname: str = "postgres") -> str:
        return make_conninfo(host="127.0.0.1", port=str(self.port), user="postgres", dbname=dbname)

    def answers(self, dbname: str = "postgres") -> bool:
        try:
            with psycopg.connect(self.url(dbname), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def wait_until_answering(self, seconds: float = START_TIMEOUT_SECONDS) -> None:
        """Wait until this cluster (not another one on the same port) accepts connections."""
        started = time.monotonic()
        while True:
            try:
                with psycopg.connect(self.url(), connect_timeout=2) as connection:
                    row = connection.execute("SHOW data_directory").fetchone()
            except psycopg.OperationalError:
                row = None
            if row is not None:
                if Path(str(row[0])).resolve() != self.data_dir.resolve():
                    raise ClusterCommandFailed(f"port {self.port} answers for {row[0]}")
                return
            waited = time.monotonic() - started
            if waited > seconds or (waited > 5 and self.postmaster_pid() is None):
                raise TimeoutError(f"the throwaway cluster did not start; see {self.log_file}")
            time.sleep(0.05)

    def create_database(self, name: str) -> str:
        """Create a database and answer its URL."""
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def create_database_with_schema(self, name: str) -> str:
        """Create a database with the service's schema and answer its URL."""
        url = self.create_database(name)
        initialise_schema(url)
        return url


# A primary that a standby can stream from (PostgreSQL 15's defaults, stated): initdb's
# pg_hba.conf already lets `replication` in from 127.0.0.1 with the cluster's trust.
PRIMARY_SETTINGS = {"wal_level": "replica", "max_wal_senders": "5", "hot_standby": "on"}


@contextlib.contextmanager
def streaming_pair(base: Path) -> Iterator[tuple[ThrowawayCluster, ThrowawayCluster]]:
    """A started primary and a started streaming standby of it (`pg_basebackup -R`), each in
    its own folder on its own port, both closed when the block ends."""
    with contextlib.ExitStack() as closing:
        primary = ThrowawayCluster(base / "primary", settings=PRIMARY_SETTINGS)
        closing.callback(primary.close)
        primary.start()
        standby = ThrowawayCluster(base / "standby", standby_of=primary)
        closing.callback(standby.close)
        standby.start()
        yield primary, standby


def wait_until_replayed(
    primary: ThrowawayCluster, standby: ThrowawayCluster, seconds: float = START_TIMEOUT_SECONDS
) -> None:
    """Wait until the standby has replayed everything the primary has written so far."""
    with psycopg.connect(primary.url(), autocommit=True) as connection:
        row = connection.execute("SELECT pg_current_wal_lsn()").fetchone()
    assert row is not None
    give_up_at = time.monotonic() + seconds
    with psycopg.connect(standby.url(), autocommit=True) as connection:
        while True:
            done = connection.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (row[0],)
            ).fetchone()
            if done is not None and done[0]:
                return
            if time.monotonic() > give_up_at:
                raise TimeoutError(f"the standby did not replay up to {row[0]} in {seconds} s")
            time.sleep(0.02)


@contextlib.contextmanager
def started_cluster(base: Path) -> Iterator[ThrowawayCluster]:
    """A cluster started in the folder `base`, closed when the block ends."""
    cluster = ThrowawayCluster(base)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.close()
