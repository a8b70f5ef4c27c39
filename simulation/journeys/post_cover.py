"""A/B post cover's journey (AB岗, §16): near the campaign's end, a department records an A
holder's absence with the B holder covering, and on another window both holders are away on
the same day, which the worker's clock proposes to the inspectors as a cover gap."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from domain.calendar import OFFICE_TZ
from simulation.world import World

# How far before the campaign's last day the absences are played: late enough to be in the
# month's report, early enough that the day is over when the campaign ends.
DAYS_BEFORE_THE_END = 10


class PostCoverJourneys(World):
    """One covered absence and one cover gap, on one working day near the end."""

    _post_cover_played = False

    def _plan_post_cover(self, day: date, last_day: date) -> None:
        if self._post_cover_played or not last_day - timedelta(DAYS_BEFORE_THE_END) <= day:
            return
        if day >= last_day or not self._calendar.is_working_day(day):
            return
        windows = [
            window
            for window in sorted(self._staff_at)
            if {member.post for member in self._staff_at[window]} >= {"A", "B"}
        ]
        if len(windows) < 2:
            return
        self._post_cover_played = True
        morning = datetime.combine(day, time(8, 0), tzinfo=OFFICE_TZ)
        self._at(morning, self._absences, day, windows[0], windows[1])
        opening = self._calendar.office_hours.opens
        self._at(
            datetime.combine(day, opening, tzinfo=OFFICE_TZ) + timedelta(minutes=1),
            self._observe_post_cover,
            windows[1],
        )

    def _absences(self, day: date, covered: str, uncovered: str) -> None:
        """The A holder of `covered` away, the B holder covering; both holders of `uncovered`
        away the same day (a training both were sent to)."""
        whole_day = day.isoformat()
        holders = {m.post: m for m in self._staff_at[covered]}
        self.supervision.record_absence(
            staff=holders["A"].id,
            start=whole_day,
            end=whole_day,
            reason="病假",
            covered_by=holders["B"].id,
            by=self._desk(holders["A"].department),
        )
        for member in self._staff_at[uncovered]:
            if member.post in ("A", "B"):
                self.supervision.record_absence(
                    staff=member.id,
                    start=whole_day,
                    end=whole_day,
                    reason="参加业务培训",
                    covered_by=None,
                    by=self._desk(member.department),
                )

    def _observe_post_cover(self, window: str) -> None:
        """The worker's clock, when the gap's first moment has come."""
        self.supervision.observe_post_cover(window)
