"""The ledger behind the application's `AuditLedger` port: its writer, checkpoints, verification.

A checkpoint (checkpoints.py) is made daily by the worker and on demand
(`oversight audit checkpoint`). A new checkpoint is made only after checking that the
previous one is signed by this service's key, that the ledger still holds its chain hash at
its position, and that the events since then, recomputed from the event store, lead from
there to the current head: so each checkpoint extends the one before.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import psycopg
import structlog

from application.audit import (
    Checkpoint,
    CheckpointCheck,
    Problem,
    Progress,
    PublicKeyText,
    VerificationReport,
)
from application.ports import TimeSource
from infrastructure.database_waits import DatabaseWaits
from infrastructure.ledger.chain import (
    LEDGER_LOCK_KEY,
    LedgerHalted,
    LedgerHead,
    LedgerWriter,
    ledger_head,
)
from infrastructure.ledger.checkpoints import (
    NotACheckpoint,
    SignedCheckpoint,
    Statement,
    StoredCheckpoint,
    newest_checkpoint,
    store_checkpoint,
    stored_checkpoints,
)
from infrastructure.ledger.verification import verify_log
from infrastructure.notification_log import LazyConnection
from infrastructure.signing import PublicKey, SigningKey, SigningKeyError

log = structlog.get_logger("oversight.ledger")

CHECKPOINT_INTERVAL = timedelta(days=1)
# After a refused daily checkpoint the worker tries again this much later, not every turn.
RETRY_AFTER_REFUSAL = 3600.0


class CheckpointRefused(RuntimeError):
    """The ledger does not extend the previous checkpoint (or is empty): nothing is signed."""


class PostgresAuditLedger:
    """The ledger on PostgreSQL, its signed checkpoints, and verification."""

    def __init__(
        self,
        database_url: str,
        events_table: str,
        key: SigningKey,
        time_source: TimeSource,
        *,
        interval: timedelta = CHECKPOINT_INTERVAL,
    ) -> None:
        self.database_url = database_url
        self.events_table = events_table
        self.key = key
        self.time_source = time_source
        self.interval = interval
        self._refused_at: float | None = None

    def connect(self) -> psycopg.Connection[Any]:
        # No statement timeout: verifying the whole log is one long read.
        waits = DatabaseWaits().parameters(self.database_url)
        return psycopg.connect(self.database_url, autocommit=True, **waits)

    # The worker's task ------------------------------------------------------------------

    def writer(self, connection: LazyConnection | None = None) -> LedgerWriter:
        """A ledger writer for the worker: appends each turn, then checkpoints once a day."""
        return LedgerWriter(
            self.database_url,
            self.events_table,
            self.key.seal_key,
            after_catching_up=self.checkpoint_if_due,
            connection=connection,
        )

    def catch_up(self) -> int:
        """Bring the ledger up to the log's end now (as the worker does each turn)."""
        writer = LedgerWriter(self.database_url, self.events_table, self.key.seal_key)
        try:
            return writer.append_all()
        except LedgerHalted as halted:
            raise CheckpointRefused(str(halted)) from halted
        finally:
            writer.close()

    def checkpoint_if_due(self, connection: psycopg.Connection[Any]) -> Checkpoint | None:
        """Make the daily checkpoint once a day has passed since the last (by the time source)."""
        if (
            self._refused_at is not None
            and time.monotonic() - self._refused_at < RETRY_AFTER_REFUSAL
        ):
            return None
        now = self.time_source.now()
        last = newest_checkpoint(connection)
        if last is not None and now - last[1] < self.interval:
            return None
        if last is None and ledger_head(connection).through == 0:
            return None
        try:
            checkpoint = self._make(connection, now)
        except CheckpointRefused as refusal:
            self._refused_at = time.monotonic()
            log.error("ledger_checkpoint_refused", reason=str(refusal))
            return None
        self._refused_at = None
        return checkpoint

    # Checkpoints ----------------------------------------------------------------------

    def make_checkpoint(self) -> Checkpoint:
        """Sign the ledger's head now (on demand)."""
        with self.connect() as connection:
            return self._make(connection, self.time_source.now())

    def _make(self, connection: psycopg.Connection[Any], now: datetime) -> Checkpoint:
        # A session lock keeps the writer from moving the head while the segment since the
        # previous checkpoint is checked and the new one signed.
        connection.execute("SELECT pg_advisory_lock(%s)", (LEDGER_LOCK_KEY,))
        try:
            head = ledger_head(connection)
            if head.through == 0:
                raise CheckpointRefused("the ledger is empty: there is nothing to sign yet")
            stored = stored_checkpoints(connection)
            previous = stored[-1] if stored else None
            start = self._extends(connection, previous, head) if previous else None
            signed = SignedCheckpoint.sign(
                Statement.of_head(
                    number=previous.number + 1 if previous else 1,
                    position=head.through,
                    chain_hash=head.chain_hash,
                    at=now,
                    previous=previous.signed.hash if previous else None,
                    key_id=self.key.key_id,
                    log=self.events_table,
                ),
                self.key,
            )
            statement = store_checkpoint(connection, signed)
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (LEDGER_LOCK_KEY,))
        log.info(
            "ledger_checkpoint_made",
            number=statement.number,
            position=statement.position,
            verified_from=start,
        )
        return signed.exported(self.key.public)

    def _extends(
        self, connection: psycopg.Connection[Any], previous: StoredCheckpoint, head: LedgerHead
    ) -> int:
        """Check that the current chain extends `previous`; answer the position it starts at."""
        if not previous.signed.signed_by(self.key.public):
            raise CheckpointRefused(
                f"the last checkpoint (#{previous.number}) is not signed by this service's key "
                f"{self.key.key_id}; run `oversight audit verify`"
            )
        before = previous.signed.statement()
        row = connection.execute(
            "SELECT chain_hash FROM ledger WHERE through = %s", (before.position,)
        ).fetchone()
        if row is None or bytes(row[0]) != before.chain_hash:
            raise CheckpointRefused(
                f"the ledger no longer holds checkpoint #{before.number}'s chain hash at "
                f"position {before.position}: the current chain does not extend it; "
                "run `oversight audit verify`"
            )
        if head.through < before.position:
            raise CheckpointRefused(
                f"the ledger ends at position {head.through}, before checkpoint "
                f"#{before.number}'s position {before.position}"
            )
        report = verify_log(
            connection,
            self.events_table,
            self.key,
            start=LedgerHead(before.position, before.chain_hash),
            stop=head.through,
            with_checkpoints=False,
        )
        if not report.ok:
            raise CheckpointRefused(
                f"the events since checkpoint #{before.number} do not match the ledger: "
                f"{report.message}"
            )
        return before.position

    def checkpoints(self) -> list[Checkpoint]:
        """Every checkpoint, oldest first, as exported."""
        with self.connect() as connection:
            stored = stored_checkpoints(connection)
        return [c.signed.exported(self.key.public) for c in stored]

    def check_checkpoint(self, exported: Mapping[str, Any]) -> CheckpointCheck:
        """Check a checkpoint from elsewhere: our signature on it, and our log still behind it."""
        statement = self._signed_by_us(exported)
        if isinstance(statement, CheckpointCheck):
            return statement
        with self.connect() as connection:
            report = verify_log(
                connection,
                self.events_table,
                self.key,
                stop=statement.position,
                extra=(statement,),
                with_checkpoints=False,
            )
        if report.ok:
            return CheckpointCheck(
                ok=True,
                problem=None,
                position=statement.position,
                message=(
                    f"checkpoint #{statement.number} is signed by this service's key "
                    f"{self.key.key_id}, and the event store up to position "
                    f"{statement.position} still gives its chain hash"
                ),
            )
        return CheckpointCheck(
            ok=False,
            problem=report.problem,
            position=report.first_bad_position,
            message=f"checkpoint #{statement.number} is genuine, but: {report.message}",
        )

    def _signed_by_us(self, exported: Mapping[str, Any]) -> Statement | CheckpointCheck:
        """What the checkpoint states when this service's key signed it, else the refusal."""

        def forged(message: str, problem: Problem = Problem.FORGED_CHECKPOINT) -> CheckpointCheck:
            position = exported.get("position")
            return CheckpointCheck(
                ok=False,
                problem=problem,
                position=position if isinstance(position, int) else None,
                message=message,
            )

        try:
            signed, statement = SignedCheckpoint.from_export(exported)
        except NotACheckpoint as malformed:
            return forged(str(malformed))
        if signed.signed_by(self.key.public):
            return statement
        ours = self.key.key_id
        claimed = exported.get("public_key")
        if isinstance(claimed, str) and claimed != self.key.public.base64:
            try:
                theirs = PublicKey.from_base64(claimed)
            except (SigningKeyError, ValueError):
                theirs = None
            if theirs is not None and signed.signed_by(theirs):
                return forged(
                    f"this checkpoint was signed by another key ({theirs.key_id}), not by this "
                    f"service's key {ours}: it is foreign, not ours",
                    Problem.FOREIGN_CHECKPOINT,
                )
        if statement.key_id != ours:
            return forged(
                f"this checkpoint names key {statement.key_id}, not this service's key {ours}, "
                "and its signature does not verify: it is foreign or forged",
                Problem.FOREIGN_CHECKPOINT,
            )
        return forged(
            f"the signature does not match the statement under this service's key {ours}: "
            "the checkpoint was forged or altered"
        )

    # Verification and the key ----------------------------------------------------------

    def verify(self, progress: Progress | None = None) -> VerificationReport:
        """Recompute the whole chain from the event store; compare with ledger and checkpoints."""
        with self.connect() as connection:
            report = verify_log(connection, self.events_table, self.key, progress=progress)
        log.info(
            "ledger_verified",
            ok=report.ok,
            checked=report.checked,
            first_bad_position=report.first_bad_position,
            problem=report.problem.value if report.problem else None,
            seconds=round(report.seconds, 3),
        )
        return report

    def public_key(self) -> PublicKeyText:
        public = self.key.public
        return PublicKeyText(key_id=public.key_id, base64=public.base64, pem=public.pem)
