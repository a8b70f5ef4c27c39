"""The worker: keeps the read tables current and runs the deadline clock, one per database.

Any number of processes may start a worker; the one holding a PostgreSQL advisory lock is
active, the others wait as standbys and take over when it goes. Each turn of the active
worker runs the projections until caught up, runs the policies (a bad rating opens a case),
records the reminders and missed deadlines whose moment has come (`next_clock_at` in
case_list and order_list says which tasks to look at: cases and rectification orders run on
one clock), and, when a calendar year was published, recomputes every open provisional
deadline of either.

Each runner over the log (projections, policies, the audit feed, the ledger) runs on its
own: one that fails is recorded in runner_health (infrastructure/runner_health.py) and tried
again next turn, while the others and the clock go on. They share one reading of the log a
turn (`LogReader`): each notification is read and its event decoded once for all of them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import psycopg
import structlog
from psycopg import sql

from application.policies import Policy
from application.projections import Projection
from application.supervision import Supervision
from domain.appeal import AppealStatus
from domain.case import Status
from domain.errors import DomainError
from domain.rectification import OrderStatus
from infrastructure import metrics
from infrastructure.database_waits import DatabaseWaits
from infrastructure.notification_log import (
    DEFAULT_BATCH_SIZE,
    LazyConnection,
    LogReader,
    TrackedRunner,
    events_table_of,
)
from infrastructure.policy_runner import PolicyRunner
from infrastructure.projection_runner import CalendarCache, ProjectionRunner, calendar_version
from infrastructure.runner_health import STUCK_AFTER_ATTEMPTS, RunnerHealth, one_line_message

log = structlog.get_logger("oversight.worker")

# How long the worker lets a burst of saves gather after the first wakes it: a little lag
# for many fewer turns (each turn reads every runner's position and the clock).
BURST_SECONDS = 0.05

# How far one runner reads before the next has its go, in a turn that finds them far behind:
# so the turn's shared reader holds what they all read, each notification read and decoded
# once, and no more than two rounds of it.
ROUND_NOTIFICATIONS = 2_500

# Any fixed number shared by every process of the service: whoever holds it is the worker.
WORKER_LOCK_KEY = 0x0F_E2_51_69
CLOCK_PAGE = 200
OPEN_HANDLING_STATUSES = [Status.ASSIGNED.value, Status.IN_PROGRESS.value]
# Every read table of a task with a clock, and the statuses in which its deadlines bind.
TASK_TABLES = (
    ("case_list", OPEN_HANDLING_STATUSES),
    ("order_list", [OrderStatus.ISSUED.value, OrderStatus.IN_PROGRESS.value]),
    ("appeal_list", [AppealStatus.OPEN.value]),
)


def try_worker_lock(connection: psycopg.Connection[Any], key: int = WORKER_LOCK_KEY) -> bool:
    """Take the worker lock on this session if no one holds it; answer whether it did."""
    row = connection.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
    return bool(row and row[0])


def hold_worker_lock(database_url: str) -> Callable[[], None] | None:
    """Hold the worker lock on a connection of its own, so that any worker started meanwhile
    waits as a standby; answer what releases it, or None when a worker holds it already."""
    connection = psycopg.connect(database_url, autocommit=True)
    if not try_worker_lock(connection):
        connection.close()
        return None
    return connection.close


class LogRunner(Protocol):
    """A reader of the notification log that the worker runs each turn."""

    batch_size: int

    @property
    def name(self) -> str: ...

    def run_until_caught_up(self, *, should_stop: Callable[[], bool] | None = None) -> int: ...

    def position(self) -> int: ...

    def close(self) -> None: ...


class Companion(Protocol):
    """A thread of its own that runs while the worker leads (the outbox's sender)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class Turn:
    """What one turn of the worker did."""

    notifications: int
    cases_observed: int  # tasks: cases and rectification orders
    alarms_recorded: int
    deadlines_recomputed: int
    policy_records: int = 0
    cover_gaps_proposed: int = 0


class Worker:
    """Runs the read side and the system's own verbs for one database."""

    def __init__(
        self,
        *,
        database_url: str,
        supervision: Supervision,
        projections: Sequence[Projection],
        calendar: CalendarCache | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        poll_interval: float = 1.0,
        standby_interval: float = 2.0,
        clock_page: int = CLOCK_PAGE,
        lock_key: int = WORKER_LOCK_KEY,
        tasks: Sequence[Any] = (),
        policies: Sequence[Policy] = (),
        companions: Sequence[Companion] = (),
    ) -> None:
        self.database_url = database_url
        # Threads that run only while this worker leads (the outbox's sender): started on
        # taking the lock, stopped on leaving it.
        self.companions = list(companions)
        self.supervision = supervision
        self.calendar = calendar
        self.runners = [
            ProjectionRunner(database_url, supervision, projection, batch_size=batch_size)
            for projection in projections
        ]
        # Log readers beyond the projections (the audit feed, the ledger): each turn runs them
        # like a runner, `run_until_caught_up(should_stop=…)`, and closes them with the rest.
        self.runners += list(tasks)
        self.policy_runners = [
            PolicyRunner(database_url, supervision, policy, batch_size=batch_size)
            for policy in policies
        ]
        # One reading and decoding of the log per turn for every runner behind it (the
        # ledger reads the rows as stored, undecoded, on its own).
        self.reader = LogReader(
            events_table_of(supervision), supervision.mapper, window=2 * ROUND_NOTIFICATIONS
        )
        for runner in (*self.runners, *self.policy_runners):
            if isinstance(runner, TrackedRunner):
                runner.read_from(self.reader)
        self.poll_interval = poll_interval
        self.standby_interval = standby_interval
        self.clock_page = clock_page
        self.lock_key = lock_key
        self.channel = events_table_of(supervision)
        self.state = "stopped"
        self._connection = LazyConnection(database_url)
        self.health = RunnerHealth(self._connection)
        self._calendar_handled: int | None = None
        self._stop: threading.Event | None = None

    @property
    def active(self) -> bool:
        """Whether this worker holds the lock and does the work."""
        return self.state == "active"

    # Metrics (docs/operations.md, "Metrics"): whether this process leads, shown when it
    # takes or gives up the lead (a worker merely made, as a test's, says nothing).
    @property
    def state(self) -> str:
        return self._state

    @state.setter
    def state(self, state: str) -> None:
        was = getattr(self, "_state", None)
        self._state = state
        if was is not None and (was == "active") != (state == "active"):
            metrics.worker_leading(state == "active")

    # One turn ---------------------------------------------------------------

    def run_once(self) -> Turn:
        """Catch the projections and policies up, run the deadline clock and calendar
        recomputation once."""
        failed: set[str] = set()  # runners that failed this turn wait for the next one
        try:
            notifications, reacted = self._run_in_rounds(
                [self.runners, self.policy_runners], failed
            )
            if reacted:
                notifications += self._project(failed)
            observed, recorded = self._run_clock()
            metrics.clock_turned(self.supervision.time_source.now())
            recomputed = self._recompute_provisional_deadlines()
            gaps = self._run_cover_clock()
            if recorded or recomputed or gaps:
                notifications += self._project(failed)
        finally:
            self.reader.forget()  # the next turn reads what is stored then
        return Turn(notifications, observed, recorded, recomputed, reacted, gaps)

    def _project(self, failed: set[str]) -> int:
        (projected,) = self._run_in_rounds([self.runners], failed)
        return projected

    def _run_in_rounds(self, groups: Sequence[Sequence[LogRunner]], failed: set[str]) -> list[int]:
        """Run every group's runners until caught up, and answer what each group did.

        Runners far behind take turns of at most ROUND_NOTIFICATIONS each, every group's in
        each round (the projections, then the policies), so that they all read the same
        stretch of the log one after another, while the shared reader still holds it."""
        done = [0] * len(groups)
        behind = [list(group) for group in groups]
        while any(behind) and not (self._stop is not None and self._stop.is_set()):
            for index, runners in enumerate(behind):
                unfinished = []
                for runner in runners:
                    quota = _RoundQuota(runner.batch_size, self._stop)
                    done[index] += self._run(runner, failed, quota)
                    if quota.reached:
                        unfinished.append(runner)
                behind[index] = unfinished
        return done

    def _run(self, runner: LogRunner, failed: set[str], quota: _RoundQuota) -> int:
        """Run one runner; if it fails, record it and let the others and the clock go on."""
        if runner.name in failed:
            return 0
        try:
            done = _catch_up(runner, quota)
        except Exception as error:
            # Its position stays before what failed, so the next turn tries it again.
            failed.add(runner.name)
            self._record_failure(runner, error)
            return 0
        try:
            if self.health.recovered(runner.name):
                log.info("runner_recovered", runner=runner.name)
        except psycopg.Error as unrecorded:  # cleared next turn; the turn goes on
            log.warning(
                "runner_recovery_unrecorded",
                runner=runner.name,
                error_type=type(unrecorded).__name__,
            )
        return done

    def _record_failure(self, runner: LogRunner, error: Exception) -> None:
        """Log the failure (with its traceback when it first happens at a position, and when
        it turns out stuck) and record it in runner_health for every process to see."""
        metrics.runner_failed(runner.name)
        try:
            failure = self.health.failed(runner.name, runner.position(), error)
        except Exception as unrecorded:  # the database itself fails: the log has to do
            log.warning(
                "runner_failed",
                runner=runner.name,
                error_type=type(error).__name__,
                message=one_line_message(error),
                unrecorded=type(unrecorded).__name__,
            )
            return
        fields = {
            "runner": failure.name,
            "position": failure.position,
            "attempts": failure.attempts,
            "error_type": failure.error_type,
            "message": failure.message,
        }
        if failure.attempts == 1:
            log.error("runner_failed", **fields, exc_info=error)
        elif failure.attempts == STUCK_AFTER_ATTEMPTS:
            log.error("runner_stuck", **fields, exc_info=error)
        else:
            log.debug("runner_failed_again", **fields)

    def _run_clock(self) -> tuple[int, int]:
        """Observe the clock of every task whose next alarm is due by the application's now."""
        now = self.supervision.time_source.now()
        observed = recorded = 0
        after: tuple[datetime, Any] | None = None
        while True:
            page = self._due_tasks(now, after)
            for task_id in (row[1] for row in page):
                observed += 1
                try:
                    recorded += self.supervision.observe_task_clock(task_id)
                except DomainError as error:
                    # ConcurrentChange included: someone acted on the task; next turn retries.
                    log.warning("clock_case_failed", case_id=str(task_id), error=error.code)
            if len(page) < self.clock_page:
                break
            after = page[-1]
        if recorded:
            log.info("clock_alarms_recorded", cases=observed, alarms=recorded)
        return observed, recorded

    def _run_cover_clock(self) -> int:
        """Propose the cover gaps (AB岗, §16) whose first moment has come: each window whose
        `next_gap_at` in post_cover_list is due (the aggregate proposes each day once)."""
        now = self.supervision.time_source.now()
        rows = self.connection().execute(
            "SELECT window_id FROM post_cover_list WHERE next_gap_at <= %s"
            " ORDER BY next_gap_at, id LIMIT %s",
            (now, self.clock_page),
        )
        proposed = 0
        for (window,) in rows.fetchall():
            try:
                proposed += self.supervision.observe_post_cover(window)
            except DomainError as error:  # ConcurrentChange included: next turn retries
                log.warning("cover_clock_failed", window=window, error=error.code)
        if proposed:
            log.info("cover_gaps_proposed", gaps=proposed)
        return proposed

    def _due_tasks(self, now: datetime, after: tuple[datetime, Any] | None) -> list[Any]:
        # Keyset pages over (next_clock_at, id) across every task table: a task the clock
        # could not settle this turn is not looked at twice, so a full page of stubborn tasks
        # cannot spin. Ids are UUIDs, unique across the tables.
        branch = sql.SQL("SELECT next_clock_at, id FROM {table} WHERE next_clock_at <= %s {after}")
        after_clause = sql.SQL("AND (next_clock_at, id) > (%s, %s)" if after else "")
        query = sql.SQL("{branches} ORDER BY next_clock_at, id LIMIT %s").format(
            branches=sql.SQL(" UNION ALL ").join(
                branch.format(table=sql.Identifier(table), after=after_clause)
                for table, _ in TASK_TABLES
            )
        )
        params: list[Any] = [now, *(after or ())] * len(TASK_TABLES) + [self.clock_page]
        return self.connection().execute(query, params).fetchall()

    def _recompute_provisional_deadlines(self) -> int:
        """Once at start and after each published year, recompute open provisional deadlines."""
        version = calendar_version(self.supervision)
        if version == self._calendar_handled:
            return 0
        if self.calendar is not None:
            self.calendar.invalidate()
        query = sql.SQL(" UNION ALL ").join(
            sql.SQL("SELECT id FROM {} WHERE provisional AND status = ANY(%s)").format(
                sql.Identifier(table)
            )
            for table, _ in TASK_TABLES
        )
        rows = self.connection().execute(
            sql.SQL("{} ORDER BY id").format(query), [statuses for _, statuses in TASK_TABLES]
        )
        recomputed = failed = 0
        for (task_id,) in rows.fetchall():
            try:
                recomputed += self.supervision.recompute_task_deadlines(task_id)
            except DomainError as error:
                failed += 1
                log.warning("deadline_recompute_failed", case_id=str(task_id), error=error.code)
        if not failed:
            self._calendar_handled = version
        log.info("provisional_deadlines_checked", calendar_version=version, recomputed=recomputed)
        return recomputed

    def connection(self) -> psycopg.Connection[Any]:
        """The worker's query connection (autocommit)."""
        return self._connection()

    # Forever -------------------------------------------------------------------

    def run_forever(self, stop_event: threading.Event) -> None:
        """Take the worker lock (or wait as standby), then work until `stop_event` is set."""
        self._stop = stop_event
        try:
            while not stop_event.is_set():
                try:
                    self._lead_or_wait(stop_event)
                except psycopg.OperationalError as error:
                    log.warning("worker_connection_lost", error=type(error).__name__)
                except Exception:
                    # The lock went with the connection; contend for it again after a pause
                    # rather than leave this process without a worker.
                    log.exception("worker_failed")
                else:
                    continue
                self.state = "stopped"
                self.close()
                stop_event.wait(self.standby_interval)
        finally:
            self.state = "stopped"
            self._stop = None
            self.close()
            log.info("worker_stopped")

    def _lead_or_wait(self, stop_event: threading.Event) -> None:
        # Keepalives: a leader cut off from the server must notice, for the server drops its
        # session and lock, and a standby takes over.
        waits = DatabaseWaits().parameters(self.database_url)
        with psycopg.connect(self.database_url, autocommit=True, **waits) as leader:
            while not stop_event.is_set():
                if try_worker_lock(leader, self.lock_key):
                    break
                if self.state != "standby":
                    log.info("worker_standby", retry_seconds=self.standby_interval)
                self.state = "standby"
                stop_event.wait(self.standby_interval)
            else:
                return
            self.state = "active"
            log.info("worker_active")
            self.health.take_over([runner.name for runner in (*self.runners, *self.policy_runners)])
            _warn_if_autovacuum_is_off(leader)
            # The event store NOTIFYs this channel on every save: it wakes the worker at once.
            leader.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            for companion in self.companions:
                companion.start()
            try:
                self._work(leader, stop_event)
            finally:
                for companion in self.companions:
                    companion.stop()
            # Closing the connection releases the lock, so a standby takes over.

    def _work(self, leader: psycopg.Connection[Any], stop_event: threading.Event) -> None:
        while not stop_event.is_set():
            try:
                self.run_once()
            except Exception:
                # Retried next turn; the runners reconnect by themselves. Losing the leader
                # connection (and with it the lock) surfaces from notifies() below.
                log.exception("worker_turn_failed")
            wait_for_saves(leader, stop_event, self.poll_interval)

    def close(self) -> None:
        """Close the worker's connections."""
        for runner in self.runners:
            runner.close()
        for policy_runner in self.policy_runners:
            policy_runner.close()
        self._connection.close()


def wait_for_saves(
    leader: psycopg.Connection[Any], stop_event: threading.Event, timeout: float
) -> None:
    """Wait up to `timeout` for the event store's NOTIFY of a save; then let its burst land
    for BURST_SECONDS, once, and drop the notifications the next turn covers anyway."""
    # psycopg yields every notification of the packet it read, stop_after or not: waiting
    # once per notification slept BURST_SECONDS per save, and the more saves a turn let pile
    # up the longer the next sleep, until the worker mostly slept while the read tables fell
    # behind (docs/benchmarks.md, projection_lag).
    notices = leader.notifies(timeout=timeout, stop_after=1)
    try:
        woken = next(notices, None) is not None
    finally:
        notices.close()
    if woken:
        stop_event.wait(BURST_SECONDS)
    for _ in leader.notifies(timeout=0):
        pass


class WorkerHandle:
    """A worker running on a background thread; `stop()` ends it and waits."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=worker.run_forever, args=(self._stop,), name="oversight-worker", daemon=True
        )

    def start(self) -> WorkerHandle:
        self._thread.start()
        return self

    @property
    def active(self) -> bool:
        return self.worker.active

    @property
    def state(self) -> str:
        return self.worker.state

    def request_stop(self) -> None:
        """Ask the worker to end after its turn (safe from a signal handler)."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the worker to end; answer whether it has."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the worker to finish its turn, release the lock and end; wait for it."""
        self.request_stop()
        if self._thread.is_alive():
            self._thread.join(timeout)


class _RoundQuota:
    """A runner's `should_stop` for one round: stop when the worker stops, or once its full
    batches have read ROUND_NOTIFICATIONS (then `reached` says it may not be caught up)."""

    def __init__(self, batch_size: int, stop: threading.Event | None) -> None:
        self.batches_left = max(1, ROUND_NOTIFICATIONS // batch_size)
        self.stop = stop
        self.reached = False

    def stopping(self) -> bool:
        """Whether the worker is stopping."""
        return self.stop is not None and self.stop.is_set()

    def __call__(self) -> bool:
        if self.stopping():
            return True
        self.batches_left -= 1
        self.reached = self.batches_left <= 0
        return self.reached


def _catch_up(runner: LogRunner, quota: _RoundQuota) -> int:
    try:
        return runner.run_until_caught_up(should_stop=quota)
    except Exception:
        if runner.batch_size == 1:
            raise
    # Outside the handler: what fails then is reported as itself, not as a sequel.
    done = _one_at_a_time(runner, quota.stopping)
    # The batch passed one notification at a time (its failure was passing: a dropped
    # connection, a lock): catch up in batches again, as the clock reads the tables next.
    return done + runner.run_until_caught_up(should_stop=quota)


def _one_at_a_time(runner: LogRunner, stopping: Callable[[], bool]) -> int:
    """After a failed batch, go on one notification a transaction, as far as that batch
    reached (the ledger's batches are larger: at most a projection's): what comes before the
    notification that fails is kept, and the runner's position is just before it. Raises
    what that notification raises."""
    size, steps = runner.batch_size, 0
    reach = min(size, DEFAULT_BATCH_SIZE)

    def far_enough() -> bool:
        nonlocal steps
        steps += 1
        return steps >= reach or stopping()

    runner.batch_size = 1
    try:
        return runner.run_until_caught_up(should_stop=far_enough)
    finally:
        runner.batch_size = size


def _warn_if_autovacuum_is_off(connection: psycopg.Connection[Any]) -> None:
    """Every step of a case rewrites its read row; without autovacuum the dead versions pile
    up in the board indexes and boards slow down as the store ages (migration 0012)."""
    row = connection.execute("SHOW autovacuum").fetchone()
    if row and row[0] != "on":
        log.warning(
            "autovacuum_off", advice="turn autovacuum on, or VACUUM case_list, order_list nightly"
        )
