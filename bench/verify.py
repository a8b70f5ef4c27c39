"""How fast `oversight audit verify` checks a store: fill a fresh database, time it.

    .venv/bin/python bench/verify.py --events 100000

Creates `oversight_bench_<random>` on the server (default: the local one), records cases
and their notes straight through the domain (many aggregates per save), brings the ledger up
to date and signs a checkpoint, then times a full verification and prints events per
second, and drops the database.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from support import OPERATOR, fill_options, filled_container, timed

from domain.calendar import OFFICE_TZ
from domain.case import Case
from interfaces.bootstrap import Container
from simulation.fills import CaseFill
from simulation.time_source import SimulatedTimeSource

START = datetime(2026, 3, 2, 9, 0, tzinfo=OFFICE_TZ)
CASES_PER_SAVE = 100
NOTES_PER_CASE = 19


class NotesFill(CaseFill):
    """Complaints to one department, each registered with its 19 follow-up notes in one go."""

    steps = 0

    def new_case(self, n: int, at: datetime) -> Case:
        case = self.register(n, at, department="taxation")
        for i in range(NOTES_PER_CASE):
            case.add_note(
                text=f"第{i + 1}次跟进：已联系相关窗口核实情况",
                public=i % 2 == 0,
                by=OPERATOR,
                at=at + timedelta(seconds=i + 1),
            )
        return case


def main() -> None:
    options = fill_options(__doc__, events=100_000)

    def fill(container: Container) -> int:
        notes = NotesFill(
            container.supervision,
            start=START,
            spacing=timedelta(minutes=1),
            wave=CASES_PER_SAVE,
            per_save=CASES_PER_SAVE,
        )
        return notes.until(options.events)

    with filled_container(
        options, fill, time_source=SimulatedTimeSource(START), directory=False
    ) as container:
        writer = container.ledger.writer()
        appended, seconds = timed(writer.run_until_caught_up)
        writer.close()
        print(
            f"ledger: {appended} events chained in {seconds:.2f} s, "
            f"{appended / seconds:,.0f} events/s"
        )
        container.ledger.make_checkpoint()

        report = container.ledger.verify()
        rate = report.checked / report.seconds if report.seconds else 0.0
        print(f"verify: ok={report.ok} — {report.message}")
        print(f"verify: {report.checked} events in {report.seconds:.2f} s, {rate:,.0f} events/s")


if __name__ == "__main__":
    main()
