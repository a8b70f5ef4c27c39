"""Public status query throughput vs a FastAPI hello-JSON app, both driven by wrk, and
latency at an offered rate on an open loop.

    .venv/bin/python bench/public_status.py --cases 1000 --seconds 15 --rate 2000

Creates `oversight_bench_<random>` on the local server, registers cases through the
application, projects them, then serves in turn, one process each under the same uvicorn
settings: `oversight serve --no-worker`; a FastAPI hello-JSON app (the target's baseline);
and a FastAPI app that only validates the body and runs the status route's own query
through an asyncpg pool of the same size (the least any route answering from PostgreSQL
does). Drives each with `wrk -t2 -c32 --latency` on this machine and prints requests/s,
p50 and p99, the server process's CPU time per answer during the wrk run (what a machine
shared with other work moves least), and the ratios. `--read-pool-size` sets
OVERSIGHT_READ_POOL_SIZE for both apps that query; `--public-view-cache-size` sets
OVERSIGHT_PUBLIC_VIEW_CACHE_SIZE for the service (0: the cache off). Then, for each, an open
loop offers `--rate` requests/s for `--open-seconds` (`RawHttpClient` in this process,
requests sent at fixed moments whether or not earlier ones were answered, each latency
counted from its moment) and prints p50/p99. The database is dropped afterwards.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import Any

from support import (
    OPERATOR,
    BenchKeys,
    RawHttpClient,
    Wrk,
    add_database_options,
    bench_container,
    bench_parser,
    machine,
    open_loop,
    oversight_serve,
    print_result,
    scratch_database,
    status_script,
    uvicorn_server,
)

from domain.case import Channel, Intake, Kind

HELLO_APP = """
from fastapi import FastAPI
app = FastAPI()

@app.post("/api/v1/public/case-status")
async def hello() -> dict[str, str]:
    return {"hello": "world"}

@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
"""

# The least a route answering from PostgreSQL can do: validate the body, run the status
# route's own query through an asyncpg pool of the service's default size, answer the row.
QUERY_APP = """
import os
from contextlib import asynccontextmanager
from datetime import datetime, timezone

import asyncpg
from fastapi import FastAPI
from pydantic import BaseModel

from infrastructure.public_status import FIND_CASE_SQL
from infrastructure.sql_pool import asyncpg_dsn
from infrastructure.settings import Settings


@asynccontextmanager
async def lifespan(app):
    app.state.pool = await asyncpg.create_pool(
        asyncpg_dsn(os.environ["DATABASE_URL"]), min_size=1, max_size=Settings().read_pool_size
    )
    yield
    await app.state.pool.close()

app = FastAPI(lifespan=lifespan)

class Query(BaseModel):
    tracking_number: str
    access_code: str

@app.post("/api/v1/public/case-status")
async def status(query: Query) -> dict:
    row = await app.state.pool.fetchrow(
        FIND_CASE_SQL, query.tracking_number, datetime.now(timezone.utc)
    )
    return {key: row[key] for key in ("kind", "status", "department", "due_at")}

@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
"""


def fill(database_url: str, keys: BenchKeys, cases: int) -> list[tuple[str, str]]:
    """Register cases through the application and project them; answer (number, code) pairs."""
    with bench_container(database_url, keys) as container:
        pairs = []
        for n in range(cases):
            intake = Intake(
                kind=Kind.COMPLAINT,
                channel=Channel.HOTLINE,
                window="W-A01",
                summary=f"测试 {n}",
                complainant={},
            )
            registered = container.supervision.register_case(intake, by=OPERATOR)
            pairs.append((registered.case.tracking_number, registered.access_code))
        container.catch_up_projections()
        return pairs


async def status_open_loop(
    port: int, pairs: list[tuple[str, str]], *, rate: float, seconds: float
) -> dict[str, Any]:
    """Offer `rate` status requests/s for `seconds` on an open loop; answer the summary."""
    host = f"127.0.0.1:{port}"
    requests = [
        RawHttpClient.post(
            "/api/v1/public/case-status",
            host,
            json.dumps({"tracking_number": t, "access_code": c}).encode(),
        )
        for t, c in pairs
    ]
    client = RawHttpClient("127.0.0.1", port)
    try:

        async def send(i: int) -> int:
            return await client.send(requests[i % len(requests)])

        return (await open_loop(send, rate=rate, seconds=seconds)).summary()
    finally:
        client.close()


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--cases", type=int, default=1000, help="cases registered and asked about")
    parser.add_argument("--seconds", type=int, default=15, help="each wrk run's length")
    parser.add_argument("--rate", type=float, default=2000, help="open loop: requests/s")
    parser.add_argument("--open-seconds", type=float, default=10, help="the open loop's length")
    parser.add_argument("--port", type=int, default=8765, help="the servers' port")
    parser.add_argument(
        "--read-pool-size", type=int, help="OVERSIGHT_READ_POOL_SIZE (default: the service's)"
    )
    parser.add_argument(
        "--public-view-cache-size",
        type=int,
        help="OVERSIGHT_PUBLIC_VIEW_CACHE_SIZE of the service (default: the service's; 0: off)",
    )
    add_database_options(parser)
    args = parser.parse_args()

    keys = BenchKeys.fresh()
    context = machine()
    with scratch_database(args.server, keep=args.keep) as database_url:
        pairs = fill(database_url, keys, args.cases)
        script = status_script(pairs)
        with tempfile.TemporaryDirectory() as folder:
            settings = (
                {}
                if args.read_pool_size is None
                else {"OVERSIGHT_READ_POOL_SIZE": str(args.read_pool_size)}
            )
            if args.public_view_cache_size is not None:
                settings["OVERSIGHT_PUBLIC_VIEW_CACHE_SIZE"] = str(args.public_view_cache_size)
            env = keys.env(database_url, **settings)
            results = {}
            open_loops = {}
            for label, server in (
                ("oversight", oversight_serve(env, args.port, worker=False)),
                ("hello-json", uvicorn_server(HELLO_APP, env, args.port, Path(folder))),
                ("query-only", uvicorn_server(QUERY_APP, env, args.port, Path(folder))),
            ):
                with server:
                    wrk = Wrk(server.url, script, threads=2, connections=32)
                    wrk.run(3)  # warm up
                    cpu_before = server.cpu_seconds()
                    results[label] = wrk.run(args.seconds)
                    # CPU per answer: what the machine's load, shared by others, moves least.
                    results[label]["server_cpu_us_per_request"] = round(
                        (server.cpu_seconds() - cpu_before) / results[label]["requests"] * 1e6, 1
                    )
                    open_loops[label] = asyncio.run(
                        status_open_loop(
                            args.port, pairs, rate=args.rate, seconds=args.open_seconds
                        )
                    )
        ratio = results["oversight"]["rps"] / results["hello-json"]["rps"]
        floor = results["query-only"]["rps"] / results["hello-json"]["rps"]
        print_result(
            "public_status",
            context,
            args,
            results=results,
            open_loop=open_loops,
            open_loop_p99_over_query_only=round(
                open_loops["oversight"]["p99_ms"] / open_loops["query-only"]["p99_ms"], 3
            ),
            ratio=round(ratio, 3),
            query_only_over_hello=round(floor, 3),
            oversight_over_query_only=round(ratio / floor, 3),
            query_only_cpu_over_oversight_cpu=round(
                results["query-only"]["server_cpu_us_per_request"]
                / results["oversight"]["server_cpu_us_per_request"],
                3,
            ),
        )


if __name__ == "__main__":
    main()
