"""The composition root: reads settings once and wires infrastructure into the application."""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import InitVar, dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from uuid import uuid4

import structlog

from application.accounts import (
    SIGN_IN_FAILURES_CLIENT_WINDOW,
    SIGN_IN_FAILURES_PER_CLIENT,
    Accounts,
)
from application.appeals import AppealQueries
from application.assessments import AssessmentQueries
from application.attachments import with_files
from application.audit import AuditQueries, VerificationReport
from application.evaluations import BadRatingCasePolicy
from application.idempotency import IdempotencyStore
from application.items import ItemQueries
from application.notices import NoticeQueries, notice_draft_policies
from application.past import ReadSideHistory
from application.ports import ConsoleSessions, IdFactory, SessionLimits, TimeSource
from application.projections import Projection
from application.projections.appeal_list import AppealListProjection
from application.projections.assessment_list import AssessmentListProjection
from application.projections.case_assignments import CaseAssignmentsProjection
from application.projections.case_list import CaseListProjection
from application.projections.deductions import DeductionsProjection
from application.projections.directory_subjects import DirectorySubjectsProjection
from application.projections.evaluation_list import EvaluationListProjection
from application.projections.hand_reminders import case_reminders, order_reminders
from application.projections.item_list import (
    CaseItemsProjection,
    ItemListProjection,
    RatingItemsProjection,
)
from application.projections.notice_list import NoticeListProjection
from application.projections.order_list import OrderListProjection
from application.projections.post_cover import (
    AbsenceListProjection,
    CoverGapListProjection,
    PostCoverListProjection,
)
from application.projections.survey_list import SurveyListProjection
from application.projections.visit_list import VisitListProjection
from application.public_status import (
    FAILED_LOOKUPS_CLIENT_WINDOW,
    FAILED_LOOKUPS_PER_CLIENT,
    ClientLimit,
    PublicStatus,
)
from application.queries import CaseQueries, RecordTime
from application.saved_filters import SavedFilters
from application.scores import ScoreQueries
from application.supervision import Supervision
from application.surveys import SurveyQueries
from application.visits import VisitQueries, visit_finding_policies
from domain.calendar import WorkingCalendar
from domain.deadlines import DeadlinePolicy
from domain.item import ItemSpec
from infrastructure.appeal_queries import AppealQueriesOnPostgres
from infrastructure.assessment_queries import AssessmentQueriesOnPostgres
from infrastructure.attachment_store import PostgresAttachmentStore, open_attachment_store
from infrastructure.audit_projection import AuditEventsRunner, audit_feed_target
from infrastructure.audit_queries import AuditQueriesOnPostgres
from infrastructure.calendar_file import CalendarFileError, parse_calendar_file, read_calendar_file
from infrastructure.calendar_source import known_schedules, load_deadline_policy
from infrastructure.case_queries import CaseQueriesOnPostgres
from infrastructure.conduct_file import (
    ConductFileError,
    default_conduct_rules,
    parse_conduct_file,
    read_conduct_file,
)
from infrastructure.cookie_signing import CookieSigner
from infrastructure.database_waits import DatabaseWaits
from infrastructure.directory_file import (
    parse_directory_file,
    read_directory_file,
    sample_directory,
)
from infrastructure.embedded import EmbeddedPostgres
from infrastructure.eventstore import (
    UnsafeConfiguration,
    event_store_env,
    initialise_schema,
    refuse_unsafe_environment,
)
from infrastructure.idempotency import PostgresIdempotencyStore
from infrastructure.item_file import (
    ItemFileError,
    parse_item_workbook,
    parse_item_yaml,
    read_item_file,
    sample_items,
)
from infrastructure.item_queries import ItemQueriesOnPostgres
from infrastructure.keyed_digests import PhoneDigests
from infrastructure.ledger.adapter import CheckpointRefused, PostgresAuditLedger
from infrastructure.logging import configure_logging, error_message
from infrastructure.metrics import PoolSampler
from infrastructure.notice_queries import NoticeQueriesOnPostgres
from infrastructure.notification_feed import (
    NotificationFeed,
    channels_of,
    notification_templates,
)
from infrastructure.notification_log import LazyConnection, events_table_of
from infrastructure.numbering_turn import AdvisoryNumberingTurn
from infrastructure.outbox import OutboxOnPostgres
from infrastructure.outbox_sender import OutboxSenderThread, outbox_sender_from_settings
from infrastructure.passwords import Argon2Passwords, TotpCodes, new_one_time_password
from infrastructure.personal_data_keys import (
    MasterKeyError,
    MasterKeyMismatch,
    MasterKeyRotationRefused,
    PostgresPersonalDataKeys,
    RotationReport,
    decode_master_key,
    install_master_key,
    read_master_key_file,
    read_or_create_master_key,
    read_or_create_next_master_key,
    rotate_master_key,
)
from infrastructure.post_cover_queries import PostCoverQueriesOnPostgres
from infrastructure.projection_runner import (
    CalendarCache,
    Progress,
    ProjectionRunner,
    RebuildInProgress,
    RebuildReport,
    projection_target,
    rebuild,
)
from infrastructure.public_status import CaseListPublicStatus, PostgresLookupFailures
from infrastructure.public_views import PublicViewCache, PublicViewListener
from infrastructure.rate_limits import ClientDigests, PostgresClientLimit
from infrastructure.read_replica import ReplicaPool, ReplicaReachability
from infrastructure.read_side_history import ReadSideHistoryOnPostgres
from infrastructure.record_time import RecordTimeOnPostgres
from infrastructure.runner_health import RunnerFailure, stuck_runners
from infrastructure.saved_filters import PostgresSavedFilters
from infrastructure.score_queries import ScoreQueriesOnPostgres
from infrastructure.secrets import (
    RandomSecrets,
    decode_access_code_key,
    read_or_create_access_code_key,
)
from infrastructure.sessions import PostgresConsoleSessions
from infrastructure.settings import Settings
from infrastructure.signing import SigningKey, decode_signing_key, read_or_create_signing_key
from infrastructure.sql_pool import SqlPool, server_of
from infrastructure.survey_file import (
    SurveyFileError,
    parse_survey_file,
    read_survey_file,
    survey_template,
)
from infrastructure.survey_queries import SurveyQueriesOnPostgres
from infrastructure.thumbnails import thumbnail_of
from infrastructure.time_source import SystemTimeSource
from infrastructure.visit_queries import VisitQueriesOnPostgres
from infrastructure.worker import Worker, WorkerHandle, hold_worker_lock
from infrastructure.yaml_files import FileProblem, ImportFileError
from simulation.campaign import Campaign, StoreHoldsCases
from simulation.defaults import DEFAULT_SEED
from simulation.time_source import SimulatedTimeSource, campaign_start

log = structlog.get_logger("oversight")

# Connections beyond the API's threads: the in-process worker and administrative calls.
SPARE_CONNECTIONS = 4
# Published calendar years change a few times a year; lists need not re-read them per request.
CALENDAR_TTL_SECONDS = 5.0
# OVERSIGHT_PUBLIC_RATE_LIMIT counts requests per client in windows of this length.
PUBLIC_RATE_WINDOW = timedelta(minutes=1)


@dataclass(kw_only=True)
class Container:
    """Everything a running process needs, built once; closing it (or leaving its `with`
    block) releases what it holds."""

    settings: Settings
    database_url: str
    supervision: Supervision
    calendar: WorkingCalendar
    policy: DeadlinePolicy
    reads: SqlPool
    # The primary's pool: what must not read a lagging replica (limits, keys, a scrape).
    primary: SqlPool
    pool_gauges: PoolSampler  # the pools' use, sampled into their metrics
    # The public status query's own pool (OVERSIGHT_PUBLIC_READ_POOL_SIZE), or `reads` at 0.
    public_reads: SqlPool
    queries: CaseQueries
    public_status: PublicStatus
    # The public views this process keeps, and what keeps them current (None: the cache is
    # off); the API starts and stops the listener with its event loop.
    public_views: PublicViewCache
    public_view_listener: PublicViewListener | None
    public_requests: ClientLimit  # OVERSIGHT_PUBLIC_RATE_LIMIT per client per minute
    # A keyed digest of a client's network: what limits count and ratings record.
    client_digest: Callable[[str], str]
    # A keyed digest of a phone number's digits: how the read side knows a caller again.
    phone_digest: Callable[[str], str]
    idempotency: IdempotencyStore
    accounts: Accounts
    console_sessions: ConsoleSessions
    saved_filters: SavedFilters  # the case list's saved filters, per account
    cookie_signer: CookieSigner  # the pages' form tokens and flash messages
    # What was opened to build it (connections, an embedded server): close() releases it.
    resources: InitVar[ExitStack]
    _resources: ExitStack = field(init=False, repr=False)
    _calendar_cache: tuple[float, WorkingCalendar] | None = field(default=None, init=False)
    _workers: list[WorkerHandle] = field(default_factory=list, init=False)

    def __post_init__(self, resources: ExitStack) -> None:
        self._resources = resources

    def __enter__(self) -> Container:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close_with(self, release: Callable[[], None]) -> None:
        """Have close() call `release` too, before what the container was built with."""
        self._resources.callback(release)

    def current_calendar(self) -> WorkingCalendar:
        """The calendar with published years, re-read at most every few seconds (blocking)."""
        now = time.monotonic()
        if self._calendar_cache is None or now - self._calendar_cache[0] > CALENDAR_TTL_SECONDS:
            self._calendar_cache = (now, self.supervision.calendar)
        return self._calendar_cache[1]

    def read_side(self) -> tuple[list[Projection], CalendarCache]:
        """Fresh projections, sharing a calendar read from the event store about once a second."""
        calendar = CalendarCache.of(self.supervision)
        projections: list[Projection] = [
            CaseListProjection(calendar=calendar, phone_digest=self.phone_digest),
            OrderListProjection(calendar=calendar),
            EvaluationListProjection(),
            DirectorySubjectsProjection(),
            DeductionsProjection(),
            CaseAssignmentsProjection(),
            # Reminders by hand (人工催办)
            case_reminders(),
            order_reminders(),
            AppealListProjection(calendar=calendar),
            NoticeListProjection(),
            SurveyListProjection(),
            # A/B post cover (AB岗, §16)
            AbsenceListProjection(),
            CoverGapListProjection(),
            PostCoverListProjection(),
            AssessmentListProjection(),
            ItemListProjection(),  # the item catalogue (事项清单, §16)
            CaseItemsProjection(),
            RatingItemsProjection(),
            VisitListProjection(),
        ]
        return projections, calendar

    def worker(self, *, poll_interval: float = 1.0, standby_interval: float = 2.0) -> Worker:
        """A worker on this database (active only while it holds the worker lock)."""
        projections, calendar = self.read_side()
        return Worker(
            database_url=self.database_url,
            supervision=self.supervision,
            projections=projections,
            calendar=calendar,
            poll_interval=poll_interval,
            standby_interval=standby_interval,
            tasks=[*self.audit_tasks(), *self.notification_tasks()],
            policies=[
                BadRatingCasePolicy(self.supervision),
                *notice_draft_policies(self.supervision),
                *visit_finding_policies(self.supervision),
            ],
            companions=[self.outbox_sender()],
        )

    def outbox_sender(self) -> OutboxSenderThread:
        """The outbox's sender (§17), run by the worker on a thread while it leads."""
        return outbox_sender_from_settings(
            self.settings,
            self.database_url,
            self.supervision.personal_data_keys,
            self.supervision.time_source,
        )

    def start_worker(
        self, *, poll_interval: float = 1.0, standby_interval: float = 2.0
    ) -> WorkerHandle:
        """Run a worker on a background thread (for `serve`); `close()` stops it."""
        worker = self.worker(poll_interval=poll_interval, standby_interval=standby_interval)
        handle = WorkerHandle(worker).start()
        self._workers.append(handle)
        return handle

    def run_worker(self, stop_event: threading.Event) -> None:
        """Run a worker on this thread until `stop_event` is set (for `oversight worker`)."""
        self.worker().run_forever(stop_event)

    def rebuild_projections(self, progress: Progress | None = None) -> RebuildReport:
        """Replay every event into fresh read tables (the audit feed's too) and swap them in."""
        projections, _ = self.read_side()
        targets = [
            *(projection_target(self.database_url, self.supervision, p) for p in projections),
            audit_feed_target(self.database_url, self.supervision),
        ]
        return rebuild(self.database_url, targets, progress=progress)

    def catch_up_projections(self) -> int:
        """Bring the audit feed and every read table up to the log now, for commands that read
        them; answer how many events they took in, all together.

        The audit feed first: it is the time index of reads as of an instant (§14), and the
        tables then stand at least as far as it does, so an instant it finds is one the tables
        can be read at. Safe while a worker runs: each batch holds its runner's lock.
        """
        with AuditEventsRunner(self.database_url, self.supervision) as feed:
            processed = feed.run_until_caught_up()
        projections, _ = self.read_side()
        for projection in projections:
            with ProjectionRunner(self.database_url, self.supervision, projection) as runner:
                processed += runner.run_until_caught_up()
        return processed

    async def stuck_runners(self) -> list[RunnerFailure]:
        """The worker's runners failing after one position turn after turn (for /readyz)."""
        return await stuck_runners(self.reads)

    @cached_property
    def record_time(self) -> RecordTime:
        """Where the record stood at a past instant (§14), over the read side's pool."""
        return RecordTimeOnPostgres(self.reads, events_table_of(self.supervision))

    @cached_property
    def read_side_history(self) -> ReadSideHistory:
        """Records' versions and the history tables' progress by log position (§14)."""
        return ReadSideHistoryOnPostgres(self.reads)

    @cached_property
    def scores(self) -> ScoreQueries:
        """Scores, blue and red lists and monthly reports, over the read side's pool."""
        return ScoreQueriesOnPostgres(self.reads)

    @cached_property
    def appeals(self) -> AppealQueries:
        """The appeal list (申诉), over the read side's pool."""
        return AppealQueriesOnPostgres(self.reads)

    @cached_property
    def audit_events(self) -> AuditQueries:
        """The inspectors' event feed and people's histories, over the read side's pool."""
        return AuditQueriesOnPostgres(self.reads)

    @cached_property
    def notices(self) -> NoticeQueries:
        """The notice list and the month's notices (通报, §15), over the read side's pool."""
        return NoticeQueriesOnPostgres(self.reads)

    @cached_property
    def surveys(self) -> SurveyQueries:
        """Satisfaction survey batches and their satisfaction (满意度调查, §16), over the read
        side's pool."""
        return SurveyQueriesOnPostgres(self.reads)

    @cached_property
    def post_cover(self) -> PostCoverQueriesOnPostgres:
        """Absences and cover gaps (AB岗, §16), over the read side's pool."""
        return PostCoverQueriesOnPostgres(self.reads)

    @cached_property
    def assessments(self) -> AssessmentQueries:
        """Assessment sessions and staff standings (千人千题, §16), over the read side's pool."""
        return AssessmentQueriesOnPostgres(self.reads)

    @cached_property
    def items(self) -> ItemQueries:
        """The item catalogue and its one-time notices (事项清单, §16), on the read side."""
        return ItemQueriesOnPostgres(self.reads)

    @cached_property
    def visits(self) -> VisitQueries:
        """The visit list and the month's visits (暗访巡查, §16), over the read side's pool."""
        return VisitQueriesOnPostgres(self.reads)

    @cached_property
    def ledger(self) -> PostgresAuditLedger:
        """The tamper-evident ledger, its signed checkpoints and their verification (§8)."""
        return PostgresAuditLedger(
            self.database_url,
            events_table_of(self.supervision),
            SigningKey(signing_key(self.settings)),
            self.supervision.time_source,
        )

    def verify_ledger_and_files(self, progress: Progress | None = None) -> VerificationReport:
        """The ledger's verification, then every stored evidence file's (§8, §17)."""
        return with_files(self.ledger.verify(progress), self.supervision.verify_attachments())

    def audit_tasks(self) -> list[object]:
        """The worker's audit work each turn: the audit_events feed, then the ledger (one
        connection between them: they run one after the other)."""
        shared = LazyConnection(self.database_url)
        return [
            AuditEventsRunner(self.database_url, self.supervision, connection=shared),
            self.ledger.writer(connection=shared),
        ]

    # Notifications (§17) ---------------------------------------------------------
    def notification_tasks(self) -> list[object]:
        """The worker's notification feed: events into outbox messages, once each (the
        templates are checked here, so a worker with a broken one does not start)."""
        return [
            NotificationFeed(
                self.database_url,
                self.supervision,
                templates=notification_templates(),
                channels=channels_of(self.settings),
                keys=self.supervision.personal_data_keys,
                time_source=self.supervision.time_source,
                directory=self.supervision.directory,
            )
        ]

    @cached_property
    def outbox(self) -> OutboxOnPostgres:
        """The outbox's messages for administrators, and resending a dead one."""
        return OutboxOnPostgres(
            self.reads,
            self.database_url,
            keys=self.supervision.personal_data_keys,
            time_source=self.supervision.time_source,
            citizen_of=self.supervision.complainant_contact,
        )

    def close(self) -> None:
        """Stop workers, release connections and let go of an embedded server."""
        while self._workers:
            self._workers.pop().stop()
        self._resources.close()


def freeze_startup_heap() -> None:
    """Put what is alive once a serving process has started (modules, routes, schemas, the
    container) out of the garbage collector's sight: it lives as long as the process, and
    every full collection that requests' or turns' garbage sets off walked all of it (public
    status p99 under load: 94 → 28 ms). Not for a process that shares its heap with tests."""
    gc.collect()
    gc.freeze()


def database_url(settings: Settings, resources: ExitStack, *, serving: bool = False) -> str:
    """The configured server, or an embedded one in the data folder (stopped with
    `resources`). Its start is news to a serving process's log; to a one-shot command's, a
    detail (the command says which database it uses when that matters)."""
    if settings.database_url:
        return settings.database_url
    embedded = EmbeddedPostgres(settings.data_dir)
    url = embedded.start()
    resources.callback(embedded.stop)
    announce = log.info if serving else log.debug
    announce("embedded_postgres_started", data_dir=str(embedded.pgdata))
    return url


def bootstrap(
    settings: Settings | None = None,
    *,
    time_source: TimeSource | None = None,
    ids: IdFactory | None = None,
    initialise: bool = True,
    serving: bool = False,
) -> Container:
    """Build the application on the configured (or embedded) PostgreSQL; `serving` for a
    process that serves (`serve`, `worker`) rather than runs one command."""
    settings = settings or Settings()
    refuse_unsafe_environment(dict(os.environ))
    settings.refuse_unsafe_production()
    configure_logging(settings.log_level, settings.log_format)
    # Whatever is opened is let go again if a later step fails; else the container owns it.
    with ExitStack() as resources:
        url = database_url(settings, resources, serving=serving)
        if initialise:
            initialise_schema(url)
        calendar, policy = timekeeping()
        env = event_store_env(
            url,
            pool_size=settings.db_pool_size,
            max_overflow=max(0, settings.api_threads + SPARE_CONNECTIONS - settings.db_pool_size),
            connect_timeout=settings.db_connect_timeout,
            lock_timeout=settings.db_lock_timeout,
            statement_timeout=settings.db_statement_timeout,
        )
        time_source = time_source or SystemTimeSource()
        server_key = access_code_key(settings)
        personal_data_keys = personal_data_key_store(settings, url, time_source, resources)
        numbering_turn = AdvisoryNumberingTurn(
            LazyConnection(
                url,
                waits=DatabaseWaits(
                    connect_seconds=settings.db_connect_timeout,
                    statement_seconds=settings.db_statement_timeout,
                ),
            ),
            lock_timeout_seconds=settings.db_lock_timeout,
        )
        resources.callback(numbering_turn.close)
        # Evidence files (附件, §17): in PostgreSQL, or in OVERSIGHT_ATTACHMENTS_DIR.
        attachment_store = open_attachment_store(
            settings.attachments_dir,
            url,
            connect_timeout=settings.db_connect_timeout,
            statement_timeout=settings.db_statement_timeout,
        )
        if isinstance(attachment_store, PostgresAttachmentStore):
            resources.callback(attachment_store.close)
        supervision = Supervision(
            time_source=time_source,
            ids=ids or uuid4,
            secrets=RandomSecrets(server_key),
            calendar=calendar,
            policy=policy,
            env=env,
            personal_data_keys=personal_data_keys,
            numbering_turn=numbering_turn,
            attachment_store=attachment_store,
            max_attachment_bytes=settings.max_attachment_bytes,
            make_thumbnail=thumbnail_of,
        )
        resources.callback(supervision.close)
        pools = read_pools(settings, url, resources)
        reads, primary = pools.reads, pools.primary
        public_reads = pools.public
        console_sessions = console_session_store(settings, url, resources)
        public_views = public_view_cache(settings)
        return Container(
            settings=settings,
            database_url=url,
            supervision=supervision,
            calendar=calendar,
            policy=policy,
            reads=reads,
            primary=primary,
            pool_gauges=pool_gauges(supervision, pools),
            public_reads=public_reads,
            queries=CaseQueriesOnPostgres(reads),
            public_status=public_status_query(supervision, public_reads, primary, public_views),
            public_views=public_views,
            public_view_listener=(
                PublicViewListener(url, public_views) if public_views.capacity else None
            ),
            public_requests=PostgresClientLimit(
                primary,
                name="public",
                amount=settings.public_rate_limit,
                window=PUBLIC_RATE_WINDOW,
            ),
            client_digest=ClientDigests(server_key),
            phone_digest=PhoneDigests(server_key),
            cookie_signer=CookieSigner(server_key),
            idempotency=PostgresIdempotencyStore(primary),
            accounts=account_verbs(supervision, primary, console_sessions),
            console_sessions=console_sessions,
            saved_filters=SavedFilters(PostgresSavedFilters(primary)),
            resources=resources.pop_all(),
        )


def pool_gauges(supervision: Supervision, pools: ReadPools) -> PoolSampler:
    """The sampler of the event store's pool (the library's, once it has made one), the read
    pool and the public status query's, when it has its own."""
    datastore = getattr(supervision.recorder, "datastore", None)
    return PoolSampler(
        event_store_pool=lambda: getattr(datastore, "pool", None),
        reads=pools.reads,
        public=pools.public if pools.public is not pools.reads else None,
    )


def console_session_store(
    settings: Settings, url: str, resources: ExitStack
) -> PostgresConsoleSessions:
    """Console sessions on the primary, with the configured idle and absolute limits."""
    sessions = PostgresConsoleSessions.connect(
        url,
        limits=SessionLimits(
            idle=timedelta(minutes=settings.session_idle_minutes),
            absolute=timedelta(hours=settings.session_absolute_hours),
        ),
        connect_timeout=settings.db_connect_timeout,
        statement_timeout=settings.db_statement_timeout,
    )
    resources.callback(sessions.close)
    return sessions


def account_verbs(
    supervision: Supervision, primary: SqlPool, sessions: ConsoleSessions
) -> Accounts:
    """The account verbs (§12): Argon2id, TOTP, server-side sessions, failures per client."""
    return Accounts(
        supervision,
        passwords=Argon2Passwords(),
        codes=TotpCodes(),
        sessions=sessions,
        failures_by_client=PostgresClientLimit(
            primary,
            name="sign-in-failures",
            amount=SIGN_IN_FAILURES_PER_CLIENT,
            window=SIGN_IN_FAILURES_CLIENT_WINDOW,
        ),
        new_password=new_one_time_password,
    )


def access_code_key(settings: Settings) -> bytes:
    """The configured key, else the one kept in (or first made in) the data folder."""
    if settings.access_code_key is not None:
        return decode_access_code_key(settings.access_code_key.get_secret_value())
    return read_or_create_access_code_key(settings.data_dir)


def signing_key(settings: Settings) -> bytes:
    """OVERSIGHT_SIGNING_KEY, else the seed kept in (or first made in) the data folder."""
    if settings.signing_key is not None:
        return decode_signing_key(settings.signing_key.get_secret_value())
    return read_or_create_signing_key(settings.data_dir)


def master_key(settings: Settings) -> bytes:
    """OVERSIGHT_MASTER_KEY, else the key kept in (or first made in) the data folder."""
    if settings.master_key is not None:
        return decode_master_key(settings.master_key.get_secret_value())
    return read_or_create_master_key(settings.data_dir)


@dataclass(frozen=True)
class MasterKeyRotated:
    """A finished rotation, and the file that holds the new key when the data folder keeps it."""

    report: RotationReport
    key_file: Path | None


def rotate_personal_data_master_key(
    settings: Settings | None = None,
    *,
    new_key_file: Path | None = None,
) -> MasterKeyRotated:
    """Re-wrap every personal data key under a new master key (`oversight keys rotate`).

    The key in use is the configured one (OVERSIGHT_MASTER_KEY, else the data folder's); the
    new one comes from `new_key_file` (base64 of 32 bytes, as OVERSIGHT_MASTER_KEY) or, when
    the data folder keeps the key, is made there and put in place once the database uses it.
    """
    settings = settings or Settings()
    configure_logging(settings.log_level, settings.log_format)
    given = read_master_key_file(new_key_file) if new_key_file else None
    in_data_folder = settings.master_key is None
    old_key = master_key(settings)
    if given == old_key:
        raise MasterKeyRotationRefused(
            f"{new_key_file} holds the master key in use: give a new one (base64 of 32 bytes)"
        )
    if in_data_folder:
        new_key = read_or_create_next_master_key(settings.data_dir, given)
    elif given is not None:
        new_key = given
    else:
        raise MasterKeyRotationRefused(
            "OVERSIGHT_MASTER_KEY is set: give the new key with --new-key-file (a file holding "
            "base64 of 32 bytes, as OVERSIGHT_MASTER_KEY)"
        )
    with ExitStack() as resources:
        url = database_url(settings, resources)
        initialise_schema(url)
        report = rotate_master_key(
            url,
            old_key=old_key,
            new_key=new_key,
            time_source=SystemTimeSource(),
        )
    installed = install_master_key(settings.data_dir, new_key) if in_data_folder else None
    return MasterKeyRotated(report, installed)


def personal_data_key_store(
    settings: Settings, url: str, time_source: TimeSource, resources: ExitStack
) -> PostgresPersonalDataKeys:
    """The per-case keys of personal data; refuses a master key the database does not know."""
    keys = PostgresPersonalDataKeys.connect(
        url,
        master_key=master_key(settings),
        time_source=time_source,
        connect_timeout=settings.db_connect_timeout,
        statement_timeout=settings.db_statement_timeout,
        lock_timeout=settings.db_lock_timeout,
    )
    resources.callback(keys.close)
    return keys


@dataclass(frozen=True)
class ReadPools:
    """Where reads go: the read side's pool, the public status query's, and the primary's."""

    reads: SqlPool
    public: SqlPool  # OVERSIGHT_PUBLIC_READ_POOL_SIZE connections of its own, or `reads` at 0
    primary: SqlPool  # rate limits, failed lookups, idempotency keys: never a lagging replica


def read_pools(settings: Settings, url: str, resources: ExitStack) -> ReadPools:
    """The pools on the read store (the primary; with a read replica, pools on it that fall
    back to the primary's), the public status query's apart so that a public flood queues on
    its own connections, never before the staff's lists and boards."""
    primary = SqlPool(
        url,
        max_size=settings.read_pool_size,
        statement_timeout=settings.db_statement_timeout,
        connect_timeout=settings.db_connect_timeout,
    )

    replica = settings.read_database_url
    reachability = (
        ReplicaReachability(server_of(replica), retry_seconds=settings.read_replica_retry_seconds)
        if replica
        else None
    )

    def on_read_store(size: int) -> SqlPool:
        if not replica or reachability is None:
            return SqlPool(
                url,
                max_size=size,
                statement_timeout=settings.db_statement_timeout,
                connect_timeout=settings.db_connect_timeout,
            )
        return ReplicaPool(
            replica,
            primary=primary,
            reachability=reachability,
            wait_seconds=settings.read_replica_wait_seconds,
            max_size=size,
            statement_timeout=settings.db_statement_timeout,
            connect_timeout=settings.db_connect_timeout,
        )

    reads = on_read_store(settings.read_pool_size) if replica else primary
    if reads is not primary:
        resources.callback(primary.terminate)
    if settings.public_read_pool_size == 0:
        return ReadPools(reads=reads, public=reads, primary=primary)
    public = on_read_store(settings.public_read_pool_size)
    resources.callback(public.terminate)
    return ReadPools(reads=reads, public=public, primary=primary)


def public_view_cache(settings: Settings) -> PublicViewCache:
    """OVERSIGHT_PUBLIC_VIEW_CACHE_SIZE public views; none with a read replica, which replays
    case_list's rows but not the notifications that keep the cache current."""
    if settings.read_database_url:
        return PublicViewCache(0)
    return PublicViewCache(settings.public_view_cache_size)


def public_status_query(
    supervision: Supervision, public_reads: SqlPool, primary: SqlPool, cache: PublicViewCache
) -> PublicStatus:
    """The public status query (§9): case_list on the public reads' pool through the cache of public
    views, failures on the primary."""
    failures = PostgresLookupFailures(primary, cache=cache)
    return PublicStatus(
        queries=CaseListPublicStatus(public_reads, supervision.directory, cache=cache),
        failures=failures,
        failed_by_client=PostgresClientLimit(
            primary,
            name="public-failed-lookups",
            amount=FAILED_LOOKUPS_PER_CLIENT,
            window=FAILED_LOOKUPS_CLIENT_WINDOW,
        ),
        secrets=supervision.secrets,
        time_source=supervision.time_source,
    )


def initialise(settings: Settings | None = None) -> str:
    """Create the schema and answer where the database is (for `oversight init`)."""
    settings = settings or Settings()
    configure_logging(settings.log_level, settings.log_format)
    with ExitStack() as resources:
        url = database_url(settings, resources)
        initialise_schema(url)
    return url


def timekeeping() -> tuple[WorkingCalendar, DeadlinePolicy]:
    """The working-day calendar of the known years and the deadline policy in force."""
    return WorkingCalendar(known_schedules()), load_deadline_policy()


class DemoRefused(RuntimeError):
    """`oversight demo` cannot run here; nothing was recorded. The message says what to do."""


class WorkerActive(DemoRefused):
    """A worker runs on the database: its real-time clock would act on simulated cases."""


# Where the demo's own data folder goes when the configured database holds cases already.
DEMO_DATA_DIR = Path(".oversight-demo")


def sample_campaign(
    supervision: Supervision,
    time_source: SimulatedTimeSource,
    *,
    until: datetime,
    scale: float,
    seed: int = DEFAULT_SEED,
    items: tuple[ItemSpec, ...] = (),
) -> Campaign:
    """Made-up work until `until` over the packaged sample directory and default conduct
    catalogue (and the item catalogue `items`): the demo's campaign."""
    return Campaign(
        supervision,
        time_source,
        until=until,
        directory=sample_directory(),
        rules=default_conduct_rules(),
        scale=scale,
        seed=seed,
        items=items,
    )


def demo_campaign(
    settings: Settings | None = None,
    *,
    days: int,
    scale: float,
    seed: int,
    data_dir: Path | None = None,
) -> tuple[Container, Campaign]:
    """A container on a simulated clock, and the campaign that moves it: `days` days up to
    now, on the sample directory and the default conduct catalogue (`oversight demo`), in
    the configured database, or in the embedded one kept in `data_dir` (made if new).

    Refuses (DemoRefused) a database that holds cases, and one a worker runs on
    (WorkerActive). The worker lock is held until the container closes, so a worker started
    meanwhile waits as a standby.
    """
    settings = settings or Settings()
    if data_dir is not None:
        if settings.database_url:
            raise DemoRefused(
                "--data-dir runs the demo on the embedded database of a data folder, but "
                "DATABASE_URL is set: unset it to use the folder, or drop --data-dir and point "
                "DATABASE_URL at a new database"
            )
        settings = settings.model_copy(update={"data_dir": data_dir})
    end = SystemTimeSource().now()
    time_source = SimulatedTimeSource(campaign_start(end, days))
    container = bootstrap(settings, time_source=time_source)
    try:
        campaign = sample_campaign(
            container.supervision,
            time_source,
            until=end,
            scale=scale,
            seed=seed,
            items=tuple(sample_items()),
        )
        try:
            campaign.refuse_store_with_cases()
        except StoreHoldsCases as refused:
            raise DemoRefused(holding_cases(settings)) from refused
        release_worker_lock = hold_worker_lock(container.database_url)
        if release_worker_lock is None:
            raise WorkerActive(
                "a worker is running on this database (`oversight serve` or `oversight worker`); "
                "stop it while the demo runs, then start it again"
            )
        container.close_with(release_worker_lock)
    except BaseException:
        container.close()
        raise
    return container, campaign


def holding_cases(settings: Settings) -> str:
    """Why the demo refuses a database with cases, and how to run it on a new one instead."""
    if settings.database_url:
        return (
            "the database DATABASE_URL names holds cases already, and the demo fills a new one: "
            "point DATABASE_URL at a new database, or unset it and run the demo on a new data "
            f"folder: `oversight demo --data-dir {DEMO_DATA_DIR}`"
        )
    folder = DEMO_DATA_DIR
    if folder.resolve() == settings.data_dir.resolve():
        folder = folder.with_name(f"{folder.name}-2")
    return (
        f"the database in {settings.data_dir} holds cases already, and the demo fills a new "
        f"one: run it on a new data folder, `oversight demo --data-dir {folder}`, then serve "
        f"that folder with `OVERSIGHT_DATA_DIR={folder} oversight serve`"
    )


__all__ = [
    "CalendarFileError",
    "CheckpointRefused",
    "ConductFileError",
    "Container",
    "DemoRefused",
    "FileProblem",
    "ImportFileError",
    "ItemFileError",
    "MasterKeyError",
    "MasterKeyMismatch",
    "MasterKeyRotationRefused",
    "RebuildInProgress",
    "SurveyFileError",
    "UnsafeConfiguration",
    "WorkerActive",
    "bootstrap",
    "default_conduct_rules",
    "error_message",
    "initialise",
    "parse_calendar_file",
    "parse_conduct_file",
    "parse_directory_file",
    "parse_item_workbook",
    "parse_item_yaml",
    "parse_survey_file",
    "read_calendar_file",
    "read_conduct_file",
    "read_directory_file",
    "read_item_file",
    "read_survey_file",
    "sample_directory",
    "sample_items",
    "survey_template",
]
