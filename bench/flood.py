"""Staff commands beside a public flood at the machine's limit: do the operators' and the
departments' commands still answer in time, and how does the public side give way?

    .venv/bin/python bench/flood.py --connections 256 --command-rate 40 --seconds 30

On a database of its own (`oversight_bench_<random>`, dropped afterwards) with `--cases` cases
registered, assigned and projected beforehand, serves `oversight serve` (with its in-process
worker, or `--worker-process`; with `--public-process`, `--public-port` on the next port, where
the flood then goes), and for `--seconds` seconds at once:

  * wrk with `--connections` connections (many clients: no per-client limit applies, the
    bench serves with OVERSIGHT_PUBLIC_RATE_LIMIT=0) drives POST /api/v1/public/case-status
    for those cases as fast as the machine answers, counting its answers by status;
  * an open loop sends `--command-rate` commands a second whether or not earlier ones were
    answered, each timed from its scheduled moment: in turn an operator's registration
    (POST /cases) and a department's acknowledgement of one of the assigned cases.

Prints the commands' p50/p99 and statuses; the public answers by status (200, 429, 503), their
rate and latency (wrk's, over all statuses); the server's own timing of the commands (its
request histogram, read through GET /metrics: whether the time was spent in the service or in
the driver); and the CPU each part used (seconds per second, from /proc: the service, wrk,
this driver, the worker process; `children`: wrk, which ends inside the window), since all
of them share the machine's cores.
Target: commands p99 < 1 s.
"""

from __future__ import annotations

import asyncio
import os
import re
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from support import (
    OPERATOR,
    BenchKeys,
    Wrk,
    add_service_options,
    bearer,
    bench_container,
    bench_parser,
    machine,
    open_loop,
    parse_wrk,
    prepared_service,
    print_result,
    registration_body,
    registration_command,
    say,
    staff_client,
    status_script,
)

from domain.actor import Role

API = "/api/v1"
DEPARTMENT = "real-estate-registration"
TARGET_P99_S = 1.0

# Appended to the request script: every thread counts its answers by status, and at the end
# wrk prints them, one `status <code> <count>` line each.
COUNT_STATUSES = """
local threads = {}
setup = function(thread) table.insert(threads, thread) end
statuses = {}
response = function(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
done = function(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  for status, count in pairs(total) do io.write(string.format("status %d %d\\n", status, count)) end
end
"""


def prepare(url: str, keys: BenchKeys, options: Any) -> dict[str, Any]:
    """Register and assign the cases, project them, issue the tokens."""
    with bench_container(url, keys) as container:
        pairs, assigned = [], []
        for n in range(options.cases):
            registered = container.supervision.register_case(
                registration_command(registration_body(n)), by=OPERATOR
            )
            container.supervision.assign_case(
                registered.case.id,
                department=DEPARTMENT,
                urgent=None,
                final=False,
                note=None,
                by=OPERATOR,
            )
            pairs.append((registered.case.tracking_number, registered.access_code))
            assigned.append(str(registered.case.id))
        container.catch_up_projections()
        return {
            "pairs": pairs,
            "assigned": assigned,
            "operator": bearer(container, Role.OPERATOR),
            "department": bearer(container, Role.DEPARTMENT, DEPARTMENT),
            "monitor": bearer(container, Role.MONITOR),
        }


async def commands(base_url: str, setup: dict[str, Any], options: Any) -> dict[str, Any]:
    """The staff's open loop: registrations and acknowledgements in turn."""
    async with staff_client(base_url) as client:

        async def send(i: int) -> int:
            if i % 2 == 0:
                body = registration_body(i, window=None, department=DEPARTMENT)
                answer = await client.post(f"{API}/cases", json=body, headers=setup["operator"])
            else:
                case = setup["assigned"][i // 2]
                path = f"{API}/cases/{case}/acknowledge"
                answer = await client.post(path, headers=setup["department"])
            return answer.status_code

        result = await open_loop(send, rate=options.command_rate, seconds=options.seconds)
    return result.summary()


def server_timing(base_url: str, monitor: dict[str, str]) -> dict[str, dict[str, int]]:
    """The commands the server answered, by route and how long it took (its histogram)."""
    text = httpx.get(f"{base_url}/metrics", headers=monitor, timeout=30).text
    pattern = re.compile(
        r"^oversight_http_request_duration_seconds_bucket\{(?P<labels>.*)\} (?P<n>[\d.e+]+)$"
    )
    shown = {"0.25": "within_250_ms", "1.0": "within_1_s", "+Inf": "answered"}
    by_route: dict[str, dict[str, int]] = {}
    for line in text.splitlines():
        found = pattern.match(line)
        if not found:
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', found["labels"]))
        if labels.get("method") == "POST" and labels.get("le") in shown:
            counts = by_route.setdefault(labels["route"], dict.fromkeys(shown.values(), 0))
            counts[shown[labels["le"]]] += int(float(found["n"]))
    return {route: counts for route, counts in by_route.items() if route.startswith(f"{API}/cases")}


# CPU per process ------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User and system CPU a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def children_cpu_seconds() -> float:
    """User and system CPU of this process's children that ended (wrk, once waited for)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def children_of(pid: int) -> list[int]:
    """The processes `pid`'s main thread started (Linux)."""
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def processes_named(fragment: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if fragment in command:
                found.append(int(entry.name))
    return found


@contextmanager
def cpu_shares(parts: dict[str, list[int]]) -> Iterator[dict[str, float]]:
    """CPU seconds per second each part (its processes) used while the block ran, and
    `children`: this process's children that ended meanwhile."""

    def used() -> dict[str, float]:
        total = {"children": children_cpu_seconds()}
        for name, pids in parts.items():
            seconds = 0.0
            for pid in pids:
                try:
                    seconds += cpu_seconds(pid)
                except OSError:
                    continue
            total[name] = seconds
        return total

    shares: dict[str, float] = {}
    before, started = used(), time.monotonic()
    yield shares
    after, elapsed = used(), time.monotonic() - started
    shares.update({name: round((after[name] - before[name]) / elapsed, 2) for name in after})


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--connections", type=int, default=256, help="wrk's connections")
    parser.add_argument("--command-rate", type=float, default=40, help="staff commands/s")
    parser.add_argument("--seconds", type=float, default=30, help="how long both run")
    parser.add_argument("--cases", type=int, default=1000, help="cases registered beforehand")
    add_service_options(parser, port=8768)
    options = parser.parse_args()
    if options.command_rate * options.seconds / 2 > options.cases:
        parser.error("--cases must cover the acknowledgements: rate × seconds / 2 at least")

    keys = BenchKeys.fresh()
    context = machine()
    # The environment passes on: OVERSIGHT_PUBLIC_MAX_IN_FLIGHT=… sets the public bound.
    with prepared_service(options, keys, prepare) as (_, setup, server):
        script = status_script(setup["pairs"])
        flood = Wrk(server.public_url, script + COUNT_STATUSES, connections=options.connections)
        say(
            f"wrk -c{options.connections} on the public status route and "
            f"{options.command_rate}/s staff commands for {options.seconds} s"
        )
        parts = {
            "service": [server.process.pid] if server.process else [],
            # `serve --public-port` starts it (and multiprocessing's helper) as children.
            "public_process": children_of(server.process.pid) if server.process else [],
            "worker_process": processes_named("oversight worker"),
            "driver": [os.getpid()],
        }
        with cpu_shares(parts) as cpu:
            wrk = flood.start(options.seconds + 1)
            staff = asyncio.run(commands(server.url, setup, options))
            wrk_out, wrk_err = wrk.communicate()
        timing = server_timing(server.url, setup["monitor"])
    if wrk.returncode != 0:
        raise RuntimeError(f"wrk failed: {wrk_err}")

    public = parse_wrk(wrk_out)
    statuses = {code: int(n) for code, n in re.findall(r"^status (\d+) (\d+)$", wrk_out, re.M)}
    print_result(
        "flood",
        context,
        options,
        load_average_1m_after=round(os.getloadavg()[0], 2),
        commands=staff,
        commands_server_side=timing,
        public={
            "rps": public["rps"],
            "requests": public["requests"],
            "statuses": statuses,
            "p50_ms": public["p50_ms"],
            "p99_ms": public["p99_ms"],
            "socket_errors": public["socket_errors"],
        },
        cpu_seconds_per_second=cpu,
        targets={
            "commands_p99_ms_below": TARGET_P99_S * 1000,
            "met": staff["p99_ms"] < TARGET_P99_S * 1000,
        },
    )


if __name__ == "__main__":
    main()
