"""Registering cases: HTTP command throughput and latency vs the same application in-process
vs raw SQL of the same shape.

    .venv/bin/python bench/write_path.py --concurrency 8 --seconds 30 --rate 25 \\
        --open-seconds 20

Three closed loops at the same concurrency C, each for S seconds after a warm-up, each on a
database of its own (`oversight_bench_<random>`, dropped afterwards):

  http  POST /api/v1/cases with an operator's token and a realistic body (complainant name,
        phone, address), driven by wrk (C connections) against `oversight serve` with its
        in-process worker (`--worker-process`: `serve --no-worker` beside an `oversight
        worker` process, the layout docs/operations.md advises for production;
        `--workers N` for more API processes);
  bare  Supervision.register_case with the same arguments from C threads in this process:
        the same application saving the same events, without HTTP, auth or JSON;
  raw   per command one transaction of the library's shape (`SET LOCAL lock_timeout`,
        `LOCK TABLE oversight_events IN EXCLUSIVE MODE`, `NOTIFY oversight_events`,
        `INSERT … SELECT … FROM unnest(…) RETURNING notification_id`, pipelined), inserting
        copies of the rows one registration stored in the bare run (same topics and bytes);
  minimal http  the same wrk loop against the least HTTP route around the bare command
        (MINIMAL_APP: uvicorn and FastAPI reading the JSON, `register_case` on the thread
        pool; no token, schema, middleware or worker): what serving HTTP costs by itself.

Then an open loop over HTTP: R new cases a second for T seconds, sent on schedule whatever
the answers (asyncio + httpx), latency counted from each request's scheduled moment.

Prints JSON: each run's requests/s, p50 and p99, the ratios http/bare, bare/raw,
minimal http/bare and http/minimal http, and whether the targets hold (http ≥ 80% of
bare; open-loop p99 < 100 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import psycopg
from support import (
    BenchKeys,
    Wrk,
    add_service_options,
    bearer,
    bench_container,
    bench_parser,
    head_position,
    latency_summary,
    machine,
    open_loop,
    oversight_service,
    print_result,
    registration_body,
    registration_command,
    say,
    scratch_database,
    staff_client,
    uvicorn_server,
    wait_for_projection,
    wrk_script,
)

from domain.actor import Actor, Role

BODIES = 100  # distinct registration bodies, sent in turn
TARGET_HTTP_OVER_BARE = 0.8
TARGET_OPEN_P99_MS = 100.0
# The operator's token is issued under this name, so HTTP and bare events carry the same actor.
OPERATOR_NAME = "bench-operator-centre"
RAW_INSERT = (
    "INSERT INTO oversight_events AS t (originator_id, originator_version, topic, state) "
    "SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[]) "
    "RETURNING notification_id"
)


def closed_loop(
    command: Callable[[int], Any], *, concurrency: int, seconds: float, warmup: float
) -> dict[str, Any]:
    """`command(i)` from `concurrency` threads, each calling again as soon as the last call
    returns, for `warmup` seconds (not counted), then for `seconds`."""
    counter = itertools.count()
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors: list[str] = []
    begin = time.monotonic()
    measure_from = begin + warmup
    end = measure_from + seconds

    def run(mine: list[float]) -> None:
        while (now := time.monotonic()) < end:
            try:
                command(next(counter))
            except Exception as error:  # counted and shown, not fatal
                errors.append(type(error).__name__)
                continue
            if now >= measure_from:
                mine.append(time.monotonic() - now)

    threads = [threading.Thread(target=run, args=(mine,)) for mine in latencies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    measured = [latency for mine in latencies for latency in mine]
    return {
        "rps": round(len(measured) / seconds, 2),
        **latency_summary(measured),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
    }


# bare ---------------------------------------------------------------------------------------


def run_bare(
    url: str, keys: BenchKeys, *, concurrency: int, seconds: float, warmup: float
) -> tuple[dict[str, Any], tuple[UUID, int]]:
    """Register cases through the application from threads; answer the figures and the id
    and position of the last registration."""
    with bench_container(url, keys) as container:
        commands = [registration_command(registration_body(n)) for n in range(BODIES)]
        last: list[tuple[UUID, int]] = []

        def register(i: int) -> None:
            operator = Actor(OPERATOR_NAME, Role.OPERATOR, request_id=uuid4().hex)
            registered = container.supervision.register_case(commands[i % BODIES], by=operator)
            last[:] = [(registered.case.id, registered.case.position or 0)]

        figures = closed_loop(register, concurrency=concurrency, seconds=seconds, warmup=warmup)
        return figures, last[0]


# raw ----------------------------------------------------------------------------------------


def stored_rows(url: str, case_id: UUID, position: int) -> list[tuple[UUID, int, str, bytes]]:
    """The rows one registration stored: from its case's first event to the registration's
    position (the table lock keeps one transaction's notification ids together)."""
    with psycopg.connect(url, autocommit=True) as connection:
        first = connection.execute(
            "SELECT notification_id FROM oversight_events "
            "WHERE originator_id = %s AND originator_version = 1",
            (case_id,),
        ).fetchone()
        assert first is not None, f"case {case_id} has no first event"
        rows = connection.execute(
            "SELECT originator_id, originator_version, topic, state FROM oversight_events "
            "WHERE notification_id BETWEEN %s AND %s ORDER BY notification_id",
            (first[0], position),
        ).fetchall()
    return [(row[0], row[1], row[2], bytes(row[3])) for row in rows]


def run_raw(
    url: str,
    rows: list[tuple[UUID, int, str, bytes]],
    *,
    concurrency: int,
    seconds: float,
    warmup: float,
    lock_timeout: int,
) -> dict[str, Any]:
    """One transaction per command, as the library writes a registration's events."""
    # New aggregates (version 1) get a new id each time; an existing one (the day's numbering
    # sequence) gets its next version, so the primary key sees what it sees in service.
    versions = {row[0]: itertools.count(row[1] + 1) for row in rows if row[1] > 1}
    connections = [psycopg.connect(url) for _ in range(concurrency)]
    slots = threading.local()
    pool = iter(connections)
    pool_lock = threading.Lock()

    def insert(_: int) -> None:
        if not hasattr(slots, "connection"):
            with pool_lock:
                slots.connection = next(pool)
        connection = slots.connection
        ids, numbers, topics, states = [], [], [], []
        for originator_id, _version, topic, state in rows:
            counter = versions.get(originator_id)
            ids.append(uuid4() if counter is None else originator_id)
            numbers.append(1 if counter is None else next(counter))
            topics.append(topic)
            states.append(state)
        with connection.pipeline() as pipeline, connection.transaction():
            cursor = connection.cursor()
            cursor.execute(f"SET LOCAL lock_timeout = '{lock_timeout}s'", prepare=True)
            cursor.execute("LOCK TABLE oversight_events IN EXCLUSIVE MODE", prepare=True)
            cursor.execute("NOTIFY oversight_events")
            cursor.execute(RAW_INSERT, (ids, numbers, topics, states))
            pipeline.sync()
            cursor.fetchall()

    try:
        return closed_loop(insert, concurrency=concurrency, seconds=seconds, warmup=warmup)
    finally:
        for connection in connections:
            connection.close()


# http ---------------------------------------------------------------------------------------


# The least a route running the command over HTTP does: the same uvicorn, FastAPI reading the
# JSON, `register_case` on the thread pool as bare runs it; no token, schema, middleware or
# worker. What separates it from bare is what serving HTTP costs on this machine.
MINIMAL_APP = """
import sys

sys.path.insert(0, %(bench)r)

from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool

from interfaces.bootstrap import bootstrap
from support import OPERATOR, registration_command


@asynccontextmanager
async def lifespan(app):
    app.state.container = await run_in_threadpool(bootstrap)
    yield
    app.state.container.close()

app = FastAPI(lifespan=lifespan)

@app.post("/api/v1/cases", status_code=201)
async def register(request: Request) -> dict:
    command = registration_command(await request.json())
    supervision = app.state.container.supervision
    registered = await run_in_threadpool(
        lambda: supervision.register_case(command, by=OPERATOR)
    )
    return {"id": str(registered.case.id), "tracking_number": registered.case.tracking_number}

@app.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}
"""


def run_minimal_http(url: str, keys: BenchKeys, options: argparse.Namespace) -> dict[str, Any]:
    """wrk's closed loop against MINIMAL_APP."""
    with bench_container(url, keys):
        pass  # the sample directory, which the registrations name
    bodies = [json.dumps(registration_body(n), ensure_ascii=False) for n in range(BODIES)]
    source = MINIMAL_APP % {"bench": str(Path(__file__).resolve().parent)}
    with (
        tempfile.TemporaryDirectory() as folder,
        uvicorn_server(source, keys.env(url), options.port, Path(folder)) as server,
    ):
        wrk = Wrk(
            server.url,
            wrk_script("POST", "/api/v1/cases", bodies, {"Content-Type": "application/json"}),
            threads=min(2, options.concurrency),
            connections=options.concurrency,
        )
        if options.warmup:
            wrk.run(options.warmup)
        return wrk.run(options.seconds)


def run_http(url: str, keys: BenchKeys, options: argparse.Namespace) -> dict[str, Any]:
    """wrk's closed loop, then the open loop, against `oversight serve`."""
    with bench_container(url, keys) as container:
        token = bearer(container, Role.OPERATOR)
    bodies = [json.dumps(registration_body(n), ensure_ascii=False) for n in range(BODIES)]
    headers = {"Content-Type": "application/json", **token}
    with oversight_service(
        keys.env(url), options.port, options, worker=not options.no_worker
    ) as server:
        wrk = Wrk(
            server.url,
            wrk_script("POST", "/api/v1/cases", bodies, headers),
            threads=min(2, options.concurrency),
            connections=options.concurrency,
        )
        if options.warmup:
            wrk.run(options.warmup)
        closed = wrk.run(options.seconds)
        caught_up = None
        if not options.no_worker:
            caught_up = round(wait_for_projection(url, head_position(url)), 2)
            say(f"the worker caught up {caught_up} s after the closed loop")
        say(f"open loop: {options.rate}/s for {options.open_seconds} s")
        opened = asyncio.run(http_open_loop(server.url, token, options))
    return {"closed": closed, "open": opened, "worker_catch_up_s": caught_up}


async def http_open_loop(
    base_url: str, token: dict[str, str], options: argparse.Namespace
) -> dict[str, Any]:
    bodies = [registration_body(n) for n in range(BODIES)]
    async with staff_client(base_url, headers=token) as client:

        async def send(i: int) -> int:
            response = await client.post("/api/v1/cases", json=bodies[i % BODIES], timeout=30)
            return response.status_code

        result = await open_loop(send, rate=options.rate, seconds=options.open_seconds)
    return result.summary()


# --------------------------------------------------------------------------------------------


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--concurrency", type=int, default=8, help="closed loops")
    parser.add_argument("--seconds", type=float, default=30, help="each closed loop's length")
    parser.add_argument("--warmup", type=float, default=3, help="uncounted seconds before each")
    parser.add_argument("--rate", type=float, default=25, help="open loop: cases/s")
    parser.add_argument("--open-seconds", type=float, default=20, help="open loop's length")
    parser.add_argument(
        "--no-worker", action="store_true", help="serve without any worker (what it costs)"
    )
    parser.add_argument("--lock-timeout", type=int, default=1, help="raw: seconds")
    add_service_options(parser, port=8766)
    options = parser.parse_args()

    keys = BenchKeys.fresh()
    loop = {
        "concurrency": options.concurrency,
        "seconds": options.seconds,
        "warmup": options.warmup,
    }
    context = machine()

    with scratch_database(options.server, keep=options.keep) as url:
        say(f"bare: {options.concurrency} threads for {options.seconds} s")
        bare, (case_id, position) = run_bare(url, keys, **loop)
        rows = stored_rows(url, case_id, position)
    with scratch_database(options.server, keep=options.keep) as url:
        say(f"raw: {options.concurrency} connections for {options.seconds} s")
        raw = run_raw(url, rows, lock_timeout=options.lock_timeout, **loop)
    with scratch_database(options.server, keep=options.keep) as url:
        say(f"http: wrk -c{options.concurrency} for {options.seconds} s")
        http = run_http(url, keys, options)
    with scratch_database(options.server, keep=options.keep) as url:
        say(f"minimal http: wrk -c{options.concurrency} for {options.seconds} s")
        minimal = run_minimal_http(url, keys, options)

    http_over_bare = http["closed"]["rps"] / bare["rps"] if bare["rps"] else None
    bare_over_raw = bare["rps"] / raw["rps"] if raw["rps"] else None
    print_result(
        "write_path",
        context,
        options,
        registration_rows=[{"topic": topic, "bytes": len(state)} for _, _, topic, state in rows],
        http=http["closed"],
        bare=bare,
        raw=raw,
        minimal_http=minimal,
        open_loop=http["open"],
        worker_catch_up_s=http["worker_catch_up_s"],
        ratios={
            "http_over_bare": _round(http_over_bare),
            "bare_over_raw": _round(bare_over_raw),
            "minimal_http_over_bare": _round(minimal["rps"] / bare["rps"] if bare["rps"] else None),
            "http_over_minimal_http": _round(
                http["closed"]["rps"] / minimal["rps"] if minimal["rps"] else None
            ),
        },
        targets={
            "http_over_bare_at_least": TARGET_HTTP_OVER_BARE,
            "http_over_bare_met": http_over_bare is not None
            and http_over_bare >= TARGET_HTTP_OVER_BARE,
            "open_loop_p99_ms_below": TARGET_OPEN_P99_MS,
            "open_loop_p99_met": http["open"]["p99_ms"] < TARGET_OPEN_P99_MS,
        },
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


if __name__ == "__main__":
    main()
