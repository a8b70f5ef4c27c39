"""Fixtures of the unit tests: a settable clock, the real calendar up to 2026, the default policy,
the application on the in-memory store, one actor per role, and the builder of cases for the
Case aggregate's tests."""

from __future__ import annotations

from functools import cache

import pytest

from application.supervision import Supervision
from domain.actor import Actor, Role
from domain.calendar import WorkingCalendar
from domain.deadlines import DeadlinePolicy
from infrastructure.calendar_source import known_schedules, load_deadline_policy
from infrastructure.directory_file import sample_directory
from tests.factories import OTHER_DEPARTMENT, SAMPLE_WINDOW
from tests.support import SettableTimeSource, in_memory_supervision
from tests.unit.actors import ADMIN, DEEDS_DESK, INSPECTOR, OPERATOR
from tests.unit.case_story import Given


@cache
def _department_running(window_id: str) -> str:
    (window,) = [w for w in sample_directory().windows if w.id == window_id]
    return window.department


@pytest.fixture
def time_source() -> SettableTimeSource:
    """Friday 27 November 2026, 10:00 Asia/Shanghai, until the test moves it."""
    return SettableTimeSource()


@pytest.fixture
def calendar() -> WorkingCalendar:
    """The real calendar as the library stood when 2027 was not yet published, so deadlines
    running into 2027 stay provisional here even after the library learns it."""
    return WorkingCalendar({y: s for y, s in known_schedules().items() if y <= 2026})


@pytest.fixture
def policy() -> DeadlinePolicy:
    return load_deadline_policy()


@pytest.fixture
def supervision(
    time_source: SettableTimeSource, calendar: WorkingCalendar, policy: DeadlinePolicy
) -> Supervision:
    """The application on the in-memory event store, the sample directory imported."""
    return in_memory_supervision(time_source, calendar=calendar, policy=policy)


@pytest.fixture
def operator() -> Actor:
    return OPERATOR


@pytest.fixture
def inspector() -> Actor:
    return INSPECTOR


@pytest.fixture
def admin() -> Actor:
    return ADMIN


@pytest.fixture
def department_actor() -> Actor:
    """The department that runs window W-A01 (real-estate-registration)."""
    assert _department_running(SAMPLE_WINDOW) == DEEDS_DESK.department
    return DEEDS_DESK


@pytest.fixture
def other_department_actor() -> Actor:
    return Actor(principal="tax-desk", role=Role.DEPARTMENT, department=OTHER_DEPARTMENT)


@pytest.fixture
def given(
    operator: Actor,
    inspector: Actor,
    department_actor: Actor,
    other_department_actor: Actor,
    policy: DeadlinePolicy,
    calendar: WorkingCalendar,
) -> Given:
    """Builds cases of the Case aggregate's tests up to a point of their lifecycle."""
    return Given(operator, inspector, department_actor, other_department_actor, policy, calendar)
