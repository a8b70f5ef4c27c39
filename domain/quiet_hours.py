"""Quiet hours: no SMS wakes a citizen at night, unless the case is urgent (§17)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from domain.calendar import OFFICE_TZ

QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(8, 0)


def first_moment_to_text_a_citizen(at: datetime, *, urgent: bool) -> datetime:
    """`at` itself, or 08:00 office time when `at` falls between 21:00 and 08:00 and the case
    is not urgent."""
    if urgent:
        return at
    local = at.astimezone(OFFICE_TZ)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return at
    morning = local.date() + timedelta(days=1) if local.time() >= QUIET_FROM else local.date()
    return datetime.combine(morning, QUIET_UNTIL, tzinfo=OFFICE_TZ)
