"""The event store application every group of verbs works on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    JSONTranscoder,
    Mapper,
    PersistenceError,
    RecordConflictError,
)
from eventsourcing.utils import Environment

from application import transcodings
from application.personal_data import PersonalDataKeys, PersonalDataMapper
from application.ports import IdFactory, Secrets, TimeSource
from domain.actor import Actor
from domain.calendar import WorkingCalendar
from domain.calendar_book import CALENDAR_BOOK_ID
from domain.deadlines import DeadlinePolicy
from domain.errors import Conflict, DomainError

# Names the event store's tables (oversight_events); every process must agree on it.
EVENT_STORE_NAME = "Oversight"

_Record = TypeVar("_Record", bound=Aggregate)


class ConcurrentChange(Conflict):
    """Someone else changed the same record at the same moment; read it again and retry."""

    code = "conflict"


class StorageUnavailable(DomainError):
    """The database did not answer in time (a lock wait, a timeout, a lost connection).

    Nothing was recorded, or a retry with the same request id will find what was: the caller
    should retry in a moment, with the same Idempotency-Key.
    """

    code = "storage_unavailable"
    retry_after = 1


class OversightApplication(Application[UUID]):
    """One event store, hence one notification log and one global order of events (§4)."""

    name = EVENT_STORE_NAME

    def __init__(
        self,
        *,
        time_source: TimeSource,
        ids: IdFactory,
        secrets: Secrets,
        calendar: WorkingCalendar,
        policy: DeadlinePolicy,
        env: dict[str, str] | None = None,
        personal_data_keys: PersonalDataKeys,
    ) -> None:
        # Set before the library builds the mapper, which seals personal data under these keys.
        self.personal_data_keys = personal_data_keys
        super().__init__(env=env)
        self.time_source = time_source
        self.ids = ids
        self.secrets = secrets
        self.known_calendar = calendar
        self.policy = policy
        self._shared: dict[UUID, Any] = {}
        self._published_calendar: tuple[int, WorkingCalendar] | None = None

    @property
    def calendar(self) -> WorkingCalendar:
        """The library's known years, overridden by the years an administrator published."""
        book = self._shared_or_none(CALENDAR_BOOK_ID)
        if book is None:
            return self.known_calendar
        published = self._published_calendar
        if published is not None and published[0] == book.version:
            return published[1]
        calendar = self.known_calendar
        for schedule in book.schedules().values():
            calendar = calendar.with_schedule(schedule)
        self._published_calendar = (book.version, calendar)
        return calendar

    def construct_env(self, name: str, env: dict[str, str] | None = None) -> Environment:
        # Settings are read once by the composition root: the process environment must not
        # slip extra persistence options (such as unsafe database functions) in behind it.
        return Environment(name, {**type(self).env, **(env or {})})

    def construct_mapper(self) -> Mapper[UUID]:
        # Personal fields are sealed per case, so erasing one case's key erases only its data.
        return PersonalDataMapper(
            self.construct_transcoder(),
            compressor=self.factory.compressor(),
            cipher=self.factory.cipher(),
            keys=self.personal_data_keys,
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        for transcoding in transcodings.ALL:
            transcoder.register(transcoding())

    def _load(self, aggregate_id: UUID, not_found: Callable[[], DomainError]) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise not_found() from None
        except PersistenceError as error:
            raise storage_unavailable(error) from error

    def _load_or_none(self, aggregate_id: UUID) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        except PersistenceError as error:
            raise storage_unavailable(error) from error

    def _load_as(
        self, aggregate_id: UUID, kind: type[_Record], not_found: Callable[[], DomainError]
    ) -> _Record:
        """The record `aggregate_id` as a `kind`; `not_found` when there is none, or when the
        id is another kind of record's."""
        found = self._load_or_none(aggregate_id)
        if not isinstance(found, kind):
            raise not_found()
        return found

    @staticmethod
    def _readable(record: _Record, viewer: Actor, refused: Callable[[], DomainError]) -> _Record:
        """`record` when `viewer` may read it (its `may_be_read_by`); else `refused`."""
        if not record.may_be_read_by(viewer):  # type: ignore[attr-defined]
            raise refused()
        return record

    def _all_opened_by(self, opening: type[Aggregate.Event]) -> list[Any]:
        """Every record that `opening`, its first event, began, oldest first."""
        opened = self.recorder.select_notifications(
            start=None, limit=2**31 - 1, topics=[opening.TOPIC]
        )
        return [self._load_or_none(notification.originator_id) for notification in opened]

    def _shared_or_none(self, aggregate_id: UUID) -> Any:
        """A record that commands only read, shared between them: never change it.

        Loading through the repository copies the cached aggregate, which for the directory
        (hundreds of entries, read by most commands) showed in every command's time
        (docs/benchmarks.md, "What the measurements changed", item 2). A record
        that rarely changes is kept here instead, and loaded again only when the store
        holds a newer version of it.
        """
        kept = self._shared.get(aggregate_id)
        if kept is not None:
            try:
                newer = self.recorder.select_events(aggregate_id, gt=kept.version, limit=1)
            except PersistenceError as error:
                raise storage_unavailable(error) from error
            if not newer:
                return kept
        found = self._load_or_none(aggregate_id)
        if found is not None:
            self._shared[aggregate_id] = found
        return found

    def _commit(self, *aggregates: Aggregate) -> int:
        """Save atomically and answer the global position of the last event written."""
        events = [event for aggregate in aggregates for event in aggregate.collect_events()]
        if not events:
            return self.recorder.max_notification_id() or 0
        try:
            recordings = self.save(*events)
        except RecordConflictError as error:
            # After a dropped connection the library retries; a commit that did succeed then
            # comes back as a conflict. Reading back tells that apart from a real one.
            if self._already_stored(events):
                return self.recorder.max_notification_id() or 0
            raise ConcurrentChange(
                "the record was changed by someone else at the same moment; read it and retry"
            ) from error
        except PersistenceError as error:
            raise storage_unavailable(error) from error
        return recordings[-1].notification.id

    def _already_stored(self, events: list[Any]) -> bool:
        """Whether exactly these events, of one request, are what the store holds.

        Only a request id tells a retry of our own save from someone else's identical
        command at the same moment; without one, a conflict stays a conflict.
        """
        if not all(getattr(getattr(e, "actor", None), "request_id", None) for e in events):
            return False
        for originator_id in {event.originator_id for event in events}:
            ours = [event for event in events if event.originator_id == originator_id]
            stored = self.recorder.select_events(
                originator_id,
                gt=ours[0].originator_version - 1,
                lte=ours[-1].originator_version,
            )
            if [self.mapper.to_domain_event(record) for record in stored] != ours:
                return False
        return True


def storage_unavailable(error: PersistenceError) -> StorageUnavailable:
    """The refusal of a command or read the event store did not answer (503)."""
    return StorageUnavailable(
        f"the event store did not answer in time ({type(error).__name__}); "
        "retry in a moment with the same Idempotency-Key"
    )
