"""Public status query throughput vs a FastAPI hello-JSON app, both driven by wrk.

    .venv/bin/python bench/public_status.py --cases 1000 --seconds 15

Creates `oversight_bench_<random>` on the local server, registers cases through the
application, projects them, then serves `oversight serve --no-worker` and a hello-JSON app
under the same uvicorn settings (one process each, in turn), drives each with
`wrk -t2 -c32 --latency` on this machine and prints requests/s, p50 and p99, and the ratio.
The database is dropped afterwards.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from support import (
    OPERATOR,
    BenchKeys,
    Server,
    Wrk,
    add_database_options,
    bench_container,
    bench_parser,
    oversight_serve,
    scratch_database,
    wrk_script,
)

from domain.case import Channel, Kind

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


def fill(database_url: str, keys: BenchKeys, cases: int) -> list[tuple[str, str]]:
    """Register cases through the application and project them; answer (number, code) pairs."""
    container = bench_container(database_url, keys)
    try:
        pairs = []
        for n in range(cases):
            registered = container.supervision.register_case(
                kind=Kind.COMPLAINT,
                channel=Channel.HOTLINE,
                department=None,
                window="W-A01",
                staff=None,
                category=None,
                urgent=False,
                summary=f"测试 {n}",
                details="",
                complainant={},
                by=OPERATOR,
            )
            pairs.append((registered.case.tracking_number, registered.access_code))
        container.catch_up_projections()
        return pairs
    finally:
        container.close()


def status_script(pairs: list[tuple[str, str]]) -> str:
    """wrk's requests: POST /api/v1/public/case-status for each pair in turn."""
    bodies = [json.dumps({"tracking_number": t, "access_code": c}) for t, c in pairs]
    return wrk_script(
        "POST", "/api/v1/public/case-status", bodies, {"Content-Type": "application/json"}
    )


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--cases", type=int, default=1000, help="cases registered and asked about")
    parser.add_argument("--seconds", type=int, default=15, help="each wrk run's length")
    parser.add_argument("--port", type=int, default=8765, help="the servers' port")
    add_database_options(parser)
    args = parser.parse_args()

    keys = BenchKeys.fresh()
    with scratch_database(args.server, keep=args.keep) as database_url:
        script = status_script(fill(database_url, keys, args.cases))
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "hello_app.py").write_text(HELLO_APP)
            env = keys.env(database_url)
            hello = [
                sys.executable, "-m", "uvicorn", "hello_app:app", "--port", str(args.port),
                "--log-level", "warning", "--app-dir", folder,
            ]  # fmt: skip
            results = {}
            for label, server in (
                ("oversight", oversight_serve(env, args.port, worker=False)),
                ("hello-json", Server(hello, env, args.port)),
            ):
                with server:
                    wrk = Wrk(server.url, script, threads=2, connections=32)
                    wrk.run(3)  # warm up
                    results[label] = wrk.run(args.seconds)
        ratio = results["oversight"]["rps"] / results["hello-json"]["rps"]
        print(json.dumps({"results": results, "ratio": round(ratio, 3)}, indent=2))


if __name__ == "__main__":
    main()
