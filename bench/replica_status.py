"""Public status with two API processes reading a streaming standby vs the primary alone.

    PYTHONPATH=. .venv/bin/python bench/replica_status.py --cases 1000 --seconds 10

(`PYTHONPATH=.`: the clusters are the tests' own, tests/integration/throwaway_cluster.py.)
Makes a primary and a streaming standby of it (`pg_basebackup -R`, each its own folder and
port on this machine, removed afterwards), registers cases on the primary through the
application, projects them and waits until the standby has replayed them. Then, in one run,
serves `oversight serve --no-worker --workers 2` twice: with `DATABASE_URL` alone (every read
on the primary), and with `OVERSIGHT_READ_DATABASE_URL` on the standby; drives each with
`wrk -t2 -c32 --latency` asking the status of the cases in turn, and prints requests/s,
p50, p99, and the transactions each server committed during the run (where the work went).
Both servers run on the same cores as the load generator and both clusters, so the figures
show what reading the standby costs or saves on one machine, not a second machine's gain.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import psycopg
from public_status import fill
from support import (
    BenchKeys,
    Wrk,
    bench_parser,
    machine,
    oversight_serve,
    print_result,
    say,
    status_script,
)

from infrastructure.eventstore import initialise_schema
from infrastructure.logging import configure_logging
from tests.integration.throwaway_cluster import (
    ThrowawayCluster,
    streaming_pair,
    wait_until_replayed,
)

DATABASE = "oversight_bench"


def commits(cluster: ThrowawayCluster) -> int:
    """Transactions committed in the bench's database on this server so far."""
    with psycopg.connect(cluster.url(DATABASE), autocommit=True) as connection:
        # The statistics a transaction reads are a snapshot: clear it to see the latest.
        connection.execute("SELECT pg_stat_clear_snapshot()")
        row = connection.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = %s", (DATABASE,)
        ).fetchone()
    return int(row[0]) if row else 0


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--cases", type=int, default=1000, help="cases registered and asked about")
    parser.add_argument("--seconds", type=int, default=10, help="each wrk run's length")
    parser.add_argument("--port", type=int, default=8765, help="the servers' port")
    parser.add_argument("--workers", type=int, default=2, help="API processes of each server")
    args = parser.parse_args()

    configure_logging("WARNING")  # on stderr: stdout carries only the results
    keys = BenchKeys.fresh()
    context = machine()
    with (
        tempfile.TemporaryDirectory(prefix="bench-replica-") as folder,
        streaming_pair(Path(folder)) as (primary, standby),
    ):
        primary_url = primary.create_database(DATABASE)
        initialise_schema(primary_url)
        script = status_script(fill(primary_url, keys, args.cases))
        wait_until_replayed(primary, standby)
        say(f"{args.cases} cases on the primary, replayed by the standby")
        layouts = {
            "primary_alone": keys.env(primary_url),
            "reads_on_standby": keys.env(
                primary_url, OVERSIGHT_READ_DATABASE_URL=standby.url(DATABASE)
            ),
        }
        results = {}
        for label, env in layouts.items():
            with oversight_serve(env, args.port, worker=False, workers=args.workers) as server:
                wrk = Wrk(server.url, script, threads=2, connections=32)
                wrk.run(3)  # warm up
                before = commits(primary), commits(standby)
                results[label] = wrk.run(args.seconds)
                after = commits(primary), commits(standby)
            results[label]["commits_per_second"] = {
                "primary": round((after[0] - before[0]) / args.seconds),
                "standby": round((after[1] - before[1]) / args.seconds),
            }
        print_result(
            "replica_status",
            context,
            args,
            results=results,
            standby_over_primary_alone=round(
                results["reads_on_standby"]["rps"] / results["primary_alone"]["rps"], 3
            ),
        )


if __name__ == "__main__":
    main()
