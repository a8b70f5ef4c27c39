"""Helpers shared by every tier of tests: time the test sets, an in-memory application, and one
turn of the worker."""

from __future__ import annotations

import base64
import os
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from uuid import uuid4

from application.supervision import Supervision
from domain.actor import Actor, Role
from domain.calendar import OFFICE_TZ, WorkingCalendar
from domain.deadlines import DeadlinePolicy
from infrastructure.calendar_source import known_schedules, load_deadline_policy
from infrastructure.directory_file import sample_directory
from infrastructure.personal_data_keys import InMemoryPersonalDataKeys
from infrastructure.secrets import RandomSecrets
from infrastructure.settings import Settings

if TYPE_CHECKING:
    from infrastructure.worker import Turn
    from interfaces.bootstrap import Container

# Friday 27 November 2026, 10:00 in the service centre.
START = datetime(2026, 11, 27, 10, 0, tzinfo=OFFICE_TZ)
# The same Friday, late afternoon: the tests' demo campaigns end here.
CAMPAIGN_END = datetime(2026, 11, 27, 17, 0, tzinfo=OFFICE_TZ)

DIRECTORY_ADMIN = Actor(principal="admin-directory", role=Role.ADMIN)
# The server key under which tests hash access codes (32 bytes, as production needs).
# Notification channels configured on a port where nothing listens: messages are written
# to the outbox as in service, and nothing leaves the machine.
UNREACHABLE_CHANNELS = {
    "sms_gateway_url": "http://127.0.0.1:9/sms",
    "smtp_url": "smtp://127.0.0.1:9",
    "mail_from": "oversight@example.gov.cn",
    "inspectors_email": "inspectors@example.gov.cn",
}

TEST_ACCESS_CODE_KEY = b"oversight-test-access-code-key-0"
# The master key that wraps the test databases' personal data keys (base64 of 32 bytes).
TEST_MASTER_KEY = base64.b64encode(b"oversight-test-master-key-000000").decode()
# The Ed25519 seed that signs the test databases' ledger checkpoints (base64 of 32 bytes).
TEST_SIGNING_KEY = base64.b64encode(b"oversight-test-signing-key-00000").decode()


def command_environment(database_url: str, log_level: str = "WARNING") -> dict[str, str]:
    """The environment of an `oversight` command run by a test on its own database."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "OVERSIGHT_ACCESS_CODE_KEY": TEST_ACCESS_CODE_KEY.hex(),
        "OVERSIGHT_MASTER_KEY": TEST_MASTER_KEY,
        "OVERSIGHT_SIGNING_KEY": TEST_SIGNING_KEY,
        "OVERSIGHT_LOG_LEVEL": log_level,
    }


def settings_for(database_url: str, **overrides: object) -> Settings:
    """Settings of a test's process: its own database, the test keys, quiet logs."""
    return Settings(
        database_url=database_url,
        access_code_key=TEST_ACCESS_CODE_KEY.hex(),
        log_level="WARNING",
        **{"master_key": TEST_MASTER_KEY, "signing_key": TEST_SIGNING_KEY, **overrides},  # type: ignore[arg-type]
    )


class SettableTimeSource:
    """A time source that stands still until the test sets or advances it."""

    def __init__(self, start: datetime = START) -> None:
        self._now = _aware(start)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to `moment` (timezone-aware)."""
        self._now = _aware(moment)

    def advance(self, **delta: float) -> datetime:
        """Move on by a timedelta given as keywords, e.g. `advance(hours=2)`; answer the new now."""
        self._now = self._now + timedelta(**delta)
        return self._now


def in_memory_supervision(
    time_source: SettableTimeSource,
    *,
    calendar: WorkingCalendar | None = None,
    policy: DeadlinePolicy | None = None,
) -> Supervision:
    """The application on the in-memory event store, with the sample directory imported."""
    supervision = Supervision(
        time_source=time_source,
        ids=uuid4,
        secrets=RandomSecrets(TEST_ACCESS_CODE_KEY),
        calendar=calendar if calendar is not None else WorkingCalendar(known_schedules()),
        policy=policy if policy is not None else load_deadline_policy(),
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
        personal_data_keys=InMemoryPersonalDataKeys(),
    )
    supervision.import_directory(sample_directory(), DIRECTORY_ADMIN)
    return supervision


def worker_turns(container: Container, times: int = 1) -> list[Turn]:
    """`times` turns of a worker of its own (projections, policies, the clock), closed
    afterwards; what each turn did."""
    worker = container.worker()
    try:
        return [worker.run_once() for _ in range(times)]
    finally:
        worker.close()


def run_worker_once(container: Container) -> None:
    """One turn of a worker of its own, closed afterwards: the read side caught up, as the
    background worker would."""
    worker_turns(container)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"the time source needs a timezone-aware moment, got {moment!r}")
    return moment
