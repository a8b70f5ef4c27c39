"""The citizen's status query (§9): a tracking number and an access code open the public view.

What a citizen sees is the public view and nothing else. A wrong code and an unknown number
get the same answer, after the same work. Failed lookups are limited twice, both counted for
every API process together: per client and per tracking number. While a
tracking number is locked, even the right code gets the same "not found" answer: telling a
guesser "locked" would tell them the number is worth watching, and a citizen who waits the
lock out loses nothing but minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from application.ports import Secrets, TimeSource
from domain.errors import DomainError, NotFound

# A tracking number whose code was missed this many times within the window is locked.
FAILURES_BEFORE_LOCK = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_DURATION = timedelta(minutes=15)
# Failed lookups one client may make in a window of time, whatever the numbers it tries.
FAILED_LOOKUPS_PER_CLIENT = 10
FAILED_LOOKUPS_CLIENT_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class TimelineEntry:
    """One public event of a case: the department's answer, a public note, a reopening."""

    type: str
    text: str | None
    at: datetime


@dataclass(frozen=True)
class PublicCaseStatus:
    """All a citizen may learn of a case: no complainant, staff, window or internal note."""

    kind: str
    status: str
    department_id: str | None
    department_name: str | None
    registered_at: datetime
    due_at: datetime | None
    updated_at: datetime
    timeline: list[TimelineEntry]


@dataclass(frozen=True)
class FoundCase:
    """A case found by its tracking number: its access code's hash, its public view, and
    whether the number is locked at the moment asked about."""

    access_code_hash: str
    status: PublicCaseStatus
    locked: bool


class PublicStatusQueries(Protocol):
    """Reads the public view of a case by its tracking number, in one round trip."""

    async def find(self, tracking_number: str, now: datetime) -> FoundCase | None: ...


@dataclass(frozen=True)
class LockPolicy:
    """How many failures lock a tracking number, counted over how long, locked for how long."""

    failures: int = FAILURES_BEFORE_LOCK
    window: timedelta = FAILURE_WINDOW
    duration: timedelta = LOCK_DURATION


class LookupFailures(Protocol):
    """The failed lookups of each tracking number, shared by every API process."""

    async def record_failure(self, tracking_number: str, now: datetime) -> None:
        """Count one failure; lock the number when the policy says so (not while locked)."""
        ...


class ClientLimit(Protocol):
    """At most so many events per client in each window of time, counted for every API
    process together; `client` is a keyed digest, never an address."""

    async def hit(self, client: str, now: datetime) -> int | None:
        """Count one event: None when within the limit, else seconds until one is allowed."""
        ...

    async def wait(self, client: str, now: datetime) -> int | None:
        """Without counting: None when the client may go on, else seconds to wait."""
        ...


class CaseStatusNotFound(NotFound):
    """No case matches the pair (or the number is locked): one answer for every failure."""

    code = "case_status_not_found"
    MESSAGE = "no case matches this tracking number and access code"

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


class TooManyRequests(DomainError):
    """The client asked too often; `retry_after` seconds until it may ask again."""

    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PublicStatus:
    """The public status query, with its limits on failed lookups."""

    def __init__(
        self,
        *,
        queries: PublicStatusQueries,
        failures: LookupFailures,
        failed_by_client: ClientLimit,
        secrets: Secrets,
        time_source: TimeSource,
    ) -> None:
        self.queries = queries
        self.failures = failures
        self.failed_by_client = failed_by_client
        self.secrets = secrets
        self.time_source = time_source
        # Unknown numbers are checked against this, so they cost what a wrong code costs.
        self._dummy_hash = secrets.hash_access_code(secrets.new_access_code())

    async def case_status(
        self, tracking_number: str, access_code: str, *, client: str
    ) -> PublicCaseStatus:
        """The public view of the case the pair opens; the same refusal for every failure."""
        now = self.time_source.now()
        wait = await self.failed_by_client.wait(client, now)
        if wait is not None:
            raise TooManyRequests(
                f"too many failed lookups; try again in {wait} seconds", retry_after=wait
            )
        found = await self.queries.find(tracking_number, now)
        hashed = found.access_code_hash if found is not None else self._dummy_hash
        matches = self.secrets.access_code_matches(access_code, hashed)
        if matches and found is not None:
            if not found.locked:
                return found.status
        else:
            await self.failures.record_failure(tracking_number, now)
        await self.failed_by_client.hit(client, now)
        raise CaseStatusNotFound()
