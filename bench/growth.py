"""Read latency as the store grows: the public status query and a department's board at ~10k
events, then again after growing the same database to ≥ 1M events.

    .venv/bin/python bench/growth.py --small-events 10000 --large-events 1000000

On a database of its own (`oversight_bench_<random>`, dropped afterwards) records cases
through the domain's verbs, many aggregates per save (simulation/fills.py `RealisticFill`):
every kind, channel and topic in the demo's mix (simulation/mixes.py), all 30 departments of
the sample directory (a few much busier than the rest), one case every 10 minutes of
simulated time ending about now, each case in one of every state while it is recent:
unrouted, awaiting acknowledgement, returned, in progress, clock stopped, extension pending,
answered, closed, reopened. Cases older than the last `--backlog` cases are finished and
closed, so the open work (what a board shows) stays a working backlog's size while the store
grows a hundredfold.

At each size: the read tables are brought up to the log (`catch_up_projections`, or
`--rebuild`); the script waits for autovacuum to clear the row versions the fill left dead in
case_list, as it does in service within a minute or two (migration 0012; `--no-vacuum` to
measure before it, `--vacuum-wait` for how long to wait before a VACUUM by hand, which
is done at once on a server with autovacuum off); the database is ANALYZEd (`--no-analyze`
to skip); `oversight serve --no-worker` is started (the bench's cases have old dates: the
worker's deadline clock would record alarms while we measure), and after a warm-up of
`--warmup` requests of each kind (and at least one status request for every sampled case),
`--requests` sequential requests of each kind are timed:

  status  POST /api/v1/public/case-status for a fixed sample of cases (chosen at the small
          size, asked again at the large one);
  board   GET /api/v1/departments/{id}/board with each department's own token, for the
          `--departments` busiest departments in turn.

Then, at each size, what an operator runs over the whole store is timed on it: the ledger is
chained up to the log and a checkpoint signed, a full verification runs as `oversight audit
verify` does (`--no-verify-rate` to skip both), and a full rebuild as `oversight projections
rebuild` does (`--no-rebuild-rate` to skip); and the database's size is taken
(`pg_database_size`, and each table's and its indexes'), per event stored.

Prints JSON: p50/p99 of each at each size and the ratios large/small, the rates of the ledger,
the verification and the rebuild, and bytes per event. Target: within ±20%.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime, timedelta
from typing import Any

import httpx
import psycopg
from psycopg import sql
from support import (
    BenchKeys,
    add_database_options,
    bearer,
    bench_container,
    bench_parser,
    latency_summary,
    machine,
    oversight_serve,
    say,
    scratch_database,
)

from domain.actor import Role
from domain.calendar import OFFICE_TZ
from infrastructure.audit_projection import AUDIT_TABLES
from infrastructure.notification_log import events_table_of
from interfaces.bootstrap import Container
from simulation.fills import FILLED_ACCESS_CODE, RealisticFill
from simulation.time_source import SimulatedTimeSource

API = "/api/v1"
SPACING = timedelta(minutes=10)  # 144 cases a day, in the 150–250 a real centre takes
EVENTS_PER_CASE = 6.0  # what RealisticFill records per case over time (slightly fewer)
TARGET_RATIO = 1.2
LEDGER_TABLES = ("ledger", "ledger_checkpoints")


def first_column(url: str, query: str, params: tuple[Any, ...]) -> list[Any]:
    """The first column of what `query` answers, row by row."""
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute(query, params).fetchall()
    return [row[0] for row in rows]


def sample_cases(url: str, count: int) -> list[str]:
    """A fixed, repeatable sample of tracking numbers."""
    return first_column(
        url, "SELECT tracking_number FROM case_list ORDER BY md5(id::text) LIMIT %s", (count,)
    )


def busiest_departments(url: str, count: int) -> list[str]:
    return first_column(
        url,
        "SELECT assigned_department FROM case_list WHERE assigned_department IS NOT NULL "
        "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT %s",
        (count,),
    )


def bring_up_read_side(container: Container, url: str, options: argparse.Namespace) -> dict:
    """Project everything recorded so far, let autovacuum tidy up, ANALYZE; answer what it took."""
    started = time.perf_counter()
    if options.rebuild:
        report = container.rebuild_projections()
        how = {"rebuild_events_per_second": round(report.notifications_per_second)}
    else:
        how = {"caught_up_notifications": container.catch_up_projections()}
    seconds = time.perf_counter() - started
    vacuum = {} if options.no_vacuum else wait_for_autovacuum(url, options.vacuum_wait)
    if not options.no_analyze:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("ANALYZE")
    return {"projections_s": round(seconds, 1), **how, **vacuum}


def wait_for_autovacuum(url: str, patience: float) -> dict[str, Any]:
    """Wait until autovacuum has cleared case_list of the row versions the fill left dead, as
    it does in service (migration 0012); VACUUM by hand if it has not come by in time."""
    query = (
        "SELECT n_dead_tup, COALESCE(last_autovacuum > %s, false) FROM pg_stat_user_tables "
        "WHERE relname = 'case_list'"
    )
    with psycopg.connect(url, autocommit=True) as connection:
        since = connection.execute("SELECT now()").fetchone()[0]
        dead_before = connection.execute(query, (since,)).fetchone()[0]
        autovacuum = connection.execute("SHOW autovacuum").fetchone()[0] == "on"
        say(f"waiting for autovacuum: {dead_before} dead rows in case_list")
        waited = time.perf_counter()
        while autovacuum and time.perf_counter() - waited < patience:
            if connection.execute(query, (since,)).fetchone()[1]:
                by = "autovacuum"
                break
            time.sleep(2)
        else:
            connection.execute("VACUUM case_list, order_list")
            by = "hand: " + (
                "autovacuum did not come by in time" if autovacuum else "autovacuum is off"
            )
        return {
            "dead_rows_after_fill": dead_before,
            "vacuumed_by": by,
            "vacuum_wait_s": round(time.perf_counter() - waited, 1),
        }


def open_counts(url: str, departments: list[str]) -> dict[str, int]:
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT count(*) FROM case_list WHERE status IN ('assigned', 'in_progress') "
            "AND assigned_department = ANY(%s)",
            (departments,),
        ).fetchone()
        cases = connection.execute("SELECT count(*) FROM case_list").fetchone()
    return {
        "open_on_measured_boards": int(rows[0]) if rows else 0,
        "cases": int(cases[0]) if cases else 0,
    }


def verify_rates(container: Container) -> dict[str, Any]:
    """Chain the ledger up to the log and sign a checkpoint (as the worker would have), then
    verify the whole chain and the evidence files as `oversight audit verify` does."""
    started = time.perf_counter()
    chained = container.ledger.catch_up()
    chaining = time.perf_counter() - started
    container.ledger.make_checkpoint()
    report = container.verify_ledger_and_files()
    if not report.ok:
        raise RuntimeError(f"the ledger's verification failed: {report.message}")
    return {
        "ledger_chained_events": chained,
        "ledger_chaining_s": round(chaining, 1),
        "ledger_chaining_events_per_second": round(chained / chaining) if chaining else None,
        "verified_events": report.checked,
        "verify_s": round(report.seconds, 1),
        "verify_events_per_second": round(report.checked / report.seconds)
        if report.seconds
        else None,
    }


def rebuild_rates(container: Container) -> dict[str, Any]:
    """A full rebuild of every read table, as `oversight projections rebuild` runs it."""
    report = container.rebuild_projections()
    # Each read model replays the whole log in a pass of its own; the command's own figure
    # counts every pass's notifications, an operator waits for the log's length.
    log_events = report.notifications / len(report.projections)
    return {
        "rebuilt_read_models": len(report.projections),
        "rebuild_s": round(report.seconds, 1),
        "rebuild_log_events_per_second": round(log_events / report.seconds),
        "rebuild_notifications_per_second": round(report.notifications_per_second),
    }


def store_sizes(url: str, container: Container) -> dict[str, Any]:
    """The database's size on disk per event stored: in all, and by part (the events table,
    the read tables, the ledger, the rest; each table's own bytes apart from its indexes'),
    with every table over 1% of the database on its own."""
    events_table = events_table_of(container.supervision)
    read_tables = {p.table for p in container.read_side()[0]} | set(AUDIT_TABLES)
    with psycopg.connect(url, autocommit=True) as connection:
        events = connection.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(events_table))
        ).fetchone()[0]
        database = connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        tables = connection.execute(
            "SELECT c.relname, pg_table_size(c.oid), pg_indexes_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY 2 + 3 DESC"
        ).fetchall()

    def part_of(table: str) -> str:
        if table == events_table:
            return "events"
        if table in read_tables:
            return "read"
        return "ledger" if table in LEDGER_TABLES else "other"

    parts: dict[str, int] = {}
    for table, data, indexes in tables:
        part = part_of(table)
        parts[f"{part}_tables"] = parts.get(f"{part}_tables", 0) + data
        parts[f"{part}_indexes"] = parts.get(f"{part}_indexes", 0) + indexes
    parts["catalogue_and_free"] = database - sum(parts.values())

    def per_event(size: int) -> float:
        return round(size / events, 1)

    return {
        "stored_events": events,
        "database_bytes": database,
        "bytes_per_event": {
            "database": per_event(database),
            **{part: per_event(size) for part, size in parts.items()},
        },
        "largest_tables_bytes_per_event": {
            table: {"table": per_event(data), "indexes": per_event(indexes)}
            for table, data, indexes in tables
            if data + indexes >= database / 100
        },
    }


def timed(client: httpx.Client, requests: list[tuple[str, str, Any, dict[str, str]]]) -> list:
    """Send each request in turn; answer latencies (s). A non-2xx answer stops the bench."""
    latencies = []
    for method, path, body, headers in requests:
        started = time.perf_counter()
        response = client.request(method, path, json=body, headers=headers)
        latencies.append(time.perf_counter() - started)
        if not response.is_success:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
    return latencies


def measure(
    url: str,
    keys: BenchKeys,
    options: argparse.Namespace,
    tracking_numbers: list[str],
    desks: dict[str, dict[str, str]],
) -> dict[str, Any]:
    """Serve, warm up, then time sequential status and board requests."""

    def status(i: int) -> tuple[str, str, Any, dict[str, str]]:
        number = tracking_numbers[i % len(tracking_numbers)]
        body = {"tracking_number": number, "access_code": FILLED_ACCESS_CODE}
        return ("POST", f"{API}/public/case-status", body, {})

    departments = list(desks)

    def board(i: int) -> tuple[str, str, Any, dict[str, str]]:
        department = departments[i % len(departments)]
        return ("GET", f"{API}/departments/{department}/board", None, desks[department])

    with (
        oversight_serve(keys.env(url), options.port, worker=False) as server,
        httpx.Client(base_url=server.url, timeout=60) as client,
    ):
        try:
            # Every sampled case once at least: at the small size they were all just written
            # (in shared buffers); at the large size, a million events later, most were not.
            warmup = max(options.warmup, len(tracking_numbers))
            timed(client, [status(i) for i in range(warmup)])
            timed(client, [board(i) for i in range(options.warmup)])
            statuses = timed(client, [status(i) for i in range(options.requests)])
            boards = timed(client, [board(i) for i in range(options.requests)])
        except RuntimeError as error:
            raise RuntimeError(f"{error}\nthe server's log:\n{server.log_tail()}") from None
        sizes = [
            len(client.get(f"{API}/departments/{d}/board", headers=desks[d]).json()["items"])
            for d in departments
        ]
    return {
        "status": latency_summary(statuses),
        "board": {**latency_summary(boards), "items_per_board_mean": sum(sizes) / len(sizes)},
    }


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument(
        "--small-events", type=int, default=10_000, help="events at the first measurement"
    )
    parser.add_argument(
        "--large-events",
        type=int,
        default=1_000_000,
        help="events at the second measurement (a check run: 30000)",
    )
    parser.add_argument("--requests", type=int, default=500, help="timed requests of each kind")
    parser.add_argument("--warmup", type=int, default=50, help="untimed requests of each kind")
    parser.add_argument("--sample", type=int, default=200, help="cases asked about")
    parser.add_argument("--departments", type=int, default=8, help="boards asked for")
    parser.add_argument(
        "--backlog", type=int, default=1000, help="most recent cases that may stay open"
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild instead of catch up")
    parser.add_argument("--no-analyze", action="store_true", help="do not ANALYZE after filling")
    parser.add_argument(
        "--no-vacuum", action="store_true", help="measure before autovacuum clears the fill"
    )
    parser.add_argument(
        "--vacuum-wait", type=float, default=300, help="seconds to wait for autovacuum"
    )
    parser.add_argument(
        "--no-verify-rate",
        action="store_true",
        help="do not chain the ledger and time a full verification at each size",
    )
    parser.add_argument(
        "--no-rebuild-rate", action="store_true", help="do not time a full rebuild at each size"
    )
    parser.add_argument("--port", type=int, default=8768, help="the server's port")
    add_database_options(parser)
    options = parser.parse_args()
    if options.large_events <= options.small_events:
        parser.error("--large-events must be above --small-events")

    keys = BenchKeys.fresh()
    context = machine()
    # Simulated time ends about now at the large size.
    span = SPACING * round(options.large_events / EVENTS_PER_CASE)
    start = (datetime.now(OFFICE_TZ) - span).replace(minute=0, second=0, microsecond=0)
    stages: dict[str, dict[str, Any]] = {}
    with scratch_database(options.server, keep=options.keep) as url:
        container = bench_container(url, keys, time_source=SimulatedTimeSource(start))
        try:
            fill = RealisticFill(
                container.supervision,
                start=start,
                spacing=SPACING,
                wave=250,
                backlog=options.backlog,
            )
            tracking_numbers: list[str] = []
            desks: dict[str, dict[str, str]] = {}
            for stage, events in (("small", options.small_events), ("large", options.large_events)):
                say(f"{stage}: filling to {events:,} events")
                before = fill.head()
                started = time.perf_counter()
                head = fill.until(events)
                filled = time.perf_counter() - started
                say(f"{stage}: {head:,} events in {filled:.0f} s; projecting")
                read_side = bring_up_read_side(container, url, options)
                if not tracking_numbers:
                    tracking_numbers = sample_cases(url, options.sample)
                    desks = {
                        d: bearer(container, Role.DEPARTMENT, d)
                        for d in busiest_departments(url, options.departments)
                    }
                say(f"{stage}: measuring")
                stages[stage] = {
                    "events": head,
                    **open_counts(url, list(desks)),
                    "fill_s": round(filled, 1),
                    "fill_events_per_second": round((head - before) / filled),
                    **read_side,
                    **measure(url, keys, options, tracking_numbers, desks),
                }
                # After the latency, which they would disturb; the sizes before the rebuild
                # compacts the read tables, as served.
                if not options.no_verify_rate:
                    say(f"{stage}: chaining the ledger and verifying it")
                    stages[stage]["verify"] = verify_rates(container)
                stages[stage]["size"] = store_sizes(url, container)
                if not options.no_rebuild_rate:
                    say(f"{stage}: rebuilding the read tables")
                    stages[stage]["rebuild"] = rebuild_rates(container)
        finally:
            container.close()

    ratios = {
        f"{kind}_{figure}": round(
            stages["large"][kind][f"{figure}_ms"] / stages["small"][kind][f"{figure}_ms"], 3
        )
        for kind in ("status", "board")
        for figure in ("p50", "p99")
    }
    result = {
        "benchmark": "growth",
        "machine": context,
        "parameters": {k: v for k, v in vars(options).items() if k not in ("server", "keep")},
        "simulated_days": {
            "from": start.date().isoformat(),
            "to": fill.at(fill.registered).date().isoformat(),
        },
        "small": stages["small"],
        "large": stages["large"],
        "ratios_large_over_small": ratios,
        "targets": {
            "ratio_at_most": TARGET_RATIO,
            "met": all(ratio <= TARGET_RATIO for ratio in ratios.values()),
        },
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
