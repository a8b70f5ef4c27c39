"""Projection lag under a mixed load: how long after a command answers its event is in
case_list.

    .venv/bin/python bench/projection_lag.py --events-rate 200 --seconds 60

On a database of its own (`oversight_bench_<random>`, dropped afterwards) with `--cases`
cases registered and projected beforehand, serves `oversight serve` with its in-process
worker, as in production, and for `--seconds` seconds:

  * starts case journeys over HTTP at a schedule, `--events-rate`/7 a second: register (2
    events: the case and the day's number), assign, acknowledge, post the result, call back,
    close (1 event each), one step every `--gap` seconds (or as soon as the previous step
    answered, if later); each command answers with `position`, its last event's position;
  * drives POST /api/v1/public/case-status for the pre-registered cases with wrk
    (`-c --status-connections`) as fast as the machine answers (the target offers 2,000/s;
    wrk has no rate limit, so the achieved rate is reported);
  * samples case_list's position in projection_tracking every `--sample-ms` ms from a
    process of its own (psycopg).

The lag of a command is the moment the sampled position first reached the command's
position minus the moment its answer arrived (so it is overstated by up to one sampling
interval; negative: already projected when the answer arrived). The baseline printed with it
is the same commands' own latency, and the steady event rate actually achieved.
Target: lag p99 < 1 s, counted only if the steady event rate reached 90% of the offered one
(an overloaded run prints `"met": null`). `--workers N` serves with N API processes;
`--worker-process` runs the worker as an `oversight worker` process of its own beside
`oversight serve --no-worker` (the layout docs/operations.md advises for production);
`--public-process` serves with `--public-port` and sends the status load to that process.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import multiprocessing
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from typing import Any

import httpx
import psycopg
from support import (
    OPERATOR,
    BenchKeys,
    Wrk,
    add_service_options,
    bearer,
    bench_container,
    bench_parser,
    department_ids,
    latency_summary,
    machine,
    parse_wrk,
    percentile,
    prepared_service,
    print_result,
    registration_body,
    registration_command,
    say,
    staff_client,
    status_script,
    tracked_position,
    wait_for_projection,
)

from domain.actor import Role

API = "/api/v1"
EVENTS_PER_JOURNEY = 7
TARGET_P99_S = 1.0
ACHIEVED_SHARE = 0.9  # of the offered event rate, for the lag to count
RESULT = {"outcome": "resolved", "actions": "核实并联系当事人", "answer": "已处理并答复"}
CALLBACK = {"reached": True, "satisfaction": "satisfied"}


# Sampling the tracking position, in a process of its own ------------------------------------


def sample_tracking(url: str, interval: float, stop: Event, out: Connection) -> None:
    """Every `interval` seconds: (monotonic time, case_list's position, the log's head)."""
    samples: list[tuple[float, int, int]] = []
    with psycopg.connect(url, autocommit=True) as connection:
        head_query = "SELECT coalesce(max(notification_id), 0) FROM oversight_events"
        while not stop.is_set():
            position = tracked_position(connection)
            row = connection.execute(head_query).fetchone()
            samples.append((time.monotonic(), position, int(row[0]) if row else 0))
            time.sleep(max(0.0, interval - (time.monotonic() - samples[-1][0])))
    out.send(samples)
    out.close()


# The commands ---------------------------------------------------------------------------------


@dataclass
class Answers:
    """Every command's answer: when it came, its position, its latency."""

    answered: list[tuple[float, int]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    late_steps: int = 0

    def count(self, status: str) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1


async def journeys(
    base_url: str,
    operator: dict[str, str],
    desks: dict[str, dict[str, str]],
    *,
    per_second: float,
    seconds: float,
    gap: float,
) -> Answers:
    """Start a case's journey every 1/per_second s for `seconds`; each takes its steps
    `gap` apart (or when the previous one answered, if later)."""
    answers = Answers()
    departments = list(desks)
    async with staff_client(base_url) as client:

        async def command(path: str, body: Any, headers: dict[str, str]) -> dict[str, Any] | None:
            sent = time.monotonic()
            try:
                response = await client.post(path, json=body, headers=headers)
            except httpx.HTTPError as error:
                answers.count(type(error).__name__)
                return None
            answered = time.monotonic()
            answers.count(str(response.status_code))
            if not response.is_success:
                return None
            answer = response.json()
            answers.answered.append((answered, int(answer["position"])))
            answers.latencies.append(answered - sent)
            return answer

        async def journey(j: int, start: float) -> None:
            department = departments[j % len(departments)]
            desk = desks[department]
            body = registration_body(j, window=None, department=department)
            steps: list[tuple[str, Any, dict[str, str]]] = [
                ("assign", {"department": department}, operator),
                ("acknowledge", None, desk),
                ("result", RESULT, desk),
                ("callback", CALLBACK, operator),
                ("close", None, operator),
            ]
            await asyncio.sleep(max(0.0, start - time.monotonic()))
            case = await command(f"{API}/cases", body, operator)
            for k, (verb, step_body, headers) in enumerate(steps, start=1):
                if case is None:
                    return
                delay = start + k * gap - time.monotonic()
                if delay < 0:
                    answers.late_steps += 1
                await asyncio.sleep(max(0.0, delay))
                case = await command(f"{API}/cases/{case['id']}/{verb}", step_body, headers)

        begin = time.monotonic() + 0.1
        count = max(1, round(per_second * seconds))
        await asyncio.gather(*(journey(j, begin + j / per_second) for j in range(count)))
    return answers


def lags(answers: Answers, samples: list[tuple[float, int, int]]) -> tuple[list[float], int, int]:
    """Each command's lag in seconds (0 when its position was sampled before its answer
    arrived), how many were never seen projected, and how many were seen before their answer."""
    times = [sample[0] for sample in samples]
    positions = [sample[1] for sample in samples]  # a tracking position never goes back
    found: list[float] = []
    unreached = early = 0
    for answered, position in answers.answered:
        first = bisect.bisect_left(positions, position)
        if first == len(positions):
            unreached += 1
        elif times[first] <= answered:
            early += 1
            found.append(0.0)
        else:
            found.append(times[first] - answered)
    return found, unreached, early


def steady_event_rate(
    samples: list[tuple[float, int, int]], start: float, end: float
) -> float | None:
    """Events a second added to the log between two moments (from the sampled heads)."""
    inside = [sample for sample in samples if start <= sample[0] <= end]
    if len(inside) < 2:
        return None
    (t0, _, h0), (t1, _, h1) = inside[0], inside[-1]
    return round((h1 - h0) / (t1 - t0), 1)


# Setting up -----------------------------------------------------------------------------------


def prepare(url: str, keys: BenchKeys, options: argparse.Namespace) -> dict[str, Any]:
    """Register the cases the public will ask about, project them, issue the tokens."""
    with bench_container(url, keys) as container:
        pairs = []
        for n in range(options.cases):
            registered = container.supervision.register_case(
                registration_command(registration_body(n)), by=OPERATOR
            )
            pairs.append((registered.case.tracking_number, registered.access_code))
        container.catch_up_projections()
        departments = department_ids()[: options.departments]
        return {
            "pairs": pairs,
            "operator": bearer(container, Role.OPERATOR),
            "desks": {d: bearer(container, Role.DEPARTMENT, d) for d in departments},
        }


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--events-rate", type=float, default=200, help="events/s of commands")
    parser.add_argument("--seconds", type=float, default=60, help="how long journeys start")
    parser.add_argument("--gap", type=float, default=1.0, help="s between steps")
    parser.add_argument("--status-connections", type=int, default=32, help="wrk's connections")
    parser.add_argument("--cases", type=int, default=500, help="cases the public asks about")
    parser.add_argument("--departments", type=int, default=8, help="departments with a desk")
    parser.add_argument("--sample-ms", type=float, default=10.0, help="sampling interval")
    add_service_options(parser, port=8767)
    options = parser.parse_args()

    keys = BenchKeys.fresh()
    context = machine()
    per_second = options.events_rate / EVENTS_PER_JOURNEY
    total = options.seconds + 5 * options.gap
    with prepared_service(options, keys, prepare) as (url, setup, server):
        script = status_script(setup["pairs"])
        status = Wrk(server.public_url, script, threads=2, connections=options.status_connections)
        spawn = multiprocessing.get_context("spawn")
        stop = spawn.Event()
        receive, send = spawn.Pipe(duplex=False)
        sampler = spawn.Process(
            target=sample_tracking,
            args=(url, options.sample_ms / 1000, stop, send),
            daemon=True,
        )
        sampler.start()
        time.sleep(1.0)  # let it connect
        say(
            f"{per_second:.1f} journeys/s for {options.seconds} s, and wrk "
            f"-c{options.status_connections} on the public status route for {total:.0f} s"
        )
        wrk = status.start(total)
        try:
            started = time.monotonic()
            answers = asyncio.run(
                journeys(
                    server.url,
                    setup["operator"],
                    setup["desks"],
                    per_second=per_second,
                    seconds=options.seconds,
                    gap=options.gap,
                )
            )
            finished = time.monotonic()
            wrk_out, wrk_err = wrk.communicate()
            last = max((position for _, position in answers.answered), default=0)
            try:
                wait_for_projection(url, last, timeout=30)
            except TimeoutError as error:
                say(str(error))
            time.sleep(0.1)
            stop.set()
            samples = receive.recv()
            sampler.join()
        finally:
            stop.set()
            if wrk.poll() is None:
                wrk.kill()

    if wrk.returncode != 0:
        raise RuntimeError(f"wrk failed: {wrk_err}")
    found, unreached, early = lags(answers, samples)
    every = found + [float("inf")] * unreached
    # Journeys overlap fully once the first has taken its last step.
    ramp = 5 * options.gap
    window = (started + ramp, started + options.seconds)
    if options.seconds <= 2 * ramp:
        window = (started, finished)
    steady = steady_event_rate(samples, *window)
    p99 = percentile(every, 99)
    achieved = steady is not None and steady >= ACHIEVED_SHARE * options.events_rate
    print_result(
        "projection_lag",
        context,
        options,
        lag={
            "commands": len(answers.answered),
            "p50_ms": round(percentile(every, 50) * 1000, 1),
            "p99_ms": round(p99 * 1000, 1) if p99 != float("inf") else None,
            "max_ms": round(max(found) * 1000, 1) if found else None,
            "never_projected": unreached,
            "projected_before_answer": early,
        },
        commands={
            **latency_summary(answers.latencies),
            "statuses": answers.statuses,
            "late_steps": answers.late_steps,
            "offered_events_per_second": options.events_rate,
            "steady_events_per_second": steady,
            "seconds": round(finished - started, 1),
        },
        public_status_load={**parse_wrk(wrk_out), "offered_target_rps": 2000},
        samples=len(samples),
        targets={
            "lag_p99_ms_below": TARGET_P99_S * 1000,
            # A lag measured while the commands fell behind their schedule answers nothing.
            "offered_rate_achieved": achieved,
            "met": (p99 < TARGET_P99_S) if achieved else None,
        },
    )


if __name__ == "__main__":
    main()
