"""One worker turn over a filled store, its runners reading the log alone and sharing it.

    .venv/bin/python bench/worker_turn.py --events 10000

Fills a scratch database as `bench/rebuild.py` does, runs one warm-up turn, then puts every
runner's position back where the fill left it and runs the same turn again, alternately with
each runner reading and decoding the log through a reader of its own (as before the worker
shared one) and through the worker's shared reader, twice each. Prints, per turn, the seconds,
the runner-events handled, the decodes of notifications and of other stored events (the
notification feed rebuilding records, the audit feed's earlier records) and the load average.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

import psycopg
from eventsourcing.persistence import Notification
from rebuild import START, RebuildFill
from support import fill_options, filled_container, timed

from infrastructure.notification_log import LogReader, TrackedRunner
from interfaces.bootstrap import Container
from simulation.time_source import SimulatedTimeSource

MODES = ("warm-up", "alone", "shared", "alone", "shared")


def main() -> None:
    options = fill_options(__doc__, events=10_000)

    def fill(container: Container) -> int:
        return RebuildFill(container.supervision, start=START).until(options.events)

    with filled_container(options, fill, time_source=SimulatedTimeSource(START)) as container:
        with psycopg.connect(container.database_url) as connection:
            filled = connection.execute("SELECT name, position FROM projection_tracking").fetchall()
        decodes = count_decodes(container)
        for mode in MODES:
            with psycopg.connect(container.database_url, autocommit=True) as connection:
                connection.execute("DELETE FROM projection_tracking")
                connection.cursor().executemany(
                    "INSERT INTO projection_tracking (name, position) VALUES (%s, %s)", filled
                )
            worker = container.worker()
            if mode == "alone":
                for runner in (*worker.runners, *worker.policy_runners):
                    if isinstance(runner, TrackedRunner):
                        runner.read_from(LogReader(runner.events_table, runner.mapper))
            decodes.clear()
            load = os.getloadavg()[0]
            turn, seconds = timed(worker.run_once)
            worker.close()
            print(
                json.dumps(
                    {
                        "mode": mode,
                        "seconds": round(seconds, 2),
                        "runner_events": turn.notifications,
                        "decoded_notifications": decodes["notification"],
                        "decoded_other": decodes["other"],
                        "load_average_1m": load,
                    }
                ),
                flush=True,
            )


def count_decodes(container: Container) -> Counter[str]:
    """Count the mapper's decodes from now on: of notifications, and of other stored events."""
    mapper = container.supervision.mapper
    decode = mapper.to_domain_event
    counts: Counter[str] = Counter()

    def counting(stored: Any) -> Any:
        counts["notification" if isinstance(stored, Notification) else "other"] += 1
        return decode(stored)

    mapper.to_domain_event = counting  # type: ignore[method-assign]
    return counts


if __name__ == "__main__":
    main()
