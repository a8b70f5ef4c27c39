"""How fast `oversight audit verify` checks a store: fill a fresh database, time it.

    /work/venv/bin/python bench/verify.py --events 100000

Creates `oversight_bench_<random>` on the server (default: the local one), records cases
and their notes straight through the domain (many aggregates per save), brings the ledger up
to date and signs a checkpoint, then times a full verification and prints events per
second, and drops the database.
"""

from __future__ import annotations

import argparse
import base64
import os
import time
from datetime import datetime, timedelta
from uuid import uuid4

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ
from domain.case import Case, Channel, Kind
from domain.tracking import tracking_number
from infrastructure.eventstore import initialise_schema
from infrastructure.settings import Settings
from interfaces.bootstrap import Container, bootstrap

SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
OPERATOR = Actor("bench-operator", Role.OPERATOR)
START = datetime(2026, 3, 2, 9, 0, tzinfo=OFFICE_TZ)
CASES_PER_SAVE = 100
NOTES_PER_CASE = 19


class BenchClock:
    """A clock that stands still; the bench sets event times itself."""

    def __init__(self, now: datetime) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment


def fill(container: Container, events: int) -> int:
    """Record cases, each with notes, until the store holds `events` events; answer the head."""
    access_code_hash = container.supervision.secrets.hash_access_code("bench")
    head = container.supervision.recorder.max_notification_id() or 0
    n = 0
    while head < events:
        cases = []
        for _ in range(CASES_PER_SAVE):
            at = START + timedelta(minutes=n)
            case = Case.register(
                case_id=uuid4(),
                tracking_number=tracking_number(Channel.HOTLINE.value, at.date(), n + 1),
                access_code_hash=access_code_hash,
                kind=Kind.COMPLAINT,
                channel=Channel.HOTLINE,
                department="taxation",
                window=None,
                staff=None,
                category=None,
                urgent=False,
                summary=f"测试诉求 {n}",
                details="",
                complainant={"name": "测试", "phone": "13800000000"},
                by=OPERATOR,
                at=at,
            )
            for i in range(NOTES_PER_CASE):
                case.add_note(
                    text=f"第{i + 1}次跟进：已联系相关窗口核实情况",
                    public=i % 2 == 0,
                    by=OPERATOR,
                    at=at + timedelta(seconds=i + 1),
                )
            cases.append(case)
            n += 1
        container.supervision.save(*cases)
        head = container.supervision.recorder.max_notification_id() or 0
    return head


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--server", default=SERVER, help="a maintenance database URL")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    options = parser.parse_args()

    name = f"oversight_bench_{uuid4().hex[:10]}"
    with psycopg.connect(options.server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = make_conninfo(**{**conninfo_to_dict(options.server), "dbname": name})
    try:
        initialise_schema(url)
        settings = Settings(
            database_url=url,
            log_level="WARNING",
            signing_key=base64.b64encode(os.urandom(32)).decode(),
            access_code_key=os.urandom(32).hex(),
            master_key=base64.b64encode(os.urandom(32)).decode(),
        )
        container = bootstrap(settings, clock=BenchClock(START), initialise=False)
        try:
            started = time.perf_counter()
            head = fill(container, options.events)
            print(f"filled {head} events in {time.perf_counter() - started:.1f} s")

            writer = container.ledger.writer()
            started = time.perf_counter()
            appended = writer.run_until_caught_up()
            seconds = time.perf_counter() - started
            writer.close()
            print(
                f"ledger: {appended} events chained in {seconds:.2f} s, "
                f"{appended / seconds:,.0f} events/s"
            )
            container.ledger.make_checkpoint()

            report = container.ledger.verify()
            rate = report.checked / report.seconds if report.seconds else 0.0
            print(f"verify: ok={report.ok} — {report.message}")
            print(
                f"verify: {report.checked} events in {report.seconds:.2f} s, {rate:,.0f} events/s"
            )
        finally:
            container.close()
    finally:
        if not options.keep:
            with psycopg.connect(options.server, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
