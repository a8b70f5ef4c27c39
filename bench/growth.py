"""Read latency as the store grows: the public status query, a department's board, the
scores and the case list at ~10k events, and the same reads as of past instants (§14); then
again after growing the same database to ≥ 1M events.

    .venv/bin/python bench/growth.py --small-events 10000 --large-events 1000000

On a database of its own (`oversight_bench_<random>`, dropped afterwards) records cases
through the domain's verbs, many aggregates per save (simulation/fills.py `RealisticFill`):
every kind, channel and topic in the demo's mix (simulation/mixes.py), all 30 departments of
the sample directory (a few much busier than the rest), one case every 10 minutes of
simulated time ending about now, each case in one of every state while it is recent:
unrouted, awaiting acknowledgement, returned, in progress, clock stopped, extension pending,
answered, closed, reopened. Cases older than the last `--backlog` cases are finished and
closed, so the open work (what a board shows) stays a working backlog's size while the store
grows a hundredfold. After each wave of 250 cases an inspector's patrol records
`--deductions-per-wave` deductions through the discipline verbs at the wave's time, and a
few of them (the demo's share) are revoked on appeal a wave later: what the scores read,
now and as of the past. The deductions draw on a random generator of their own: the cases
are those of the fill without them (it stops a little sooner, their events counting).

At each size: the audit feed is brought up to the log (its `recorded_at` is the index from
time to log position that as-of reads start from; the worker runs it in service), timed
apart, then the read tables (`catch_up_projections`, or `--rebuild`); the script waits for
autovacuum to clear the row versions the fill left dead in case_list, order_list and the
history tables (each version is closed once), as it does in service within a minute or two
(migrations 0012 and 0037; `--no-vacuum` to measure before it, `--vacuum-wait`
for how long to wait before a VACUUM by hand, which is done at once on a server with
autovacuum off); the database is ANALYZEd (`--no-analyze`
to skip); `oversight serve --no-worker` is started (the bench's cases have old dates: the
worker's deadline clock would record alarms while we measure), and after a warm-up of
`--warmup` requests of each kind (and at least one status request for every sampled case),
`--requests` sequential requests of each kind are timed, one kind after another:

  status     POST /api/v1/public/case-status for a fixed sample of cases (chosen at the
             small size, asked again at the large one);
  board      GET /api/v1/departments/{id}/board with each department's own token, for the
             `--departments` busiest departments in turn;
  scores     GET /api/v1/scores?month=M with an inspector's token, M the month before each
             of the instants below (the months scores_as_of asks for, as known now);
  case_list  GET /api/v1/cases with an operator's token (the newest 50);
  board_as_of, scores_as_of, case_list_as_of
             the same three with `as_of=T`, one instant T a request, drawn (`--seed`)
             evenly across the store's record time, from its first event to its last (the
             warm-up draws its own); each answer must state its `as_of`.

Then, at each size, what an operator runs over the whole store is timed on it: the ledger is
chained up to the log and a checkpoint signed, a full verification runs as `oversight audit
verify` does (`--no-verify-rate` to skip both), and a full rebuild as `oversight projections
rebuild` does (`--no-rebuild-rate` to skip); and the database's size is taken
(`pg_database_size`, and each table's and its indexes'), per event stored, with what the
history costs apart: each `<table>_history` with its indexes, and audit_events' index from
time to position.

Prints JSON: p50/p99 of each at each size and the ratios large/small, the rates of the ledger,
the verification and the rebuild, and bytes per event. Targets: status and board within ±20%
from the small size to the large one; as-of board, scores and case list p99 < 200 ms at the
large size.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import httpx
import psycopg
from psycopg import sql
from support import (
    ADMIN,
    BenchKeys,
    add_database_options,
    bearer,
    bench_container,
    bench_parser,
    latency_summary,
    machine,
    oversight_serve,
    print_result,
    say,
    scratch_database,
)

from application.supervision import Supervision
from domain.actor import Role
from domain.calendar import OFFICE_TZ
from domain.case import Case
from domain.scorecard import DeductionRequest, SourceType
from infrastructure.audit_projection import AUDIT_TABLES, AuditEventsRunner
from infrastructure.conduct_file import default_conduct_rules
from infrastructure.directory_file import sample_directory
from infrastructure.history import HISTORY_SUFFIX, KEPT_HISTORY, history_of
from infrastructure.notification_log import events_table_of
from interfaces.bootstrap import Container
from simulation.fills import FILLED_ACCESS_CODE, INSPECTOR, RealisticFill
from simulation.mixes import (
    REVOCATION_SHARE,
    STAFF_FINDINGS,
    WINDOW_FINDING_SHARE,
    WINDOW_FINDINGS,
)
from simulation.texts import REVOCATION_REASONS
from simulation.time_source import SimulatedTimeSource

API = "/api/v1"
SPACING = timedelta(minutes=10)  # 144 cases a day, in the 150–250 a real centre takes
EVENTS_PER_CASE = 6.0  # what RealisticFill records per case over time (slightly fewer)
TARGET_RATIO = 1.2
TARGET_AS_OF_P99_MS = 200.0
LEDGER_TABLES = ("ledger", "ledger_checkpoints")
# The index from time to log position the as-of reads start from (migration 0036).
RECORD_TIME_INDEX = "audit_events_recorded_at_idx"
CURRENT_KINDS = ("status", "board", "scores", "case_list")
AS_OF_KINDS = ("board_as_of", "scores_as_of", "case_list_as_of")
# What the growth target (±20%) has held since the first runs.
GROWTH_KINDS = ("status", "board")

Request = tuple[str, str, Any, dict[str, str]]


class FillWithDeductions(RealisticFill):
    """The realistic fill, and after each wave an inspector's patrol findings recorded through
    the discipline verbs at the wave's time (the conduct catalogue loaded first), a few of
    them revoked on appeal a wave later: what the scores read, now and as of the past."""

    def __init__(
        self,
        supervision: Supervision,
        *,
        time_source: SimulatedTimeSource,
        deductions_per_wave: int,
        seed: int,
        **options: Any,
    ) -> None:
        super().__init__(supervision, **options)
        self.time_source = time_source
        self.deductions_per_wave = deductions_per_wave
        # A generator of its own: the fill's draws, and so its cases, stay as without them.
        self.findings = random.Random(seed)  # noqa: S311 -- a repeatable mix, not a secret
        directory = sample_directory()
        self.windows = [w.id for w in directory.windows if w.active]
        self.staff = [s.id for s in directory.staff if s.active]
        self.appealed: list[UUID] = []
        if deductions_per_wave:
            supervision.load_conduct_rules(default_conduct_rules(), ADMIN)

    def wave_done(self, wave: list[Case]) -> None:
        super().wave_done(wave)
        if not self.deductions_per_wave:
            return
        now = self.at(self.registered + len(wave) - 1)
        self.time_source.advance_to(max(now, self.time_source.now()))
        for deduction_id in self.appealed:
            reason = self.findings.choice(REVOCATION_REASONS)
            self.supervision.revoke_deduction(deduction_id, reason=reason, by=INSPECTOR)
        self.appealed = []
        for _ in range(self.deductions_per_wave):
            answer = self.supervision.record_deduction(self.finding(now), INSPECTOR)
            if self.findings.random() < REVOCATION_SHARE:
                self.appealed.append(answer.id)

    def finding(self, now: datetime) -> DeductionRequest:
        """A patrol's finding about a window or a staff member, in the last day."""
        about_window = self.findings.random() < WINDOW_FINDING_SHARE
        occurred_at = now - timedelta(minutes=self.findings.randint(2, 24 * 60))
        return DeductionRequest(
            rule=self.findings.choice(WINDOW_FINDINGS if about_window else STAFF_FINDINGS),
            staff=None if about_window else self.findings.choice(self.staff),
            window=self.findings.choice(self.windows) if about_window else None,
            occurred_at=occurred_at,
            evidence="巡查发现，现场拍照留存",
            source_type=SourceType.PATROL,
            source_ref=None,
            points=None,
        )


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
    """Project everything recorded so far, let autovacuum tidy up, ANALYZE; answer what it took.

    The audit feed first, timed apart: `catch_up_projections` runs it too, but a run of this
    script from before time travel caught up the read tables alone, and their figures compare.
    """
    fed = time.perf_counter()
    how: dict[str, Any] = {"audit_feed_events": catch_up_audit_feed(container)}
    how["audit_feed_s"] = round(time.perf_counter() - fed, 1)
    started = time.perf_counter()
    if options.rebuild:
        report = container.rebuild_projections()
        how["rebuild_events_per_second"] = round(report.notifications_per_second)
    else:
        how["caught_up_notifications"] = container.catch_up_projections()
    seconds = time.perf_counter() - started
    vacuum = {} if options.no_vacuum else wait_for_autovacuum(url, options.vacuum_wait)
    if not options.no_analyze:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("ANALYZE")
    return {"projections_s": round(seconds, 1), **how, **vacuum}


def catch_up_audit_feed(container: Container) -> int:
    """Bring the audit feed up to the log, as the worker does in service: its `recorded_at` is
    where as-of reads find an instant's log position, and an instant past its end waits for it."""
    with AuditEventsRunner(container.database_url, container.supervision) as feed:
        return feed.run_until_caught_up()


# What autovacuum clears within a minute or two in service: the tasks' rows, rewritten at
# every step (migration 0012), and the history's versions, each closed once (0037).
CHURNING_TABLES = ("case_list", "order_list", *(history_of(table) for table in KEPT_HISTORY))


def wait_for_autovacuum(url: str, patience: float) -> dict[str, Any]:
    """Wait until autovacuum has cleared the tables the fill rewrote of their dead row
    versions, as it does in service (migrations 0012 and 0037); VACUUM by hand what it has
    not cleared in time."""
    query = (
        "SELECT relname, n_dead_tup, COALESCE(last_autovacuum > %s, false)"
        " FROM pg_stat_user_tables WHERE relname = ANY(%s) AND n_dead_tup > 0"
    )
    tables = list(CHURNING_TABLES)
    with psycopg.connect(url, autocommit=True) as connection:
        since = connection.execute("SELECT now()").fetchone()[0]
        dead = {row[0]: row[1] for row in connection.execute(query, (since, tables))}
        autovacuum = connection.execute("SHOW autovacuum").fetchone()[0] == "on"
        say(f"waiting for autovacuum: {sum(dead.values())} dead rows in {sorted(dead)}")
        waited = time.perf_counter()
        left = sorted(dead)
        while autovacuum and left and time.perf_counter() - waited < patience:
            time.sleep(2)
            rows = connection.execute(query, (since, left)).fetchall()
            left = sorted(name for name, _, cleared in rows if not cleared)
        by = "autovacuum"
        if left:
            connection.execute(
                sql.SQL("VACUUM {}").format(sql.SQL(", ").join(map(sql.Identifier, left)))
            )
            by = "hand: " + (
                "autovacuum did not come by in time" if autovacuum else "autovacuum is off"
            )
        return {
            "dead_rows_after_fill": dead.get("case_list", 0),
            "dead_history_rows_after_fill": sum(
                count for name, count in dead.items() if name.endswith(HISTORY_SUFFIX)
            ),
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


def readers_of(container: Container, url: str, options: argparse.Namespace) -> Readers:
    """The sampled cases and the busiest departments (chosen at the first size, asked about
    again at the next), and tokens to read as; the tokens' events are then projected and fed
    to the audit feed (`catch_up_projections` runs both), which an as-of read of the log's last
    instants waits for."""
    readers = Readers(
        tracking_numbers=sample_cases(url, options.sample),
        desks={
            d: bearer(container, Role.DEPARTMENT, d)
            for d in busiest_departments(url, options.departments)
        },
        inspector=bearer(container, Role.INSPECTOR),
        operator=bearer(container, Role.OPERATOR),
    )
    container.catch_up_projections()
    return readers


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
    the read tables, the read tables' history, the ledger, the rest; each table's own bytes
    apart from its indexes'), with every table over 1% of the database on its own, and what
    time travel costs (`history_sizes`)."""
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
        history = history_sizes(connection, events)

    def part_of(table: str) -> str:
        if table == events_table:
            return "events"
        if table in read_tables:
            return "read"
        if table.removesuffix(HISTORY_SUFFIX) in KEPT_HISTORY:
            return "history"
        return "ledger" if table in LEDGER_TABLES else "other"

    parts: dict[str, int] = {}
    for table, data, indexes in tables:
        part = part_of(table)
        parts[f"{part}_tables"] = parts.get(f"{part}_tables", 0) + data
        parts[f"{part}_indexes"] = parts.get(f"{part}_indexes", 0) + indexes
    parts["catalogue_and_free"] = database - sum(parts.values())
    return {
        "stored_events": events,
        "database_bytes": database,
        "bytes_per_event": {
            "database": per_event(database, events),
            **{part: per_event(size, events) for part, size in parts.items()},
        },
        "largest_tables_bytes_per_event": {
            table: {"table": per_event(data, events), "indexes": per_event(indexes, events)}
            for table, data, indexes in tables
            if data + indexes >= database / 100
        },
        "history": history,
    }


def history_sizes(connection: psycopg.Connection[Any], events: int) -> dict[str, Any]:
    """What keeping the read tables' past costs on disk, per event stored (§14): each
    `<table>_history` (its row versions, and its indexes: the standing versions by key, the
    versions by the positions they stood over), and audit_events' index from time to log
    position (`recorded_at` itself is 8 bytes in each of the feed's rows, counted with it)."""
    tables = {}
    for table in KEPT_HISTORY:
        history = history_of(table)
        versions, data, indexes = connection.execute(
            sql.SQL(
                "SELECT (SELECT count(*) FROM {history}), pg_table_size(%(name)s::regclass), "
                "pg_indexes_size(%(name)s::regclass)"
            ).format(history=sql.Identifier(history)),
            {"name": history},
        ).fetchone()
        tables[table] = {"versions": versions, "table": data, "indexes": indexes}
    index = connection.execute(
        "SELECT pg_relation_size(%s::regclass)", (RECORD_TIME_INDEX,)
    ).fetchone()[0]
    data = sum(t["table"] for t in tables.values())
    indexes = sum(t["indexes"] for t in tables.values())
    return {
        "versions": sum(t["versions"] for t in tables.values()),
        "bytes": data + indexes + index,
        "bytes_per_event": {
            "all": per_event(data + indexes + index, events),
            "history_tables": per_event(data, events),
            "history_indexes": per_event(indexes, events),
            "record_time_index": per_event(index, events),
        },
        "tables_bytes_per_event": {
            table: {
                "versions": t["versions"],
                "table": per_event(t["table"], events),
                "indexes": per_event(t["indexes"], events),
            }
            for table, t in tables.items()
        },
    }


def per_event(size: int, events: int) -> float:
    return round(size / events, 1)


def timed(
    client: httpx.Client,
    requests: list[Request],
    check: Callable[[httpx.Response], None] | None = None,
) -> list[float]:
    """Send each request in turn; answer latencies (s). A non-2xx answer stops the bench, as
    does one `check` (called once the latency is taken) refuses."""
    latencies = []
    for method, path, body, headers in requests:
        started = time.perf_counter()
        response = client.request(method, path, json=body, headers=headers)
        latencies.append(time.perf_counter() - started)
        if not response.is_success:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        if check is not None:
            check(response)
    return latencies


def counting(items: list[int], *, as_of: bool) -> Callable[[httpx.Response], None]:
    """A check counting each answer's items; an as-of answer must say the instant it reflects
    (a route that took `as_of` without reading the past would be measuring the present)."""

    def check(response: httpx.Response) -> None:
        answer = response.json()
        if as_of and not answer.get("as_of"):
            raise RuntimeError(f"GET {response.request.url}: the answer states no as_of")
        items.append(len(answer["items"]))

    return check


@dataclass(frozen=True)
class Readers:
    """Who the bench reads as: the sampled cases' tracking numbers (the public status), the
    measured departments' tokens (their boards), an inspector's (the scores) and an
    operator's (the case list)."""

    tracking_numbers: list[str]
    desks: dict[str, dict[str, str]]
    inspector: dict[str, str]
    operator: dict[str, str]


def past_instants(url: str, count: int, seed: int) -> list[datetime]:
    """`count` instants drawn evenly (a fixed `seed`) across the store's record time: from
    its first event's time to its last's (audit_events.recorded_at), or to now if sooner."""
    with psycopg.connect(url, autocommit=True) as connection:
        first, last = connection.execute(
            "SELECT min(recorded_at), max(recorded_at) FROM audit_events"
        ).fetchone()
    last = min(last, datetime.now(UTC))
    draw = random.Random(seed)  # noqa: S311 -- repeatable instants, not a secret
    return [first + (last - first) * draw.random() for _ in range(count)]


def month_before(instant: datetime) -> str:
    """The month before the instant's (Asia/Shanghai): the last month reported on by then."""
    first_day = instant.astimezone(OFFICE_TZ).date().replace(day=1)
    return f"{first_day - timedelta(days=1):%Y-%m}"


def measure(
    url: str, keys: BenchKeys, options: argparse.Namespace, readers: Readers
) -> dict[str, Any]:
    """Serve, warm up, then time sequential requests of each kind, one kind after another:
    the present's status and boards first, as before time travel, then the present's scores
    and case list, then boards, scores and the case list as of past instants."""
    tracking_numbers, desks = readers.tracking_numbers, readers.desks
    # One instant a request: the timed ones first, then the warm-up's.
    instants = past_instants(url, options.requests + options.warmup, options.seed)

    def status(i: int) -> Request:
        number = tracking_numbers[i % len(tracking_numbers)]
        body = {"tracking_number": number, "access_code": FILLED_ACCESS_CODE}
        return ("POST", f"{API}/public/case-status", body, {})

    departments = list(desks)

    def board(i: int) -> Request:
        department = departments[i % len(departments)]
        return ("GET", f"{API}/departments/{department}/board", None, desks[department])

    def scores(i: int) -> Request:
        month = month_before(instants[i])
        return ("GET", f"{API}/scores?{urlencode({'month': month})}", None, readers.inspector)

    def case_list(_: int) -> Request:
        return ("GET", f"{API}/cases", None, readers.operator)

    def as_of(present: Callable[[int], Request]) -> Callable[[int], Request]:
        def past(i: int) -> Request:
            method, path, body, headers = present(i)
            instant = instants[i].astimezone(OFFICE_TZ).isoformat(timespec="seconds")
            joined = f"{path}{'&' if '?' in path else '?'}{urlencode({'as_of': instant})}"
            return (method, joined, body, headers)

        return past

    later = {"scores": scores, "case_list": case_list}
    later |= {f"{kind}_as_of": as_of(read) for kind, read in (("board", board), *later.items())}
    latencies: dict[str, list[float]] = {}
    items: dict[str, list[int]] = {kind: [] for kind in later}
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
            latencies["status"] = timed(client, [status(i) for i in range(options.requests)])
            latencies["board"] = timed(client, [board(i) for i in range(options.requests)])
            for kind, read in later.items():
                warming = range(options.requests, options.requests + options.warmup)
                check = counting(items[kind], as_of=kind.endswith("_as_of"))
                timed(client, [read(i) for i in warming], check)
                items[kind].clear()
                timed_reads = [read(i) for i in range(options.requests)]
                latencies[kind] = timed(client, timed_reads, check)
        except RuntimeError as error:
            raise RuntimeError(f"{error}\nthe server's log:\n{server.log_tail()}") from None
        sizes = [
            len(client.get(f"{API}/departments/{d}/board", headers=desks[d]).json()["items"])
            for d in departments
        ]
    return {
        "status": latency_summary(latencies["status"]),
        "board": {
            **latency_summary(latencies["board"]),
            "items_per_board_mean": sum(sizes) / len(sizes),
        },
        **{
            kind: {
                **latency_summary(latencies[kind]),
                "items_mean": round(sum(items[kind]) / len(items[kind]), 1),
            }
            for kind in later
        },
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
    parser.add_argument(
        "--deductions-per-wave",
        type=int,
        default=4,
        help="deductions recorded after each wave of 250 cases (about 2 a simulated day)",
    )
    parser.add_argument("--seed", type=int, default=16, help="draws the instants and findings")
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
        clock = SimulatedTimeSource(start)
        container = bench_container(url, keys, time_source=clock)
        try:
            fill = FillWithDeductions(
                container.supervision,
                time_source=clock,
                deductions_per_wave=options.deductions_per_wave,
                seed=options.seed,
                start=start,
                spacing=SPACING,
                wave=250,
                backlog=options.backlog,
            )
            readers: Readers | None = None
            for stage, events in (("small", options.small_events), ("large", options.large_events)):
                say(f"{stage}: filling to {events:,} events")
                before = fill.head()
                started = time.perf_counter()
                head = fill.until(events)
                filled = time.perf_counter() - started
                say(f"{stage}: {head:,} events in {filled:.0f} s; projecting")
                read_side = bring_up_read_side(container, url, options)
                if readers is None:
                    readers = readers_of(container, url, options)
                say(f"{stage}: measuring")
                stages[stage] = {
                    "events": head,
                    **open_counts(url, list(readers.desks)),
                    "fill_s": round(filled, 1),
                    "fill_events_per_second": round((head - before) / filled),
                    **read_side,
                    "measured": machine(),
                    **measure(url, keys, options, readers),
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
        for kind in (*CURRENT_KINDS, *AS_OF_KINDS)
        for figure in ("p50", "p99")
    }
    growth = [ratios[f"{kind}_{figure}"] for kind in GROWTH_KINDS for figure in ("p50", "p99")]
    as_of_p99 = {kind: stages["large"][kind]["p99_ms"] for kind in AS_OF_KINDS}
    print_result(
        "growth",
        context,
        options,
        simulated_days={
            "from": start.date().isoformat(),
            "to": fill.at(fill.registered).date().isoformat(),
        },
        small=stages["small"],
        large=stages["large"],
        ratios_large_over_small=ratios,
        targets={
            "ratio_at_most": TARGET_RATIO,
            "ratio_of": list(GROWTH_KINDS),
            "met": all(ratio <= TARGET_RATIO for ratio in growth),
            "as_of_p99_below_ms_at_large": TARGET_AS_OF_P99_MS,
            "as_of_met": all(p99 < TARGET_AS_OF_P99_MS for p99 in as_of_p99.values()),
        },
    )


if __name__ == "__main__":
    main()
