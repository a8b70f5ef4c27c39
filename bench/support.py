"""What the benchmarks share: a scratch database, bench keys and settings, `oversight serve` as
a subprocess, wrk and an open-loop driver, percentiles, and realistic registrations. The data
they fill stores with comes from `simulation` (its fills and mixes, the demo's own).

The scripts in this folder import it as `support` (Python puts the script's folder first on
`sys.path`), so each runs as `.venv/bin/python bench/<name>.py` from the project root.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from uuid import uuid4

import httpx
import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from domain.actor import Actor, Role
from domain.case import Channel, Intake, Kind
from infrastructure.directory_file import sample_directory
from infrastructure.eventstore import initialise_schema
from infrastructure.logging import configure_logging
from infrastructure.settings import Settings
from interfaces.bootstrap import Container, bootstrap
from simulation.texts import GIVEN_NAMES, SURNAMES
from simulation.time_source import SimulatedTimeSource

SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
OVERSIGHT = str(Path(sys.executable).with_name("oversight"))
OPERATOR = Actor("bench-operator", Role.OPERATOR)
ADMIN = Actor("bench-admin", Role.ADMIN)

Result = TypeVar("Result")


def say(message: str) -> None:
    """Progress for the person watching, on stderr: stdout carries only the results."""
    print(message, file=sys.stderr, flush=True)


def machine() -> dict[str, Any]:
    """When and on what a figure was measured: a busy machine's figures are only a check."""
    return {
        "at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def print_result(
    benchmark: str, measured_on: dict[str, Any], options: argparse.Namespace, **figures: Any
) -> None:
    """A run's result as JSON on stdout: the benchmark, the `machine()` it was measured on,
    the options it ran with (less the database's, which say nothing of the figures), then
    its figures."""
    parameters = {k: v for k, v in vars(options).items() if k not in DATABASE_OPTIONS}
    result = {"benchmark": benchmark, "machine": measured_on, "parameters": parameters}
    print(json.dumps({**result, **figures}, indent=2, ensure_ascii=False))


# The scratch database ------------------------------------------------------------------


class _Help(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """The script's docstring as written, and every option's default."""


def bench_parser(doc: str | None) -> argparse.ArgumentParser:
    """A parser whose --help is the script's docstring, options with their defaults."""
    return argparse.ArgumentParser(description=doc, formatter_class=_Help)


# The options `add_database_options` adds, by their names in the parsed options.
DATABASE_OPTIONS = ("server", "keep")


def add_database_options(parser: argparse.ArgumentParser) -> None:
    """--server and --keep, as every bench takes them."""
    parser.add_argument("--server", default=SERVER, help="a maintenance database URL")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")


@contextmanager
def scratch_database(server: str = SERVER, *, keep: bool = False) -> Iterator[str]:
    """A new database `oversight_bench_<random>` on the server, with the service's schema;
    dropped on the way out, whatever happened, unless `keep`."""
    configure_logging("WARNING")  # on stderr: stdout carries only the results
    name = f"oversight_bench_{uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = make_conninfo(**{**conninfo_to_dict(server), "dbname": name})
    try:
        initialise_schema(url)
        yield url
    finally:
        if keep:
            say(f"kept database {name}")
        else:
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def head_position(url: str) -> int:
    """The global position of the last event stored."""
    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute("SELECT max(notification_id) FROM oversight_events").fetchone()
    return int(row[0] or 0) if row else 0


def tracked_position(connection: psycopg.Connection[Any], projection: str = "case_list") -> int:
    """Where the projection has got to (projection_tracking), 0 before its first batch."""
    row = connection.execute(
        "SELECT position FROM projection_tracking WHERE name = %s", (projection,)
    ).fetchone()
    return int(row[0]) if row else 0


def wait_for_projection(url: str, position: int, *, timeout: float = 120.0) -> float:
    """Wait until case_list has reached `position`; answer the seconds it took."""
    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as connection:
        while tracked_position(connection) < position:
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"case_list did not reach {position} in {timeout:.0f} s")
            time.sleep(0.05)
    return time.monotonic() - started


# Keys and settings ------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchKeys:
    """The three keys a bench's processes share, made afresh for each run: nothing is read
    from or written to a data folder."""

    access_code_key: str
    master_key: str
    signing_key: str

    @classmethod
    def fresh(cls) -> BenchKeys:
        return cls(
            access_code_key=os.urandom(32).hex(),
            master_key=base64.b64encode(os.urandom(32)).decode(),
            signing_key=base64.b64encode(os.urandom(32)).decode(),
        )

    def settings(self, database_url: str, **overrides: Any) -> Settings:
        """Settings for a container inside the bench process."""
        return Settings(
            database_url=database_url,
            log_level="WARNING",
            access_code_key=self.access_code_key,
            master_key=self.master_key,
            signing_key=self.signing_key,
            **overrides,
        )

    def env(self, database_url: str, **extra: str) -> dict[str, str]:
        """The environment of an `oversight` subprocess: these keys, the database, quiet logs
        and no public rate limit (one load generator is one client)."""
        return {
            **os.environ,
            "DATABASE_URL": database_url,
            "OVERSIGHT_ACCESS_CODE_KEY": self.access_code_key,
            "OVERSIGHT_MASTER_KEY": self.master_key,
            "OVERSIGHT_SIGNING_KEY": self.signing_key,
            "OVERSIGHT_LOG_LEVEL": "WARNING",
            "OVERSIGHT_PUBLIC_RATE_LIMIT": "0",
            **extra,
        }


def timed(run: Callable[[], Result]) -> tuple[Result, float]:
    """What `run` answers, and the seconds it took."""
    started = time.perf_counter()
    result = run()
    return result, time.perf_counter() - started


def fill_options(doc: str | None, *, events: int) -> argparse.Namespace:
    """The options of a bench that fills a scratch database: --events and the database's."""
    parser = bench_parser(doc)
    parser.add_argument("--events", type=int, default=events, help="events to fill the store with")
    add_database_options(parser)
    return parser.parse_args()


@contextmanager
def filled_container(
    options: argparse.Namespace, fill: Callable[[Container], int], **container: Any
) -> Iterator[Container]:
    """A container (`bench_container` with `container`'s options) on a scratch database that
    `fill` filled, saying how many events it holds and how long filling took; closed, and the
    database dropped, on the way out."""
    with scratch_database(options.server, keep=options.keep) as url:
        built = bench_container(url, BenchKeys.fresh(), **container)
        try:
            head, seconds = timed(lambda: fill(built))
            print(f"filled {head} events in {seconds:.1f} s")
            yield built
        finally:
            built.close()


def bench_container(
    database_url: str,
    keys: BenchKeys,
    *,
    time_source: SimulatedTimeSource | None = None,
    directory: bool = True,
) -> Container:
    """A container on the scratch database (schema made already), with the sample directory;
    on a simulated time source, which stands still unless the bench moves it, if one is given."""
    container = bootstrap(keys.settings(database_url), time_source=time_source, initialise=False)
    if directory:
        container.supervision.import_directory(sample_directory(), ADMIN)
    return container


def bearer(container: Container, role: Role, department: str | None = None) -> dict[str, str]:
    """An Authorization header for a new token of the role (and department)."""
    issued = container.supervision.issue_token(
        role=role,
        department=department,
        name=f"bench-{role.value}-{department or 'centre'}",
        by=ADMIN,
    )
    return {"Authorization": f"Bearer {issued.token}"}


def department_ids() -> list[str]:
    """The sample directory's departments, in its order."""
    return [department.id for department in sample_directory().departments]


# Requests ---------------------------------------------------------------------------------


def registration_body(n: int, **overrides: Any) -> dict[str, Any]:
    """A realistic POST /api/v1/cases body: a hotline complaint about a window, with the
    complainant's name, phone and address (sealed as personal data when stored)."""
    name = SURNAMES[n % len(SURNAMES)] + GIVEN_NAMES[n % len(GIVEN_NAMES)]
    return {
        "kind": "complaint",
        "channel": "hotline",
        "window": "W-A01",
        "category": "service_attitude",
        "summary": f"窗口工作人员态度生硬（第{n}号来电）",
        "details": "办理不动产登记时被要求反复提交同一份材料，咨询原因时工作人员不予解释。",
        "complainant": {
            "name": name,
            "phone": f"138{n % 100_000_000:08d}",
            "address": f"和平路 {n % 300 + 1} 号",
        },
        **overrides,
    }


def registration_command(body: dict[str, Any]) -> Intake:
    """The intake `Supervision.register_case` gets from that body over HTTP."""
    complainant = {"name": None, "phone": None, "address": None, "anonymous": False}
    complainant.update(body.get("complainant", {}))
    return Intake(
        kind=Kind(body["kind"]),
        channel=Channel(body["channel"]),
        department=body.get("department"),
        window=body.get("window"),
        staff=body.get("staff"),
        category=body.get("category"),
        urgent=body.get("urgent", False),
        summary=body["summary"],
        details=body.get("details", ""),
        complainant=complainant,
    )


# Percentiles --------------------------------------------------------------------------------


def percentile(values: Sequence[float], percent: float) -> float:
    """The nearest-rank percentile (the smallest value with `percent`% at or below it)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50, p99 and max of latencies given in seconds, in milliseconds."""
    return {
        "count": len(seconds),
        "p50_ms": round(percentile(seconds, 50) * 1000, 2),
        "p99_ms": round(percentile(seconds, 99) * 1000, 2),
        "max_ms": round(max(seconds) * 1000, 2) if seconds else math.nan,
    }


# Serving ------------------------------------------------------------------------------------


@dataclass(eq=False)
class Server:
    """A server as a subprocess, ready once `health` answers; terminated on the way out.

    Its output goes to a log file, shown (the tail) if it fails to start.
    """

    command: list[str]
    env: dict[str, str]
    port: int
    _: KW_ONLY
    health: str = "/healthz"
    start_timeout: float = 60.0
    public_port: int | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)
    _log: Any = field(
        default_factory=lambda: tempfile.NamedTemporaryFile(prefix="bench-server-", suffix=".log"),  # noqa: SIM115
        init=False,
        repr=False,
    )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def public_url(self) -> str:
        """Where the public's requests go: the public paths' own process, if it has one."""
        return f"http://127.0.0.1:{self.public_port or self.port}"

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(  # noqa: S603 -- the bench's own fixed commands
            self.command, env=self.env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if all(
                    httpx.get(url + self.health, timeout=1).status_code == 200
                    for url in {self.url, self.public_url}
                ):
                    say(f"server up: pid {self.process.pid}, {' '.join(self.command[1:])}")
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.command} did not start:\n{self.log_tail()}")

    def __exit__(self, *_: object) -> None:
        self.stop()
        self._log.close()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def cpu_seconds(self) -> float:
        """The CPU time (user and system) the server process has used so far (Linux)."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_tail(self, lines: int = 30) -> str:
        self._log.flush()
        text = Path(self._log.name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def uvicorn_server(source: str, env: dict[str, str], port: int, folder: Path) -> Server:
    """A baseline app, its module's `source` written to `folder`, under plain uvicorn with the
    settings `oversight serve` runs with (one process, the same event loop and parser)."""
    module = f"baseline_{uuid4().hex[:8]}"
    (folder / f"{module}.py").write_text(source)
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        f"{module}:app",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--app-dir",
        str(folder),
    ]
    return Server(command, env, port)


def oversight_serve(
    env: dict[str, str],
    port: int,
    *,
    worker: bool = True,
    workers: int = 1,
    public_port: int | None = None,
) -> Server:
    """`oversight serve` on 127.0.0.1:port, with its in-process worker unless told not to, and
    with `public_port`, the public paths' own process there too."""
    command = [OVERSIGHT, "serve", "--port", str(port), "--workers", str(workers)]
    if not worker:
        command.append("--no-worker")
    if public_port is not None:
        command += ["--public-port", str(public_port)]
    return Server(command, env, port, public_port=public_port)


def add_layout_options(parser: argparse.ArgumentParser) -> None:
    """How the service under test is laid out: its API processes, and where its worker runs."""
    parser.add_argument("--workers", type=int, default=1, help="`oversight serve --workers N`")
    parser.add_argument(
        "--worker-process",
        action="store_true",
        help="serve without the in-process worker, beside an `oversight worker` process",
    )
    parser.add_argument(
        "--public-process",
        action="store_true",
        help="serve with `--public-port` (the next port) and send the public load there: "
        "the public paths' own process, as docs/operations.md lays out for a flood",
    )


def add_service_options(parser: argparse.ArgumentParser, *, port: int) -> None:
    """The options of a bench that runs `oversight_service`: its layout, its --port, and the
    database's."""
    add_layout_options(parser)
    parser.add_argument("--port", type=int, default=port, help="the server's port")
    add_database_options(parser)


@contextmanager
def oversight_service(
    env: dict[str, str], port: int, layout: argparse.Namespace, *, worker: bool = True
) -> Iterator[Server]:
    """`oversight serve` laid out as `add_layout_options` parsed it: with its in-process worker,
    or (--worker-process) beside an `oversight worker` process; `worker=False`: none at all."""
    separate = worker and layout.worker_process
    with (
        _worker_process(env) if separate else nullcontext(),
        oversight_serve(
            env,
            port,
            worker=worker and not separate,
            workers=layout.workers,
            public_port=port + 1 if layout.public_process else None,
        ) as server,
    ):
        yield server


@contextmanager
def prepared_service(
    options: argparse.Namespace,
    keys: BenchKeys,
    prepare: Callable[[str, BenchKeys, argparse.Namespace], dict[str, Any]],
) -> Iterator[tuple[str, dict[str, Any], Server]]:
    """A scratch database that `prepare` filled (its URL, and what `prepare` answered), and
    `oversight_service` on it as `add_service_options` parsed it, the projections caught up."""
    with scratch_database(options.server, keep=options.keep) as url:
        setup = prepare(url, keys, options)
        with oversight_service(keys.env(url), options.port, options) as server:
            wait_for_projection(url, head_position(url))
            yield url, setup, server


@contextmanager
def _worker_process(env: dict[str, str]) -> Iterator[None]:
    """`oversight worker` as a process of its own, stopped (SIGTERM) on the way out."""
    process = subprocess.Popen(  # noqa: S603 -- our own console script
        [OVERSIGHT, "worker"], env=env, stderr=subprocess.DEVNULL
    )
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


# wrk ------------------------------------------------------------------------------------------

WRK_SCRIPT = """
local bodies = {%(bodies)s}
local headers = {%(headers)s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("%(method)s", "%(path)s", headers, bodies[(n %% #bodies) + 1])
end
"""


def _lua_string(text: str) -> str:
    return f"[==[{text}]==]"


def wrk_script(method: str, path: str, bodies: Sequence[str], headers: dict[str, str]) -> str:
    """A wrk Lua script sending `method path` with each body in turn and these headers."""
    return WRK_SCRIPT % {
        "bodies": ",".join(_lua_string(body) for body in bodies),
        "headers": ",".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items()),
        "method": method,
        "path": path,
    }


def status_script(pairs: list[tuple[str, str]]) -> str:
    """wrk's requests: POST /api/v1/public/case-status for each pair in turn."""
    bodies = [json.dumps({"tracking_number": t, "access_code": c}) for t, c in pairs]
    return wrk_script(
        "POST", "/api/v1/public/case-status", bodies, {"Content-Type": "application/json"}
    )


@dataclass
class Wrk:
    """wrk driving a server with a Lua script for a while (a closed loop: each connection
    sends its next request when the last is answered)."""

    url: str
    script: str
    threads: int = 2
    connections: int = 32
    timeout: str = "10s"
    _folder: Any = field(default=None, repr=False)

    def command(self, seconds: float) -> list[str]:
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="bench-wrk-")
        path = Path(self._folder.name) / "requests.lua"
        path.write_text(self.script)
        return [
            shutil.which("wrk") or "wrk",
            f"-t{min(self.threads, self.connections)}",
            f"-c{self.connections}",
            f"-d{max(1, round(seconds))}s",
            f"--timeout={self.timeout}",
            "--latency",
            "-s",
            str(path),
            self.url,
        ]

    def run(self, seconds: float) -> dict[str, float]:
        """Run for `seconds`, wait, answer the parsed figures."""
        out = subprocess.run(  # noqa: S603
            self.command(seconds), capture_output=True, text=True, check=True
        ).stdout
        return parse_wrk(out)

    def start(self, seconds: float) -> subprocess.Popen[str]:
        """Start in the background; `parse_wrk(process.communicate()[0])` when it ends."""
        return subprocess.Popen(  # noqa: S603
            self.command(seconds), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )


def parse_wrk(out: str) -> dict[str, float]:
    """Requests/s, p50 and p99 (ms), requests, non-2xx/3xx answers and socket errors."""

    def number(pattern: str) -> float:
        found = re.search(pattern, out)
        if found is None:
            raise ValueError(f"no {pattern!r} in wrk's output:\n{out}")
        return float(found.group(1))

    def latency(percent: str) -> float:
        found = re.search(rf"{percent}%\s+([\d.]+)(us|ms|s)\b", out)
        if found is None:
            raise ValueError(f"no {percent}% latency in wrk's output:\n{out}")
        value, unit = found.groups()
        return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], 3)

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "requests": int(number(r"(\d+) requests in")),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
    }


# The staff's client ----------------------------------------------------------------------------

# httpx's connection pool walks (and polls) every open connection for each request and each
# answer. Unbounded, it opens a connection per request in flight, so the slower the server
# answers the more CPU the driver burns, until the driver and not the service sets the pace:
# measured on 2026-12-04, 81% of a core in the pool's bookkeeping with the service's command
# threads idle. A desk's browser keeps a few connections; 32 are plenty for the offered rates.
STAFF_CONNECTIONS = 32


def staff_client(base_url: str, **options: Any) -> httpx.AsyncClient:
    """A client for the staff's commands on at most STAFF_CONNECTIONS kept-alive connections;
    a request waiting for one counts that wait in its latency."""
    limits = httpx.Limits(
        max_connections=STAFF_CONNECTIONS, max_keepalive_connections=STAFF_CONNECTIONS
    )
    return httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60, **options)


# An open loop -------------------------------------------------------------------------------


@dataclass
class OpenLoopResult:
    """What an open-loop run saw: latency from each request's scheduled moment."""

    offered_per_second: float
    seconds: float
    latencies: list[float]
    statuses: dict[str, int]
    late_starts: int  # requests the driver itself sent > 10 ms after their moment

    def summary(self) -> dict[str, Any]:
        ok = sum(n for status, n in self.statuses.items() if status.startswith("2"))
        return {
            "offered_per_second": self.offered_per_second,
            "seconds": self.seconds,
            "answered_2xx": ok,
            "statuses": self.statuses,
            "late_starts": self.late_starts,
            **latency_summary(self.latencies),
        }


async def open_loop(
    send: Callable[[int], Awaitable[int]], *, rate: float, seconds: float
) -> OpenLoopResult:
    """Call `send(i)` at moment i/rate for `seconds`, whether or not earlier calls were
    answered; each latency counts from the scheduled moment, so a stalled server shows."""
    count = max(1, round(rate * seconds))
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    late = 0
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05

    async def one(i: int, moment: float) -> None:
        nonlocal late
        await asyncio.sleep(max(0.0, moment - loop.time()))
        if loop.time() - moment > 0.010:
            late += 1
        try:
            status = str(await send(i))
        except (httpx.HTTPError, OSError, asyncio.IncompleteReadError) as error:
            status = type(error).__name__
        latencies.append(loop.time() - moment)
        statuses[status] = statuses.get(status, 0) + 1

    await asyncio.gather(*(one(i, start + i / rate) for i in range(count)))
    return OpenLoopResult(rate, seconds, latencies, statuses, late)


class RawHttpClient:
    """HTTP/1.1 requests written as bytes on up to `connections` kept-alive sockets: light
    enough for one Python process to offer a few thousand requests a second, which httpx is
    not. A request waits for a free connection, as wrk2's do; that wait counts in its latency."""

    def __init__(self, host: str, port: int, *, connections: int = 64) -> None:
        self.host = host
        self.port = port
        self._free: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter] | None] = (
            asyncio.Queue()
        )
        for _ in range(connections):
            self._free.put_nowait(None)  # a slot to open a connection in

    @staticmethod
    def post(path: str, host: str, body: bytes, content_type: str = "application/json") -> bytes:
        """A POST request's bytes, ready to write."""
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body

    async def send(self, request: bytes) -> int:
        """Write `request`, read the whole answer; answer its status code."""
        stream = await self._free.get()
        try:
            if stream is None:
                stream = await asyncio.open_connection(self.host, self.port)
            reader, writer = stream
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            status = int(head[9:12])
        except BaseException:
            if stream is not None:
                stream[1].close()
            self._free.put_nowait(None)
            raise
        self._free.put_nowait(stream)
        return status

    def close(self) -> None:
        while not self._free.empty():
            stream = self._free.get_nowait()
            if stream is not None:
                stream[1].close()
