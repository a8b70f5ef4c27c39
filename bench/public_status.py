"""Public status query throughput vs a FastAPI hello-JSON app, both driven by wrk.

    /work/venv/bin/python bench/public_status.py --cases 1000 --seconds 15

Creates `oversight_bench_<random>` on the local server, registers cases through the
application, projects them, then serves `oversight serve --no-worker` and a hello-JSON app
under the same uvicorn settings (one process each, in turn), drives each with
`wrk -t2 -c32 --latency` on this machine and prints requests/s, p50 and p99, and the ratio.
The database is dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from uuid import uuid4

import httpx
import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from domain.actor import Actor, Role
from domain.case import Channel, Kind
from infrastructure.directory_file import sample_directory
from infrastructure.eventstore import initialise_schema
from infrastructure.settings import Settings
from interfaces.bootstrap import bootstrap

SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
OVERSIGHT = str(Path(sys.executable).with_name("oversight"))
OPERATOR = Actor("bench-operator", Role.OPERATOR)
BENCH_KEY = "62656e63682d6163636573732d636f64652d6b65792d3332627974657321212121"

WRK_SCRIPT = """
local pairs = {%s}
local n = 0
request = function()
  n = n + 1
  local pair = pairs[(n %% #pairs) + 1]
  return wrk.format("POST", "/api/v1/public/case-status",
    {["Content-Type"] = "application/json"},
    '{"tracking_number":"' .. pair[1] .. '","access_code":"' .. pair[2] .. '"}')
end
"""

HELLO_APP = """
from fastapi import FastAPI
app = FastAPI()

@app.post("/api/v1/public/case-status")
async def hello() -> dict[str, str]:
    return {"hello": "world"}
"""


def fill(database_url: str, cases: int) -> list[tuple[str, str]]:
    settings = Settings(database_url=database_url, access_code_key=BENCH_KEY, log_level="WARNING")
    container = bootstrap(settings, initialise=False)
    try:
        container.supervision.import_directory(sample_directory(), Actor("bench", Role.ADMIN))
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
        worker = container.worker()
        worker.run_once()
        worker.close()
        return pairs
    finally:
        container.close()


def serve(command: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(  # noqa: S603 -- the bench's own fixed commands
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{command} did not start")


def drive(port: int, script: Path, seconds: int) -> dict[str, float]:
    out = subprocess.run(  # noqa: S603
        [
            shutil.which("wrk") or "wrk",
            "-t2",
            "-c32",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def latency(percent: str) -> float:
        value, unit = re.search(rf"{percent}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {
        "rps": rps,
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    name = f"oversight_bench_{uuid4().hex[:8]}"
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    database_url = make_conninfo(**{**conninfo_to_dict(SERVER), "dbname": name})
    try:
        initialise_schema(database_url)
        pairs = fill(database_url, args.cases)
        with tempfile.TemporaryDirectory() as folder:
            script = Path(folder) / "status.lua"
            script.write_text(WRK_SCRIPT % ",".join(f'{{"{t}","{c}"}}' for t, c in pairs))
            hello = Path(folder) / "hello_app.py"
            hello.write_text(HELLO_APP)
            env = {
                **os.environ,
                "DATABASE_URL": database_url,
                "OVERSIGHT_ACCESS_CODE_KEY": BENCH_KEY,
                "OVERSIGHT_PUBLIC_RATE_LIMIT": "0",
                "OVERSIGHT_LOG_LEVEL": "WARNING",
            }
            results = {}
            for label, command, cwd_env in (
                ("oversight", [OVERSIGHT, "serve", "--no-worker", "--port", str(args.port)], env),
                (
                    "hello-json",
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "hello_app:app",
                        "--port",
                        str(args.port),
                        "--log-level",
                        "warning",
                        "--app-dir",
                        folder,
                    ],
                    env,
                ),
            ):
                process = serve(command, cwd_env, args.port)
                try:
                    drive(args.port, script, 3)  # warm up
                    results[label] = drive(args.port, script, args.seconds)
                finally:
                    process.terminate()
                    process.wait(timeout=30)
        ratio = results["oversight"]["rps"] / results["hello-json"]["rps"]
        print(json.dumps({"results": results, "ratio": round(ratio, 3)}, indent=2))
    finally:
        with psycopg.connect(SERVER, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
