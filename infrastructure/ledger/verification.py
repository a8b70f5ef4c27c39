"""Verification of the ledger (§8): recompute the chain from the event store and compare.

One pass, in one read-only snapshot, streams the events table and the ledger side by side
through server-side cursors, hashes each stored row as the chain does, and compares hash, chain
hash and seal with the ledger row at the same position; every checkpoint's signature is
checked with the service's public key and its chain hash compared where the pass reaches
its position. The answer names the first bad position and what is wrong there: an event
altered, missing, inserted or moved (reordered), the log truncated after a checkpoint, or a
checkpoint forged.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from application.audit import Problem, Progress, VerificationReport
from application.queries import LAST_POSITION
from infrastructure.ledger.chain import (
    LedgerHead,
    chained,
    entries,
    event_hash,
    gap_hash,
    raw_events_query,
    seal_holds,
)
from infrastructure.ledger.checkpoints import (
    NotACheckpoint,
    Statement,
    StoredCheckpoint,
    stored_checkpoints,
)
from infrastructure.signing import PublicKey, SigningKey

FETCH_SIZE = 10_000


@dataclass(frozen=True)
class Finding:
    position: int
    problem: Problem
    message: str
    # Only a seal failed: the ledger row agrees with the events but was not written by us.
    unsealed: bool = False


def checkpoint_findings(
    checkpoints: list[StoredCheckpoint], public_key: PublicKey
) -> tuple[list[Statement], list[Finding]]:
    """The checkpoints that hold (signed by our key, in an unbroken chain), and what is wrong
    with the others."""
    valid: list[Statement] = []
    findings: list[Finding] = []
    previous: StoredCheckpoint | None = None
    previous_position = 0
    for checkpoint in checkpoints:
        name = f"checkpoint #{checkpoint.number}"
        try:
            statement = checkpoint.signed.statement()
        except NotACheckpoint:
            findings.append(
                Finding(
                    checkpoint.position,
                    Problem.FORGED_CHECKPOINT,
                    f"{name} does not hold a readable signed statement",
                )
            )
            previous = checkpoint
            continue
        if not checkpoint.signed.signed_by(public_key):
            other = statement.key_id != public_key.key_id
            findings.append(
                Finding(
                    statement.position,
                    Problem.FORGED_CHECKPOINT,
                    f"{name} (position {statement.position}) is not signed by this service's "
                    f"key {public_key.key_id}"
                    + (f": it names key {statement.key_id}" if other else ": it was altered"),
                )
            )
        elif not checkpoint.columns_match(statement):
            findings.append(
                Finding(
                    statement.position,
                    Problem.FORGED_CHECKPOINT,
                    f"{name}: the columns stored beside its signed statement were changed",
                )
            )
        elif statement.previous != (previous.signed.hash if previous is not None else None):
            findings.append(
                Finding(
                    statement.position,
                    Problem.FORGED_CHECKPOINT,
                    f"{name} does not follow the checkpoint stored before it: "
                    "a checkpoint was removed, replaced or inserted",
                )
            )
        elif statement.position < previous_position:
            findings.append(
                Finding(
                    statement.position,
                    Problem.FORGED_CHECKPOINT,
                    f"{name} goes back to position {statement.position} from {previous_position}",
                )
            )
        else:
            valid.append(statement)
            previous_position = statement.position
        previous = checkpoint
    return valid, findings


# The pass -------------------------------------------------------------------------------


@dataclass
class _Tally:
    checked: int = 0
    unledgered: int = 0


def _fetched(cursor: psycopg.Cursor[Any], size: int) -> Iterator[list[Any]]:
    while rows := cursor.fetchmany(size):
        yield rows


class ChainCheck:
    """One verification pass over the events after `start` (the whole log by default)."""

    def __init__(
        self,
        connection: psycopg.Connection[Any],
        events_table: str,
        key: SigningKey,
        *,
        start: LedgerHead | None = None,
        stop: int | None = None,
        extra: tuple[Statement, ...] = (),
        progress: Progress | None = None,
        fetch_size: int = FETCH_SIZE,
    ) -> None:
        self.connection = connection
        self.events_table = events_table
        self.key = key
        self.start = start or LedgerHead.empty()
        self.stop = stop
        self.extra = extra
        self.progress = progress
        self.fetch_size = fetch_size
        self.tally = _Tally()
        self.valid: list[Statement] = []
        self.matched_checkpoints: list[int] = []
        self.last_legitimate = LAST_POSITION
        self.ledger_end = 0

    def run(self, *, with_checkpoints: bool = True) -> VerificationReport:
        """Verify in one read-only snapshot; answer what was found."""
        started = time.perf_counter()
        with self.connection.transaction():
            self.connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            checkpoints = stored_checkpoints(self.connection) if with_checkpoints else []
            valid, forged = checkpoint_findings(checkpoints, self.key.public)
            valid = [s for s in [*valid, *self.extra] if s.position > self.start.through]
            finding = self._pass(valid)
        findings = [f for f in (finding, *forged) if f is not None]
        seconds = time.perf_counter() - started
        if findings:
            first = min(findings, key=lambda f: f.position)
            return VerificationReport(
                ok=False,
                checked=self.tally.checked,
                first_bad_position=first.position,
                problem=first.problem,
                message=first.message,
                checkpoints=len(valid),
                unledgered=self.tally.unledgered,
                seconds=seconds,
            )
        newer = (
            f"; {self.tally.unledgered} newer events are not in the ledger yet"
            if self.tally.unledgered
            else ""
        )
        return VerificationReport(
            ok=True,
            checked=self.tally.checked,
            first_bad_position=None,
            problem=None,
            message=(
                f"{self.tally.checked} events and {len(valid)} "
                f"checkpoint{'' if len(valid) == 1 else 's'} verified: the event store "
                f"matches the ledger and every checkpoint{newer}"
            ),
            checkpoints=len(valid),
            unledgered=self.tally.unledgered,
            seconds=seconds,
        )

    def _pass(self, valid: list[Statement]) -> Finding | None:
        """Stream the log once, hashing each row; compare with the sealed ledger row at the end
        of every fetched batch, and look row by row only where that comparison fails."""
        self.last_legitimate = self._last_position_handed_out()
        self.ledger_end = self._ledger_end()
        self.valid = valid
        head = self._log_head()
        checkpoints_at: dict[int, list[Statement]] = {}
        for statement in valid:
            checkpoints_at.setdefault(statement.position, []).append(statement)
        self.matched_checkpoints = []

        upto = self.stop is not None
        bounds = (self.start.through, self.stop) if upto else (self.start.through,)
        events = self.connection.cursor(name="verify_events", binary=True)
        events.execute(raw_events_query(self.events_table, after=True, upto=upto), bounds)

        last_legitimate = self.last_legitimate
        ledger_end = self.ledger_end
        tally = self.tally
        # The last point known good: nothing up to it differs from the ledger.
        good = self.start.through
        good_chain = self.start.chain_hash
        chain = good_chain
        expected = good + 1
        ledgered, ledgered_chain = good, good_chain
        pending = 0  # events up to `ledgered` not yet confirmed by the ledger
        # From here on the ledger's rows are not sealed by our key: only checkpoints vouch.
        unsealed_from: int | None = None
        for rows in _fetched(events, self.fetch_size):
            for position, originator, version, topic, state in rows:
                if position != expected:
                    chain = chained(chain, gap_hash(expected, position - 1))
                if position > last_legitimate:
                    return self._localize(good, good_chain, position - 1, unsealed_from) or (
                        Finding(
                            position,
                            Problem.INSERTED,
                            f"position {position} holds an event although the log's sequence "
                            f"never handed out a position above {last_legitimate}: "
                            "a row was inserted by hand",
                        )
                    )
                chain = chained(chain, event_hash(position, originator, version, topic, state))
                expected = position + 1
                if position <= ledger_end:
                    ledgered, ledgered_chain = position, chain
                    pending += 1
                else:
                    tally.unledgered += 1
                if position in checkpoints_at:
                    for statement in checkpoints_at[position]:
                        if statement.chain_hash != chain:
                            found = self._localize(good, good_chain, position, unsealed_from)
                            if found is not None and found.unsealed:
                                unsealed_from = found.position
                            if unsealed_from is not None:
                                return self._recomputed(unsealed_from, statement)
                            return found or self._checkpoint_differs(statement)
                    self.matched_checkpoints.append(position)
            if ledgered > good:
                recorded = self._ledger_row(ledgered)
                if recorded is None or recorded[0] != "event" or recorded[1] != ledgered_chain:
                    return self._localize(
                        good, good_chain, ledgered, unsealed_from
                    ) or self._ledger_rewritten(ledgered, None, ledgered_chain)
                if unsealed_from is None and not self._seal_holds(
                    ledgered, ledgered_chain, recorded[2]
                ):
                    unsealed_from = self._first_unsealed(good, ledgered)
                tally.checked += pending
                pending = 0
                good, good_chain = ledgered, ledgered_chain
            if self.progress is not None:
                self.progress(expected - 1, max(head, expected - 1))

        if ledger_end > expected - 1:
            # The ledger goes on where the log stops.
            found = self._localize(good, good_chain, ledger_end, unsealed_from)
            if found is not None:
                return found
        if unsealed_from is not None:
            return self._recomputed(unsealed_from, None)
        return self._ends_before_checkpoint(expected - 1, ledger_end, valid)

    def _ledger_row(self, position: int) -> tuple[str, bytes, bytes] | None:
        row = self.connection.execute(
            "SELECT kind, chain_hash, seal FROM ledger WHERE position = %s", (position,)
        ).fetchone()
        return (row[0], bytes(row[1]), bytes(row[2])) if row else None

    def _seal_holds(self, through: int, chain: bytes, sealed: bytes) -> bool:
        """Whether a ledger row's seal was made with our key for this chain hash: then the
        ledger vouches that everything up to `through` is as first recorded."""
        return seal_holds(self.key.seal_key, through, chain, sealed)

    def _first_unsealed(self, after: int, upto: int) -> int:
        """The first ledger row in (`after`, `upto`] whose seal does not hold."""
        for through, chain, sealed in self.connection.execute(
            "SELECT through, chain_hash, seal FROM ledger "
            "WHERE position > %s AND position <= %s ORDER BY position",
            (after, upto),
        ):
            if not self._seal_holds(int(through), bytes(chain), bytes(sealed)):
                return int(through)
        return upto

    def _recomputed(self, unsealed_from: int, differing: Statement | None) -> Finding:
        """The ledger's rows from `unsealed_from` on were written without our key."""
        after = max([p for p in self.matched_checkpoints if p >= unsealed_from], default=None)
        if differing is not None:
            first = max(unsealed_from, (self.matched_checkpoints or [0])[-1] + 1)
            return Finding(
                first,
                Problem.ALTERED,
                f"the ledger was recomputed from position {unsealed_from} on (its rows are not "
                "sealed by this service's signing key), and the chain at position "
                f"{differing.position} no longer has the hash checkpoint #{differing.number} "
                f"signed: an event between positions {first} and {differing.position} was "
                "altered, and the ledger rewritten to hide it",
            )
        vouched = (
            f"; the events up to position {after} still match a signed checkpoint"
            if after is not None
            else "; no signed checkpoint after it vouches for the events"
        )
        return Finding(
            unsealed_from,
            Problem.ALTERED,
            f"the ledger rows from position {unsealed_from} on are not sealed by this service's "
            f"signing key: the ledger was recomputed (or the signing key changed){vouched}",
        )

    def _localize(
        self, after: int, chain: bytes, upto: int, unsealed_from: int | None
    ) -> Finding | None:
        """Compare the log with the ledger row by row over (`after`, `upto`], from `chain`:
        the first difference, or None when there is none. Seals are checked up to
        `unsealed_from` (beyond it the ledger is already known not to be ours)."""
        events = self.connection.execute(
            raw_events_query(self.events_table, after=True, upto=True), (after, upto)
        ).fetchall()
        ledger = iter(
            self.connection.execute(
                "SELECT position, through, kind = 'gap', event_hash, chain_hash, seal FROM ledger "
                "WHERE position > %s AND position <= %s ORDER BY position",
                (after, upto),
            ).fetchall()
        )
        entry = next(ledger, None)
        for stored in entries(events, after + 1):
            if stored.position > self.last_legitimate:
                return None  # the caller names the hand-made row
            chain = chained(chain, stored.hash)
            if stored.position > self.ledger_end:
                return None
            if (
                entry is None
                or entry[0] != stored.position
                or entry[1] != stored.through
                or bool(entry[2]) != stored.gap
                or bytes(entry[3]) != stored.hash
            ):
                return self._classify(stored.position, stored.through, entry)
            if bytes(entry[4]) != chain:
                return self._ledger_rewritten(stored.position, entry, chain)
            sealed = unsealed_from is None or stored.position < unsealed_from
            if sealed and not self._seal_holds(stored.through, chain, bytes(entry[5])):
                return self._ledger_rewritten(stored.position, entry, chain)
            if not stored.gap:
                self.tally.checked += 1
            entry = next(ledger, None)
        if entry is not None:
            return self._log_ends_early(events[-1][0] + 1 if events else after + 1, entry)
        return None

    # What went wrong -----------------------------------------------------------------

    def _classify(self, first: int, through: int, entry: tuple[Any, ...] | None) -> Finding:
        """The store's entry `first`..`through` (an event when equal) differs from the ledger's
        `entry` (None: the ledger has no more entries where the store goes on)."""
        store_gap = first != through or self._store_identity(first) is None
        if entry is None or int(entry[0]) > first:
            # The ledger has no entry where the store has one: ledger rows were removed.
            if store_gap:
                return self._missing(first, ledger_says="no longer has a ledger row")
            return self._inserted(first)
        ledger_first, ledger_through, ledger_gap = int(entry[0]), int(entry[1]), bool(entry[2])
        if ledger_first < first:
            return Finding(
                first,
                Problem.ALTERED,
                f"the ledger's rows around position {first} overlap: the ledger was changed",
            )
        if store_gap and ledger_gap:
            if through < ledger_through:
                return self._inserted(through + 1)
            if through > ledger_through:
                return self._missing(ledger_through + 1)
            return Finding(
                first,
                Problem.ALTERED,
                f"the ledger's record of the gap at positions {first}–{through} was changed",
            )
        if store_gap:
            return self._missing(first)
        if ledger_gap:
            return self._inserted(first)
        stored = self._store_identity(first)
        recorded = self._ledger_identity(first)
        if stored == recorded:
            return Finding(
                first,
                Problem.ALTERED,
                f"the event at position {first} ({_describe(stored)}) is not as it was stored: "
                "its bytes were altered",
            )
        if (stored is not None and self._ledger_position_of(stored) is not None) or (
            recorded is not None and self._store_position_of(recorded) is not None
        ):
            # Moved here from elsewhere in the log, or put before an event that moved on.
            return self._inserted(first)
        return Finding(
            first,
            Problem.ALTERED,
            f"the event at position {first} was replaced: the ledger recorded "
            f"{_describe(recorded)}, the store now holds {_describe(stored)}",
        )

    def _inserted(self, position: int) -> Finding:
        stored = self._store_identity(position)
        moved_from = self._ledger_position_of(stored) if stored else None
        if moved_from is not None and moved_from != position:
            return Finding(
                position,
                Problem.REORDERED,
                f"position {position} holds {_describe(stored)}, which the ledger recorded at "
                f"position {moved_from}: events were moved",
            )
        return Finding(
            position,
            Problem.INSERTED,
            f"position {position} holds {_describe(stored)}, an event the ledger never "
            "recorded: it was inserted",
        )

    def _missing(self, position: int, ledger_says: str = "") -> Finding:
        recorded = self._ledger_identity(position)
        moved_to = self._store_position_of(recorded) if recorded else None
        if moved_to is not None and moved_to != position:
            return Finding(
                position,
                Problem.REORDERED,
                f"{_describe(recorded)}, which the ledger recorded at position {position}, "
                f"now stands at position {moved_to}: events were moved",
            )
        what = _describe(recorded) if recorded else "the event"
        extra = f" and {ledger_says}" if ledger_says else ""
        return Finding(
            position,
            Problem.MISSING,
            f"{what} at position {position} is missing from the event store{extra}: it was deleted",
        )

    def _log_ends_early(self, expected: int, entry: tuple[Any, ...]) -> Finding:
        """The log stops at `expected` - 1 while the ledger goes on with `entry`."""
        first = int(entry[0]) if not entry[2] else int(entry[1]) + 1
        covering = [s for s in self.valid if s.position >= first]
        if covering:
            statement = min(covering, key=lambda s: s.position)
            return Finding(
                first,
                Problem.TRUNCATED_AFTER_CHECKPOINT,
                f"the event store ends at position {expected - 1}, but the ledger and "
                f"checkpoint #{statement.number} (position {statement.position}) cover events "
                f"from position {first} on: the log was truncated",
            )
        return self._missing(first)

    def _ends_before_checkpoint(
        self, log_end: int, ledger_end: int, valid: list[Statement]
    ) -> Finding | None:
        """A checkpoint covers positions the log or the ledger no longer reaches."""
        end = min(log_end, ledger_end)
        beyond = [s for s in valid if s.position > end]
        if not beyond:
            return None
        statement = min(beyond, key=lambda s: s.position)
        if log_end <= ledger_end:
            what = f"the event store ends at position {log_end}"
            outcome = f"everything after position {log_end} was removed"
        else:
            what = f"the ledger ends at position {ledger_end}"
            outcome = (
                "the ledger's tail was removed (the events up to the checkpoint still give its "
                "hash); restore the ledger table from a backup"
            )
        return Finding(
            end + 1,
            Problem.TRUNCATED_AFTER_CHECKPOINT,
            f"{what}, but checkpoint #{statement.number} covers the log up to position "
            f"{statement.position}: {outcome}",
        )

    def _ledger_rewritten(
        self, position: int, entry: tuple[Any, ...] | None, chain: bytes
    ) -> Finding:
        what = self._store_identity(position)
        unsealed = False
        if entry is None:
            reason = "its chain hash or seal does not match"
        elif bytes(entry[4]) != chain:
            reason = "its chain hash does not follow from the events before it"
        else:
            reason = "its seal is not valid under this service's signing key"
            unsealed = True
        return Finding(
            position,
            Problem.ALTERED,
            f"the ledger row at position {position} was rewritten ({reason}): the event there"
            f"{' (' + _describe(what) + ')' if what else ''} is not the one first recorded, "
            "and the ledger was recomputed to hide it",
            unsealed=unsealed,
        )

    def _checkpoint_differs(self, checkpoint: Statement) -> Finding:
        matched = self.matched_checkpoints
        after = matched[-1] if matched else self.start.through
        return Finding(
            checkpoint.position,
            Problem.ALTERED,
            f"the chain at position {checkpoint.position} no longer has the hash checkpoint "
            f"#{checkpoint.number} signed: an event between positions {after + 1} and "
            f"{checkpoint.position} was changed after the checkpoint was made",
        )

    # Lookups (only once something is wrong) ----------------------------------------------

    def _store_identity(self, position: int) -> tuple[UUID, int] | None:
        row = self.connection.execute(
            sql.SQL(
                "SELECT originator_id, originator_version FROM {} WHERE notification_id = %s"
            ).format(sql.Identifier(self.events_table)),
            (position,),
        ).fetchone()
        return (row[0], int(row[1])) if row else None

    def _ledger_identity(self, position: int) -> tuple[UUID, int] | None:
        row = self.connection.execute(
            "SELECT originator_id, originator_version FROM ledger "
            "WHERE position = %s AND kind = 'event'",
            (position,),
        ).fetchone()
        return (row[0], int(row[1])) if row else None

    def _store_position_of(self, identity: tuple[UUID, int]) -> int | None:
        row = self.connection.execute(
            sql.SQL(
                "SELECT notification_id FROM {} WHERE originator_id = %s "
                "AND originator_version = %s"
            ).format(sql.Identifier(self.events_table)),
            identity,
        ).fetchone()
        return int(row[0]) if row else None

    def _ledger_position_of(self, identity: tuple[UUID, int]) -> int | None:
        row = self.connection.execute(
            "SELECT position FROM ledger WHERE originator_id = %s AND originator_version = %s",
            identity,
        ).fetchone()
        return int(row[0]) if row else None

    def _last_position_handed_out(self) -> int:
        """The highest position the events table's sequence has given out."""
        row = self.connection.execute(
            "SELECT pg_get_serial_sequence(%s, 'notification_id')", (self.events_table,)
        ).fetchone()
        if not row or not row[0]:
            return LAST_POSITION
        # The name comes from the catalogue, quoted as needed.
        values = self.connection.execute(
            sql.SQL("SELECT last_value, is_called FROM {}").format(sql.SQL(row[0]))
        ).fetchone()
        if values is None:
            return LAST_POSITION
        return int(values[0]) if values[1] else int(values[0]) - 1

    def _ledger_end(self) -> int:
        row = self.connection.execute("SELECT max(through) FROM ledger").fetchone()
        end = int(row[0]) if row and row[0] is not None else self.start.through
        return end if self.stop is None else min(end, self.stop)

    def _log_head(self) -> int:
        row = self.connection.execute(
            sql.SQL("SELECT max(notification_id) FROM {}").format(sql.Identifier(self.events_table))
        ).fetchone()
        head = int(row[0]) if row and row[0] is not None else 0
        return head if self.stop is None else min(head, self.stop)


def _describe(identity: tuple[UUID, int] | None) -> str:
    if identity is None:
        return "no event"
    return f"version {identity[1]} of record {identity[0]}"


def verify_log(
    connection: psycopg.Connection[Any],
    events_table: str,
    key: SigningKey,
    *,
    progress: Progress | None = None,
    start: LedgerHead | None = None,
    stop: int | None = None,
    extra: tuple[Statement, ...] = (),
    with_checkpoints: bool = True,
) -> VerificationReport:
    """Verify the event store against the ledger and the checkpoints (see the module doc)."""
    check = ChainCheck(
        connection, events_table, key, start=start, stop=stop, extra=extra, progress=progress
    )
    return check.run(with_checkpoints=with_checkpoints)
