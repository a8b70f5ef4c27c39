"""What the application needs from the outside world, implemented in infrastructure."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from domain.actor import Actor, Role


class TimeSource(Protocol):
    """The source of the current time; tests set it."""

    def now(self) -> datetime: ...


IdFactory = Callable[[], UUID]


class Secrets(Protocol):
    """Random secrets and their one-way digests."""

    def new_access_code(self) -> str: ...

    def new_token(self) -> str: ...

    def hash_access_code(self, code: str) -> str: ...

    def access_code_matches(self, code: str, hashed: str) -> bool: ...

    def token_digest(self, token: str) -> str: ...


# Entered around every save of newly numbered records, so that savers in several processes
# take turns on the day's sequence instead of racing for it and numbering again. It only
# orders them: the event store's version check keeps numbers unique without it.
NumberingTurn = Callable[[], AbstractContextManager[None]]


class PasswordHasher(Protocol):
    """One-way password hashes (Argon2id); the hash text carries its own parameters."""

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether `password` is the one hashed; False (never an error) for any mismatch."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with weaker parameters than today's."""
        ...


class OneTimeCodes(Protocol):
    """Time-based one-time codes (TOTP, RFC 6238) of authenticator apps."""

    def new_secret(self) -> str:
        """A fresh random secret, as base32 text."""
        ...

    def verify(self, secret: str, code: str, at: datetime) -> int | None:
        """The time step a valid code belongs to (so it is not accepted twice), else None."""
        ...

    def provisioning_uri(self, secret: str, *, account: str, issuer: str) -> str:
        """The `otpauth://` URI an authenticator app scans from a QR code."""
        ...


@dataclass(frozen=True)
class ConsoleSession:
    """A console session as the server keeps it: whose, and what they still have to do."""

    account_id: UUID
    username: str
    name: str
    role: Role
    department: str | None
    created_at: datetime
    last_seen_at: datetime
    # None once signed in; else the step of the sign-in still owed (SignInStep's value).
    pending: str | None = None

    @property
    def signed_in(self) -> bool:
        return self.pending is None

    def actor(self, request_id: str | None = None) -> Actor:
        """The actor a signed-in request acts as: the history names the person."""
        return Actor.signed_in(self, request_id)


class ConsoleSessions(Protocol):
    """Server-side console sessions: only a digest of each token is kept, so a leaked table
    opens nothing; idle and absolute limits apply on every `find`."""

    def open(self, holder: ConsoleSession, at: datetime) -> str:
        """Open a session like `holder` (its times are set to `at`); answer its token."""
        ...

    def find(self, token: str, at: datetime) -> ConsoleSession | None:
        """The live session of a token, or None if unknown, ended, idle or too old."""
        ...

    def touch(self, token: str, at: datetime) -> None:
        """Note a request on the session: its idle time starts again."""
        ...

    def end(self, token: str) -> None: ...

    def end_all_for(self, account_id: UUID) -> int:
        """End every session of an account; answer how many it ended."""
        ...


@dataclass(frozen=True)
class SessionLimits:
    """How long a console session lives: ended after `idle` without a request, and after
    `absolute` in all, however busy (§12: 30 minutes and 12 hours by default)."""

    idle: timedelta
    absolute: timedelta

    def expired(self, session: ConsoleSession, at: datetime) -> bool:
        return at - session.last_seen_at >= self.idle or at - session.created_at >= self.absolute


@dataclass(frozen=True)
class OutgoingMessage:
    """One message as a channel sends it: to a phone, an e-mail address or a webhook URL."""

    channel: str
    to: str
    subject: str
    text: str
    idempotency_key: str


class DeliveryFailed(Exception):
    """A channel could not deliver a message; `permanent` when trying again cannot help
    (the receiver refused the message itself, not its own trouble)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Channel(Protocol):
    """A way out of the system: an SMS gateway, a mail server, a group robot's webhook."""

    name: str

    def deliver(self, message: OutgoingMessage) -> None:
        """Hand the message over; raise `DeliveryFailed` if it was not accepted."""
        ...
