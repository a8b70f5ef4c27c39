"""The checkpoint format (§8): what a checkpoint states, the text signed, stored and exported.

A checkpoint states the ledger's head — its number, the position and chain hash there, when
it was made, the hash of the checkpoint before it, the key that signs it and the log it
covers — as compact JSON with sorted keys, ASCII only, and that exact text is what the
service's Ed25519 key signs. The text is stored beside columns that repeat its fields for
queries, and exported with the fields written out, the signature and the public key; every
reader (verification, `check-checkpoint`, the next checkpoint) goes back to the signed text.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg

from application.audit import Checkpoint
from infrastructure.signing import PublicKey, SigningKey

CHECKPOINT_FORMAT = "oversight-ledger-checkpoint/1"


class NotACheckpoint(ValueError):
    """A text or an export that is not an Oversight checkpoint (the message says how)."""


@dataclass(frozen=True)
class Statement:
    """What a checkpoint states, the fields of its signed text."""

    number: int
    position: int
    chain_hash: bytes
    made_at: str
    previous: bytes | None
    key_id: str
    log: str

    @classmethod
    def of_head(
        cls,
        *,
        number: int,
        position: int,
        chain_hash: bytes,
        at: datetime,
        previous: bytes | None,
        key_id: str,
        log: str,
    ) -> Statement:
        """The statement of a ledger head signed at `at` (written in UTC)."""
        made_at = at.astimezone(UTC).isoformat()
        return cls(number, position, chain_hash, made_at, previous, key_id, log)

    @classmethod
    def parse(cls, text: str) -> Statement:
        """The statement a signed text makes; NotACheckpoint when it makes none."""
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("format") != CHECKPOINT_FORMAT:
                raise ValueError(CHECKPOINT_FORMAT)
            previous = data["previous"]
            return cls(
                number=int(data["number"]),
                position=int(data["position"]),
                chain_hash=bytes.fromhex(str(data["chain_hash"])),
                made_at=str(data["made_at"]),
                previous=bytes.fromhex(previous) if previous is not None else None,
                key_id=str(data["key_id"]),
                log=str(data["log"]),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise NotACheckpoint("not an Oversight ledger checkpoint statement") from error

    def fields(self) -> dict[str, Any]:
        """The fields as both the signed text and an export write them (hashes in hex)."""
        return {
            "number": self.number,
            "position": self.position,
            "chain_hash": self.chain_hash.hex(),
            "made_at": self.made_at,
            "previous": self.previous.hex() if self.previous is not None else None,
            "key_id": self.key_id,
        }

    def text(self) -> str:
        """The exact text a checkpoint signs."""
        return json.dumps(
            {"format": CHECKPOINT_FORMAT, "log": self.log, **self.fields()},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=True,
        )


def statement_hash(text: str) -> bytes:
    """What the next checkpoint names as its `previous`: SHA-256 of the signed text."""
    return hashlib.sha256(text.encode()).digest()


@dataclass(frozen=True)
class SignedCheckpoint:
    """A statement's text and the signature over it: what is stored and exported."""

    text: str
    signature: bytes

    @classmethod
    def sign(cls, statement: Statement, key: SigningKey) -> SignedCheckpoint:
        text = statement.text()
        return cls(text, key.sign(text.encode()))

    @classmethod
    def from_export(cls, exported: Mapping[str, Any]) -> tuple[SignedCheckpoint, Statement]:
        """An exported checkpoint read back, and what it states; NotACheckpoint when it is
        malformed or a field written beside the signed text says something else."""
        try:
            signature = base64.b64decode(str(exported.get("signature", "")), validate=True)
        except (ValueError, binascii.Error):
            raise NotACheckpoint("the checkpoint's signature is not base64") from None
        text = exported.get("statement")
        if not isinstance(text, str):
            raise NotACheckpoint("the checkpoint has no signed `statement`")
        signed = cls(text, signature)
        try:
            statement = signed.statement()
        except NotACheckpoint:
            raise NotACheckpoint(
                "the checkpoint's `statement` is not an Oversight checkpoint statement"
            ) from None
        for name, value in statement.fields().items():
            if name in exported and exported[name] != value:
                raise NotACheckpoint(
                    f"the checkpoint's `{name}` ({exported[name]!r}) is not what its signed "
                    f"statement says ({value!r}): it was altered"
                )
        return signed, statement

    @property
    def hash(self) -> bytes:
        return statement_hash(self.text)

    def statement(self) -> Statement:
        return Statement.parse(self.text)

    def signed_by(self, key: PublicKey) -> bool:
        """Whether `key` made the signature over this exact text."""
        return key.verifies(self.signature, self.text.encode())

    def exported(self, key: PublicKey) -> Checkpoint:
        """The checkpoint as exported: the statement's fields, its text, signature and key."""
        return Checkpoint(
            **self.statement().fields(),
            statement=self.text,
            signature=base64.b64encode(self.signature).decode(),
            public_key=key.base64,
            hash=self.hash.hex(),
        )


# Stored checkpoints ---------------------------------------------------------------------


@dataclass(frozen=True)
class StoredCheckpoint:
    """A checkpoint row: the signed text and signature, and the columns that repeat it."""

    number: int
    position: int
    chain_hash: bytes
    previous_hash: bytes | None
    key_id: str
    signed: SignedCheckpoint

    def columns_match(self, statement: Statement) -> bool:
        """Whether the columns say what the signed statement says."""
        return (self.number, self.position, self.chain_hash, self.previous_hash, self.key_id) == (
            statement.number,
            statement.position,
            statement.chain_hash,
            statement.previous,
            statement.key_id,
        )


def stored_checkpoints(connection: psycopg.Connection[Any]) -> list[StoredCheckpoint]:
    """Every checkpoint row, oldest first."""
    rows = connection.execute(
        "SELECT number, position, chain_hash, previous_hash, key_id, statement, signature "
        "FROM ledger_checkpoints ORDER BY number"
    ).fetchall()
    return [
        StoredCheckpoint(
            number=int(number),
            position=int(position),
            chain_hash=bytes(chain_hash),
            previous_hash=bytes(previous) if previous is not None else None,
            key_id=key_id,
            signed=SignedCheckpoint(statement, bytes(signature)),
        )
        for number, position, chain_hash, previous, key_id, statement, signature in rows
    ]


def store_checkpoint(connection: psycopg.Connection[Any], signed: SignedCheckpoint) -> Statement:
    """Insert a signed checkpoint, its columns read from its text; answer what it states."""
    statement = signed.statement()
    connection.execute(
        "INSERT INTO ledger_checkpoints (number, position, chain_hash, made_at, "
        "previous_hash, key_id, statement, signature) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        (
            statement.number,
            statement.position,
            statement.chain_hash,
            datetime.fromisoformat(statement.made_at),
            statement.previous,
            statement.key_id,
            signed.text,
            signed.signature,
        ),
    )
    return statement


def newest_checkpoint(connection: psycopg.Connection[Any]) -> tuple[int, datetime] | None:
    """The position the newest checkpoint covers to and when it was made, as its columns say
    (None: none yet)."""
    row = connection.execute(
        "SELECT position, made_at FROM ledger_checkpoints ORDER BY number DESC LIMIT 1"
    ).fetchone()
    return (int(row[0]), row[1]) if row else None
