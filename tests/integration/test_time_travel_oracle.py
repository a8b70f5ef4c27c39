"""The oracle of time travel (§14): at instants drawn over a demo campaign's store, every as-of
read equals the same read of the projections replayed, into a scratch schema, from only the
events recorded by that instant.

The as-of side reads the row versions the live projections kept (schema `as_of`'s views); the
replayed side reads tables no version ever touched, projected afresh up to the instant's
position. The replayed schema holds every read table of the read side and the reads on it see
nothing else (its search_path is that schema alone), so a table read as of an instant without
its past kept shows as a difference rather than agreeing with itself.

Answers are compared whole, `position` and `caught_up` included: both sides stand exactly at
the instant's position. The position itself is checked against the event store's own event
times, not the audit feed record time reads.
"""

from __future__ import annotations

import bisect
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from application.projections import Projection
from application.queries import CaseFilter, CaseQueries, Past
from application.scores import ScoreQueries
from application.surveys import SurveyQueries
from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ, WorkingCalendar, office_midnight
from domain.case import CaseNotFound
from domain.notice import NoticeKind, NoticeSubjectType
from infrastructure.case_queries import CaseQueriesOnPostgres
from infrastructure.notification_log import LogReader, events_table_of
from infrastructure.projection_runner import REBUILD_BATCH_SIZE, ProjectionRunner
from infrastructure.score_queries import ScoreQueriesOnPostgres
from infrastructure.sql_pool import SqlPool
from infrastructure.survey_queries import SurveyQueriesOnPostgres
from interfaces.bootstrap import Container
from simulation.time_source import SimulatedTimeSource, campaign_start
from simulation.world import INSPECTORS, OPERATORS
from tests.integration.campaign_store import CAMPAIGN_END, campaign_store, catch_up
from tests.integration.read_side import head

pytestmark = pytest.mark.slow

SEED = 16
DRAWN_INSTANTS = 50
# Six weeks at a fifth of the demo's volume: a few thousand events, every read table written.
CAMPAIGN_DAYS = 42
CAMPAIGN_SCALE = 0.2
SCRATCH = "replayed"
CASES_PER_INSTANT = 8
CASE_TOPICS = "oversight:Case."
# What a case's page and the case list both show of it.
CASE_PAGE_COLUMNS = (
    "tracking_number",
    "kind",
    "channel",
    "status",
    "department",
    "assigned_department",
    "urgent",
    "summary",
    "satisfaction",
    "registered_at",
)
OPERATOR = OPERATORS[0]
INSPECTOR = INSPECTORS[0]


@dataclass(frozen=True)
class Reads:
    """The queries the oracle asks, over one pool: the past's, or the replayed schema's."""

    cases: CaseQueries
    scores: ScoreQueries
    surveys: SurveyQueries


@dataclass(frozen=True)
class Read:
    """One read asked of both sides: what to call it in a failure, and how to ask it."""

    name: str
    ask: Callable[[Reads], Awaitable[Any]]


async def test_every_read_as_of_an_instant_equals_the_projections_replayed_up_to_it(
    database_url: str,
) -> None:
    started = time.perf_counter()
    store = campaign_store(database_url, days=CAMPAIGN_DAYS, scale=CAMPAIGN_SCALE, seed=SEED)
    with store as (container, time_source):
        the_week_after(container, time_source)
        catch_up(container)
        events = head(container)
        instants = instants_to_ask(database_url)
        await container.reads.open()
        try:
            differences, compared = await compare_at(container, instants)
        finally:
            await container.reads.close()
    seconds = time.perf_counter() - started
    print(  # the oracle's figures, for the record (pytest -s shows them)
        f"\noracle: {events} events, {len(instants)} instants, {compared} reads compared, "
        f"{seconds:.1f} s"
    )

    assert differences == []
    assert compared > 50 * len(instants)  # every instant was asked every read


# The store ------------------------------------------------------------------------------------


def the_week_after(container: Container, time_source: SimulatedTimeSource) -> None:
    """What the campaign does not play, in the week after it: appeals granted (revoking
    their deductions) and upheld, reminders by hand on cases and orders, a case reassigned
    while it waits to be acknowledged, and a published notice."""
    supervision = container.supervision
    moments = (
        office_midnight(date(2026, 11, 30)) + timedelta(hours=9, minutes=37 * n) for n in range(99)
    )
    with psycopg.connect(container.database_url) as connection:
        deductions = connection.execute(
            "SELECT deduction_id, min(department) FROM deductions WHERE NOT revoked"
            " GROUP BY deduction_id ORDER BY max(recorded_position) DESC LIMIT 12"
        ).fetchall()
        open_cases = connection.execute(
            "SELECT id, assigned_department, status FROM case_list"
            " WHERE status IN ('assigned', 'in_progress') ORDER BY registered_position LIMIT 8"
        ).fetchall()
        open_orders = connection.execute(
            "SELECT id FROM order_list WHERE status IN ('issued', 'in_progress')"
            " ORDER BY issued_position LIMIT 2"
        ).fetchall()
    appeals = []
    for deduction_id, department in deductions:
        desk = Actor(f"desk-{department}", Role.DEPARTMENT, department=department)
        if len(appeals) < 3 and supervision.appealable_until(deduction_id, desk) is not None:
            time_source.advance_to(next(moments))
            appeals.append(
                supervision.appeal_deduction(
                    deduction_id, reasons="当日系统故障，非工作人员过错", evidence=None, by=desk
                ).id
            )
    assert len(appeals) == 3, "the campaign's last week gave fewer appealable deductions"
    for case_id, _, _ in open_cases[:4]:
        time_source.advance_to(next(moments))
        supervision.remind_case(case_id, message="请尽快办理", by=OPERATOR)
    for (order_id,) in open_orders:
        time_source.advance_to(next(moments))
        supervision.remind_order(order_id, message="请按期整改", by=INSPECTOR)
    waiting = [
        (case_id, held_by) for case_id, held_by, status in open_cases if status == "assigned"
    ]
    departments = [department.id for department in supervision.list_departments()]
    for case_id, held_by in waiting[:1]:
        time_source.advance_to(next(moments))
        elsewhere = next(department for department in departments if department != held_by)
        supervision.assign_case(
            case_id, department=elsewhere, urgent=None, final=True, note="改派", by=OPERATOR
        )
    time_source.advance_to(next(moments))
    supervision.publish_notice(
        title="关于窗口服务问题的通报",
        text="经查，该部门窗口多次超时未签收，予以通报批评。",
        kind=NoticeKind.CRITICISM,
        subject_type=NoticeSubjectType.DEPARTMENT,
        subject_id=departments[0],
        by=INSPECTOR,
    )
    for decide, appeal_id in zip(
        (supervision.grant_appeal, supervision.uphold_appeal, supervision.grant_appeal),
        appeals,
        strict=True,
    ):
        time_source.advance_to(next(moments))
        decide(appeal_id, reason="经复核", by=INSPECTOR)


def instants_to_ask(database_url: str) -> list[datetime]:
    """Instants drawn between just before the first event and the last, and the edges: before
    the first event, and exactly the time of the first, of a few drawn events, and of the
    last."""
    with psycopg.connect(database_url) as connection:
        times = [
            at for (at,) in connection.execute("SELECT at FROM audit_events ORDER BY position")
        ]
    first, last = min(times), max(times)
    draw = random.Random(SEED)
    span = (last - first).total_seconds() + 3600
    drawn = [
        first - timedelta(hours=1) + timedelta(seconds=draw.uniform(0, span))
        for _ in range(DRAWN_INSTANTS)
    ]
    exact = [first, *draw.sample(times, 5), last]
    return sorted([first - timedelta(days=1), *drawn, *exact])


# The comparison --------------------------------------------------------------------------------


async def compare_at(container: Container, instants: list[datetime]) -> tuple[list[str], int]:
    """At each instant, where record time puts it in the log, every read through the past and
    through the replayed schema, and a few cases as they stood; the differences found (each
    named with its instant and read), and how many reads compared."""
    differences: list[str] = []
    compared = 0
    log = StoredLog.of(container)
    draw = random.Random(SEED)
    with replayed_schema(container) as replayed:
        pool = SqlPool(replayed.read_url)
        try:
            on_replayed = Reads(
                CaseQueriesOnPostgres(pool),
                ScoreQueriesOnPostgres(pool),
                SurveyQueriesOnPostgres(pool),
            )
            for instant in instants:
                past = await container.record_time.past(instant)
                if (past.instant, past.position) != (instant, log.recorded_by(instant)):
                    differences.append(
                        f"record time of {instant.isoformat()}: {past}, while the log had"
                        f" reached position {log.recorded_by(instant)}"
                    )
                replayed.replay_up_to(past.position)
                then = Reads(
                    container.queries.as_of(past.position),
                    container.scores.as_of(past.position),
                    container.surveys.as_of(past.position),
                )
                for read in reads_of(container, instant, past.position):
                    compared += 1
                    as_of, replayed_answer = await read.ask(then), await read.ask(on_replayed)
                    if as_of != replayed_answer:
                        differences.append(
                            f"{read.name} as of {instant.isoformat()} (position {past.position}):"
                            f"\n  as of:    {as_of!r}\n  replayed: {replayed_answer!r}"
                        )
                for case_id in log.cases_to_ask(past.position, draw):
                    compared += 1
                    differences += await case_differences(container, log, pool, case_id, past)
        finally:
            await pool.close()
    return differences, compared


@dataclass(frozen=True)
class StoredLog:
    """The event store's own record, read apart from the audit feed the past is found by:
    each position with the latest event time up to it, and each case's versions by position."""

    positions: list[int]
    latest: list[datetime]
    cases: dict[UUID, list[tuple[int, int]]]  # each case's (position, version), in order

    @classmethod
    def of(cls, container: Container) -> StoredLog:
        supervision = container.supervision
        log = cls([], [], {})
        after = 0
        while page := supervision.recorder.select_notifications(
            after, 500, inclusive_of_start=False
        ):
            for notification in page:
                at = supervision.mapper.to_domain_event(notification).timestamp
                log.positions.append(notification.id)
                log.latest.append(max(at, log.latest[-1]) if log.latest else at)
                if notification.topic.startswith(CASE_TOPICS):
                    log.cases.setdefault(notification.originator_id, []).append(
                        (notification.id, notification.originator_version)
                    )
            after = page[-1].id
        return log

    def recorded_by(self, instant: datetime) -> int:
        """The position of the last event recorded by `instant` (0: none yet)."""
        reached = bisect.bisect_right(self.latest, instant)
        return self.positions[reached - 1] if reached else 0

    def case_version_at(self, case_id: UUID, position: int) -> int | None:
        """The version the case had at `position` (None: not registered yet)."""
        versions = [version for at, version in self.cases[case_id] if at <= position]
        return versions[-1] if versions else None

    def cases_to_ask(self, position: int, draw: random.Random) -> list[UUID]:
        """A few cases drawn at random, and the cases registered last before and first after
        `position`."""
        by_registration = sorted(self.cases, key=lambda case_id: self.cases[case_id][0][0])
        registered = bisect.bisect_right(
            [self.cases[case_id][0][0] for case_id in by_registration], position
        )
        edges = by_registration[max(registered - 1, 0) : registered + 1]
        return list(dict.fromkeys([*draw.sample(by_registration, CASES_PER_INSTANT), *edges]))


async def case_differences(
    container: Container, log: StoredLog, replayed: SqlPool, case_id: UUID, past: Past
) -> list[str]:
    """How the case read as of `past` (GET /cases/{id}) differs from the event store and the
    replayed case list: the version it was loaded at, and what both show of it."""
    version = await container.read_side_history.version_at(case_id, past.position)
    if version != log.case_version_at(case_id, past.position):
        return [
            f"case {case_id} at position {past.position}: version {version}, while the event"
            f" store's is {log.case_version_at(case_id, past.position)}"
        ]
    try:
        view = container.supervision.get_case_as_of(case_id, INSPECTOR, version)
    except CaseNotFound:
        shown = None
    else:
        shown = {column: getattr(view, column) for column in CASE_PAGE_COLUMNS}
    row = await replayed.fetchrow(
        f"SELECT {', '.join(CASE_PAGE_COLUMNS)} FROM case_list WHERE id = $1",
        case_id,
    )
    listed = dict(row) if row is not None else None
    if shown == listed:
        return []
    return [f"case {case_id} at position {past.position}:\n  page: {shown}\n  list: {listed}"]


@dataclass(frozen=True)
class ReplayedSchema:
    """Schema `replayed`: an empty copy of every read table and of projection_tracking, and
    the read side's projections to replay into it."""

    container: Container
    projections: list[Projection]
    reader: LogReader  # decodes each event once for every projection and instant

    @property
    def write_url(self) -> str:
        """Where a runner writes: the schema's tables, the event store still on the path."""
        return make_conninfo(self.container.database_url, options=f"-csearch_path={SCRATCH},public")

    @property
    def read_url(self) -> str:
        """Where the reads read: the schema alone on their path, so they see nothing else."""
        return make_conninfo(self.container.database_url, options=f"-csearch_path={SCRATCH}")

    def tables(self) -> list[str]:
        return [*(projection.table for projection in self.projections), "projection_tracking"]

    def replay_up_to(self, position: int) -> None:
        """Empty the tables and project the log into them up to `position`, each runner
        writing its own table and no history, as a rebuild replays from the start.

        The projections are used again at every instant: they keep nothing between events
        but the calendar's arithmetic."""
        with psycopg.connect(self.write_url, autocommit=True) as connection:
            connection.execute(
                sql.SQL("TRUNCATE {}").format(
                    sql.SQL(", ").join(sql.Identifier(SCRATCH, table) for table in self.tables())
                )
            )
        for projection in self.projections:
            with ProjectionRunner(
                self.write_url,
                self.container.supervision,
                projection,
                table=projection.table,  # a table named: the runner writes no history
                batch_size=REBUILD_BATCH_SIZE,
            ) as runner:
                runner.read_from(self.reader)
                runner.run_until_caught_up(stop=position)


@contextmanager
def replayed_schema(container: Container) -> Iterator[ReplayedSchema]:
    """Schema `replayed` made for the block, dropped afterwards."""
    supervision = container.supervision
    projections, _ = container.read_side()
    # The whole log, kept: it does not grow while the oracle asks.
    reader = LogReader(events_table_of(supervision), supervision.mapper, window=head(container))
    replayed = ReplayedSchema(container, projections, reader)
    with psycopg.connect(container.database_url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCRATCH)))
        for table in replayed.tables():
            connection.execute(
                sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(
                    sql.Identifier(SCRATCH, table), sql.Identifier("public", table)
                )
            )
    try:
        yield replayed
    finally:
        with psycopg.connect(container.database_url, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCRATCH)))


@dataclass(frozen=True)
class Asked:
    """What the reads at one instant are asked with, as the API asks the past: after the
    instant's position, with time left and overdue flags worked out at the instant, for the
    directory's departments and windows as they are today."""

    instant: datetime
    position: int
    calendar: WorkingCalendar
    departments: list[str]
    superiors: list[str]
    windows: list[tuple[str, str]]

    @property
    def day(self) -> date:
        return self.instant.astimezone(OFFICE_TZ).date()

    @property
    def months(self) -> list[date]:
        """The first days of the instant's month and of the month before."""
        first = self.day.replace(day=1)
        return [first, (first - timedelta(days=1)).replace(day=1)]

    @property
    def busiest(self) -> str:
        return self.departments[0]  # the campaign sends the first departments most work


def reads_of(container: Container, instant: datetime, position: int) -> list[Read]:
    """Every as-of read the issue lists (and the dashboard's counts), at one instant."""
    supervision = container.supervision
    departments = supervision.list_departments()
    asked = Asked(
        instant,
        position,
        supervision.calendar,
        [department.id for department in departments],
        sorted({d.superior for d in departments if d.superior is not None}),
        [(window.id, window.department) for window in supervision.list_windows()],
    )
    return [*case_reads(asked), *metric_reads(asked), *score_reads(asked)]


def case_reads(asked: Asked) -> list[Read]:
    """The case list under a few filters and roles, every board, the escalated work."""
    now, after, calendar, day = asked.instant, asked.position, asked.calendar, asked.day

    def listed(criteria: CaseFilter, role: Role, department: str | None = None) -> Read:
        return Read(
            f"list_cases({criteria}, {role.value}, {department})",
            lambda q: q.cases.list_cases(
                criteria,
                role=role,
                visible_to_department=department,
                limit=10_000,
                cursor=None,
                now=now,
                after=after,
            ),
        )

    return [
        listed(CaseFilter(), Role.OPERATOR),
        listed(CaseFilter(), Role.DEPARTMENT, asked.busiest),
        listed(CaseFilter(overdue=True), Role.INSPECTOR),
        listed(CaseFilter(status="in_progress", urgent=False), Role.INSPECTOR),
        listed(CaseFilter(extension_requested=True), Role.INSPECTOR),
        listed(CaseFilter(text="窗口"), Role.DEPARTMENT, asked.busiest),
        listed(CaseFilter(registered_from=day - timedelta(days=7), due_to=day), Role.OPERATOR),
        *(
            Read(
                f"board({department})",
                lambda q, d=department: q.cases.board(
                    d, role=Role.DEPARTMENT, now=now, calendar=calendar, after=after
                ),
            )
            for department in asked.departments
        ),
        *(
            Read(
                f"escalated_work({superior})",
                lambda q, s=superior: q.cases.escalated_work(
                    s, role=Role.INSPECTOR, now=now, calendar=calendar, after=after
                ),
            )
            for superior in [None, *asked.superiors]
        ),
    ]


def metric_reads(asked: Asked) -> list[Read]:
    """The department and window metrics, case counts and survey satisfaction of the
    instant's month, the month before and the whole campaign; overdue cases a day over the
    week up to the instant."""
    periods = [
        *(
            (office_midnight(m), office_midnight((m + timedelta(days=32)).replace(day=1)))
            for m in asked.months
        ),
        (campaign_start(CAMPAIGN_END, CAMPAIGN_DAYS), CAMPAIGN_END + timedelta(days=7)),
    ]
    day_ends = [
        (asked.day - timedelta(days=n), office_midnight(asked.day - timedelta(days=n - 1)))
        for n in range(7)
    ]
    reads = [Read("overdue_per_day", lambda q: q.cases.overdue_per_day(day_ends))]
    for start, end in periods:
        reads += [
            Read(
                f"department_metrics({start:%F}, {end:%F})",
                lambda q, s=start, e=end: q.cases.department_metrics(
                    asked.departments, start=s, end=e, now=asked.instant
                ),
            ),
            Read(
                f"window_metrics({start:%F}, {end:%F})",
                lambda q, s=start, e=end: q.cases.window_metrics(asked.windows, start=s, end=e),
            ),
            Read(
                f"case_counts({start:%F}, {end:%F})",
                lambda q, s=start, e=end: q.cases.case_counts(start=s, end=e),
            ),
            Read(
                f"satisfaction({start:%F}, {end:%F})",
                lambda q, s=start, e=end: q.surveys.satisfaction(s.date(), e.date()),
            ),
        ]
    return reads


def score_reads(asked: Asked) -> list[Read]:
    """Scores, red lists and monthly reports (with and without revoked deductions) of the
    instant's month and the month before; blue lists of the week up to the instant."""
    after, busiest = asked.position, asked.busiest
    reads = [
        Read(
            f"blue_list({day})",
            lambda q, d=day: q.scores.blue_list(d, department=None, after=after),
        )
        for day in (asked.day - timedelta(days=n) for n in range(8))
    ]
    for month in (f"{m:%Y-%m}" for m in asked.months):
        reads += [
            Read(
                f"scores({month})",
                lambda q, m=month: q.scores.scores(m, subject=None, department=None, after=after),
            ),
            Read(
                f"scores({month}, staff, {busiest})",
                lambda q, m=month: q.scores.scores(
                    m, subject="staff", department=busiest, after=after
                ),
            ),
            Read(f"red_list({month})", lambda q, m=month: q.scores.red_list(m, after=after)),
            Read(
                f"red_list({month}, {busiest})",
                lambda q, m=month: q.scores.red_list(m, after=after, department=busiest),
            ),
            *(
                Read(
                    f"monthly_report({month}, {department}, with_revoked={revoked})",
                    lambda q, m=month, d=department, r=revoked: q.scores.monthly_report(
                        m, department=d, after=after, with_revoked=r
                    ),
                )
                for department in (None, busiest)
                for revoked in (False, True)
            ),
        ]
    return reads
