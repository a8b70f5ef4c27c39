"""How fast `oversight projections rebuild` replays a store: fill a fresh database, time it.

    .venv/bin/python bench/rebuild.py --events 20000

Creates `oversight_bench_<random>` on the server (default: the local one), records cases
through the domain's verbs, saving many aggregates per `supervision.save(...)`, then times the
rebuild (and, for comparison, the worker's incremental catch-up), and drops the database.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from support import OPERATOR, fill_options, filled_container, timed

from domain.calendar import OFFICE_TZ
from domain.case import Case, Kind, Outcome, Satisfaction
from interfaces.bootstrap import Container
from simulation.fills import CaseFill, clerk_of
from simulation.time_source import SimulatedTimeSource

DEPARTMENTS = ("real-estate-registration", "taxation", "medical-insurance", "public-security")
KINDS = (Kind.COMPLAINT, Kind.REQUEST, Kind.CONSULTATION, Kind.SUGGESTION, Kind.REPORT)
START = datetime(2026, 3, 2, 9, 0, tzinfo=OFFICE_TZ)


class RebuildFill(CaseFill):
    """Four departments; one case in five waits, one stays in progress, the rest close."""

    def new_case(self, n: int, at: datetime) -> Case:
        department = DEPARTMENTS[n % len(DEPARTMENTS)]
        case = self.register(
            n, at, department=department, kind=KINDS[n % len(KINDS)], urgent=n % 17 == 0
        )
        self.assign(case, department, at + timedelta(minutes=5))
        return case

    def take_step(self, case: Case, n: int, step: int, at: datetime) -> None:
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


def main() -> None:
    options = fill_options(__doc__, events=20_000)

    def fill(container: Container) -> int:
        return RebuildFill(container.supervision, start=START).until(options.events)

    with filled_container(options, fill, time_source=SimulatedTimeSource(START)) as container:
        worker = container.worker()
        turn, seconds = timed(worker.run_once)
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


if __name__ == "__main__":
    main()
