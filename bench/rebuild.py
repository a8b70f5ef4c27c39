"""How fast `oversight projections rebuild` replays a store: fill a fresh database, time it.

    /work/venv/bin/python bench/rebuild.py --events 20000

Creates `oversight_bench_<random>` on the server (default: the local one), records cases
through the domain's verbs, saving many aggregates per `supervision.save(...)`, then times the
rebuild (and, for comparison, the worker's incremental catch-up), and drops the database.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timedelta
from uuid import uuid4

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from domain.case import Case, Channel, Kind, Outcome, Satisfaction
from domain.tracking import tracking_number
from infrastructure.directory_file import sample_directory
from infrastructure.eventstore import initialise_schema
from infrastructure.settings import Settings
from interfaces.bootstrap import Container, bootstrap

SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
OPERATOR = Actor("bench-operator", Role.OPERATOR)
ADMIN = Actor("bench-admin", Role.ADMIN)
DEPARTMENTS = ("real-estate-registration", "taxation", "medical-insurance", "public-security")
KINDS = (Kind.COMPLAINT, Kind.REQUEST, Kind.CONSULTATION, Kind.SUGGESTION, Kind.REPORT)
CASES_PER_SAVE = 100
WAVE = 500
STEPS = 5
START = datetime(2026, 3, 2, 9, 0, tzinfo=OFFICE_TZ)


class BenchClock:
    """A clock that stands still; the bench sets event times itself."""

    def __init__(self, now: datetime) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment


def registered_and_assigned(container: Container, n: int, access_code_hash: str) -> Case:
    """The n-th case, registered and handed to a department."""
    at = START + timedelta(minutes=7 * n)
    department = DEPARTMENTS[n % len(DEPARTMENTS)]
    case = Case.register(
        case_id=uuid4(),
        tracking_number=tracking_number(Channel.HOTLINE.value, at.date(), n + 1),
        access_code_hash=access_code_hash,
        kind=KINDS[n % len(KINDS)],
        channel=Channel.HOTLINE,
        department=department,
        window=None,
        staff=None,
        category=None,
        urgent=n % 17 == 0,
        summary=f"测试诉求 {n}",
        details="",
        complainant={"name": "测试", "phone": "13800000000"},
        by=OPERATOR,
        at=at,
    )
    case.assign(
        department=department,
        urgent=None,
        final=False,
        note=None,
        policy=container.supervision.policy,
        calendar=container.calendar,
        by=OPERATOR,
        at=at + timedelta(minutes=5),
    )
    return case


def clerk_of(case: Case) -> Actor:
    return Actor(f"clerk-{case.department}", Role.DEPARTMENT, department=case.department)


def take_step(case: Case, n: int, step: int, at: datetime) -> None:
    """Step `step` of the n-th case's handling; one case in five waits, one stays in progress."""
    clerk = clerk_of(case)
    if n % 5 == 0 or (n % 5 == 1 and step > 0):
        return
    if step == 0:
        case.acknowledge(by=clerk, at=at)
    elif step == 1:
        case.add_note(text="已联系当事人", public=True, by=clerk, at=at)
    elif step == 2:
        case.post_result(
            outcome=Outcome.RESOLVED, actions="核实并处理", answer="已处理", by=clerk, at=at
        )
    elif step == 3:
        case.record_callback(
            reached=True, satisfaction=Satisfaction.SATISFIED, comment=None, by=OPERATOR, at=at
        )
    else:
        case.close(by=OPERATOR, at=at)


def fill(container: Container, events: int) -> int:
    """Record waves of cases until the store holds at least `events` events; answer the head.

    Each step is taken for a whole wave of cases before the next, so a case's events lie far
    apart in the log, as they do in service.
    """
    access_code_hash = container.supervision.secrets.hash_access_code("bench")
    n = 0
    head = container.supervision.recorder.max_notification_id() or 0
    while head < events:
        wave = [registered_and_assigned(container, n + i, access_code_hash) for i in range(WAVE)]
        _save(container, wave)
        for step in range(STEPS):
            for i, case in enumerate(wave):
                moment = START + timedelta(minutes=7 * (n + i), days=step + 1)
                take_step(case, n + i, step, moment)
            _save(container, wave)
        n += WAVE
        head = container.supervision.recorder.max_notification_id() or 0
    return head


def _save(container: Container, cases: list[Case]) -> None:
    for start in range(0, len(cases), CASES_PER_SAVE):
        container.supervision.save(*cases[start : start + CASES_PER_SAVE])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--server", default=SERVER, help="a maintenance database URL")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    options = parser.parse_args()

    name = f"oversight_bench_{uuid4().hex[:10]}"
    with psycopg.connect(options.server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = make_conninfo(**{**conninfo_to_dict(options.server), "dbname": name})
    try:
        initialise_schema(url)
        container = bootstrap(
            Settings(database_url=url, log_level="WARNING"),
            clock=BenchClock(START),
            initialise=False,
        )
        try:
            container.supervision.import_directory(sample_directory(), ADMIN)
            started = time.perf_counter()
            head = fill(container, options.events)
            print(f"filled {head} events in {time.perf_counter() - started:.1f} s")

            worker = container.worker()
            started = time.perf_counter()
            turn = worker.run_once()
            seconds = time.perf_counter() - started
            worker.close()
            print(
                f"incremental catch-up (batches of 500): {turn.notifications} events in "
                f"{seconds:.2f} s, {turn.notifications / seconds:,.0f} events/s"
            )

            report = container.rebuild_projections()
            print(
                f"rebuild: {report.notifications} events ({report.events} projected) in "
                f"{report.seconds:.2f} s, {report.notifications_per_second:,.0f} events/s"
            )
        finally:
            container.close()
    finally:
        if not options.keep:
            with psycopg.connect(options.server, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
