"""Verbs on staff accounts (§12): administrators manage them, people sign in and out.

Signing in is a short dialogue. A right password opens a session that only continues the
sign-in (`pending`) while something is owed — a one-time code, the change of a one-time
password, the set-up of a second factor — and a full session once nothing is. Every step
that changes who may act ends the sessions it replaces and opens a fresh one, so a token
seen before a step is worth nothing after it.

A refused sign-in says the same thing whatever the reason (unknown username, wrong password,
locked or disabled account) after the same work: an unknown username is checked against a
dummy hash. Failures also count per client (a keyed digest of its network), for every API
process together, so one client cannot try many usernames either.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import TypeVar
from uuid import UUID

from application.base import ConcurrentChange
from application.directory import DirectoryVerbs
from application.ports import ConsoleSession, ConsoleSessions, OneTimeCodes, PasswordHasher
from application.public_status import ClientLimit, TooManyRequests
from application.views import view_of
from domain.account import (
    MAX_PASSWORD_LENGTH,
    USERNAME,
    Account,
    AccountAlreadyExists,
    AccountNotFound,
    AccountsForAdmins,
    PasswordUnchanged,
    SignInFailure,
    SignInStep,
    account_id,
    require_acceptable_password,
)
from domain.actor import Actor, Role
from domain.errors import DomainError, Forbidden, Invalid, NotFound

T = TypeVar("T")

# Sign-in failures one client may make in a window of time, whatever the usernames it tries.
SIGN_IN_FAILURES_PER_CLIENT = 30
SIGN_IN_FAILURES_CLIENT_WINDOW = timedelta(minutes=10)
# The name authenticator apps show beside the username.
ISSUER = "Oversight"
# A TOTP secret as base32 text: 160 bits at least (RFC 4226 recommends it), 320 at most.
SECOND_FACTOR_SECRET = re.compile(r"[A-Z2-7]{32,64}")
# Saves that met another save of the same account at the same moment are tried again.
SAVE_ATTEMPTS = 3
MANAGERS = frozenset({Role.ADMIN, Role.SYSTEM})


class SignInRefused(DomainError):
    """The one answer to every refused sign-in: it never says whether the username exists."""

    code = "sign_in_refused"
    MESSAGE = "the username or password is wrong, or the account cannot sign in now"

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


class SessionEnded(NotFound):
    """The session is unknown, ended or expired, or is not at this step: sign in again."""

    code = "session_ended"


class CurrentPasswordWrong(Forbidden):
    """Changing a password needs the current one."""

    code = "wrong_current_password"


class PasswordsDiffer(Invalid):
    """The new password and its confirmation differ."""

    code = "passwords_differ"


class SecondFactorCodeWrong(Forbidden):
    """The one-time code is not the authenticator's current one (or was used already)."""

    code = "wrong_second_factor_code"


class SecondFactorSecretInvalid(Invalid):
    """A second factor's secret is base32 text of 32 to 64 characters, as it was shown."""

    code = "invalid_second_factor_secret"


@dataclass(frozen=True)
class AccountSummary:
    """An account as an administrator lists it; nothing secret."""

    id: UUID
    username: str
    name: str
    role: Role
    department: str | None
    disabled: bool
    second_factor: bool
    must_change_password: bool
    locked_until: datetime | None
    created_at: datetime
    last_signed_in_at: datetime | None = None


@dataclass(frozen=True)
class OneTimePassword:
    """A password an administrator hands over once; it must be changed at the first sign-in."""

    account: AccountSummary
    password: str


@dataclass(frozen=True)
class SignInResult:
    """Where a sign-in stands: `step` is SIGNED_IN with a full session's token, or the step
    still owed with a token that only continues the sign-in."""

    step: SignInStep
    token: str
    account: AccountSummary


@dataclass(frozen=True)
class SecondFactorSetUp:
    """A new TOTP secret, as text to type and as the URI a QR code shows."""

    secret: str
    uri: str


class AccountRecords(DirectoryVerbs):
    """Loading and saving accounts in the one event store."""

    def account_or_none(self, username: str) -> Account | None:
        """The account of a username, or None (also for text that cannot be a username)."""
        if not USERNAME.fullmatch(username):
            return None
        found = self._load_or_none(account_id(username))
        return found if isinstance(found, Account) else None

    def save_account(self, account: Account) -> int:
        return self._commit(account)

    def all_accounts(self) -> list[Account]:
        """Every account ever created, oldest first."""
        return self._all_opened_by(Account.Created)


@dataclass(eq=False)
class Accounts:
    """The account verbs: creating, resetting, disabling and listing accounts (admins), and
    signing in, proving the second factor, changing the password and signing out (people)."""

    records: AccountRecords
    _: KW_ONLY
    passwords: PasswordHasher
    codes: OneTimeCodes
    sessions: ConsoleSessions
    failures_by_client: ClientLimit
    new_password: Callable[[], str]

    # Administrators' verbs -----------------------------------------------------------------

    def create_account(
        self, *, username: str, name: str, role: Role, department: str | None, by: Actor
    ) -> OneTimePassword:
        """Open an account; answer its one-time password, shown once."""
        _require_manager(by)
        password = self.new_password()
        account = Account.create(
            username=username,
            name=name,
            role=role,
            department=department,
            password_hash=self.passwords.hash(password),
            by=by,
            at=self.records.time_source.now(),
        )
        if department is not None:
            self.records.directory().active_department(department)
        if self.records.account_or_none(username) is not None:
            raise _exists(username)
        try:
            self.records.save_account(account)
        except ConcurrentChange:
            raise _exists(username) from None
        return OneTimePassword(_summary(account), password)

    def reset_password(self, username: str, *, by: Actor) -> OneTimePassword:
        """Give an account a new one-time password (it also lifts a lock); its sessions end."""
        _require_manager(by)
        password = self.new_password()
        password_hash = self.passwords.hash(password)

        def reset() -> Account:
            account = self._account(username)
            account.reset_password(password_hash, by=by, at=self.records.time_source.now())
            self.records.save_account(account)
            return account

        account = self._retrying(reset)
        self.sessions.end_all_for(account.id)
        return OneTimePassword(_summary(account), password)

    def disable_account(self, username: str, *, by: Actor) -> AccountSummary:
        """Disable an account: nobody signs in with it any more; its sessions end at once."""
        _require_manager(by)

        def disable() -> Account:
            account = self._account(username)
            account.disable(by=by, at=self.records.time_source.now())
            self.records.save_account(account)
            return account

        account = self._retrying(disable)
        self.sessions.end_all_for(account.id)
        return _summary(account)

    def list_accounts(self, *, viewer: Actor) -> list[AccountSummary]:
        """Every account, oldest first, disabled ones included."""
        _require_manager(viewer)
        return [_summary(account) for account in self.records.all_accounts()]

    # People's verbs --------------------------------------------------------------------------

    async def sign_in(
        self,
        username: str,
        password: str,
        *,
        client: str,
        at: datetime,
        request_id: str | None = None,
    ) -> SignInResult:
        """Check a username and password (登录); answer the next step and its session."""
        return await self._limited_check(
            client,
            at,
            lambda: self._check_password(username, password, at, request_id),
            SignInRefused(),
        )

    async def verify_second_factor(
        self, token: str, code: str, *, client: str, at: datetime, request_id: str | None = None
    ) -> SignInResult:
        """Check the one-time code of a sign-in that owes it (动态口令 → 验证)."""
        return await self._limited_check(
            client,
            at,
            lambda: self._check_code(token, code, at, request_id),
            SecondFactorCodeWrong("the one-time code is wrong or was used already"),
        )

    def new_second_factor(self, token: str, *, at: datetime) -> SecondFactorSetUp:
        """A fresh secret to set up in an authenticator app (shown as text and QR code)."""
        return self.second_factor_set_up(token, self.codes.new_secret(), at=at)

    def second_factor_set_up(self, token: str, secret: str, *, at: datetime) -> SecondFactorSetUp:
        """The set-up of a secret shown before, shown again (after a wrong code, the person's
        app already holds it)."""
        session = self._session(token, at, SignInStep.ENROL_SECOND_FACTOR)
        _require_second_factor_secret(secret)
        uri = self.codes.provisioning_uri(secret, account=session.username, issuer=ISSUER)
        return SecondFactorSetUp(secret, uri)

    def enrol_second_factor(
        self, token: str, secret: str, code: str, *, at: datetime, request_id: str | None = None
    ) -> SignInResult:
        """Keep the secret the person's app holds, once it gives a valid code (绑定)."""
        session = self._session(token, at, SignInStep.ENROL_SECOND_FACTOR)
        _require_second_factor_secret(secret)
        code_step = self.codes.verify(secret, code, at)
        if code_step is None:
            raise SecondFactorCodeWrong("the one-time code does not match the new secret")

        def enrol() -> SignInResult:
            account = self._account_of(session)
            by = account.as_actor(request_id)
            account.enrol_second_factor(secret, code_step=code_step, by=by, at=at)
            return self._continue(
                account, by, at, second_factor_passed=True, ending=self._ending_all(account)
            )

        return self._retrying(enrol)

    def change_password(
        self,
        token: str,
        current: str,
        new: str,
        confirm: str,
        *,
        at: datetime,
        request_id: str | None = None,
    ) -> SignInResult:
        """Replace the password (当前密码, 新密码, 确认新密码 → 修改密码); the account's other
        sessions end, and a fresh one is answered."""
        session = self._session(token, at, SignInStep.CHANGE_PASSWORD)
        if new != confirm:
            raise PasswordsDiffer("the new password and its confirmation differ")
        require_acceptable_password(new, session.username)
        if new == current:
            raise PasswordUnchanged("the new password is the current one")
        new_hash = self.passwords.hash(new)

        def change() -> SignInResult | None:
            account = self._account_of(session)
            by = account.as_actor(request_id)
            if not self.passwords.verify(account.password_hash, current):
                self._fail(account, SignInFailure.WRONG_PASSWORD, by, at)
                return None
            account.change_password(new_hash, by=by, at=at)
            return self._continue(
                account, by, at, second_factor_passed=True, ending=self._ending_all(account)
            )

        result = self._retrying(change)
        if result is None:
            raise CurrentPasswordWrong("the current password is wrong")
        return result

    def sign_out(self, token: str, *, at: datetime, request_id: str | None = None) -> None:
        """End the session (退出); a session already ended is no error."""
        session = self.sessions.find(token, at)
        if session is None:
            return
        if session.signed_in:

            def record() -> None:
                account = self._account_of(session)
                account.sign_out(by=account.as_actor(request_id), at=at)
                self.records.save_account(account)

            self._retrying(record)
        self.sessions.end(token)

    def session(self, token: str, at: datetime) -> ConsoleSession | None:
        """The live session of a token (signed in or not yet), or None."""
        return self.sessions.find(token, at)

    # The steps -------------------------------------------------------------------------------

    def _check_password(
        self, username: str, password: str, at: datetime, request_id: str | None
    ) -> SignInResult | None:
        account = self.records.account_or_none(username)
        if account is None or len(password) > MAX_PASSWORD_LENGTH:
            # Comparable work whether the username exists or not.
            self.passwords.verify(self._dummy_hash, password[:MAX_PASSWORD_LENGTH])
            return None
        matches = self.passwords.verify(account.password_hash, password)
        by = account.as_actor(request_id)
        refusal = account.refusal(password_matches=matches, at=at)
        if refusal is not None:
            self._fail(account, refusal, by, at)
            return None
        if self.passwords.needs_rehash(account.password_hash):
            account.rehash_password(self.passwords.hash(password), by=by, at=at)
        return self._continue(account, by, at, second_factor_passed=False)

    def _check_code(
        self, token: str, code: str, at: datetime, request_id: str | None
    ) -> SignInResult | None:
        session = self._session(token, at, SignInStep.SECOND_FACTOR)
        account = self._account_of(session)
        by = account.as_actor(request_id)
        refusal = account.refusal(password_matches=True, at=at)
        code_step = None if refusal else self._fresh_code_step(account, code, at)
        if code_step is None:
            self._fail(account, refusal or SignInFailure.WRONG_CODE, by, at)
            return None
        account.pass_second_factor(code_step, by=by, at=at)
        return self._continue(
            account, by, at, second_factor_passed=True, ending=lambda: self.sessions.end(token)
        )

    def _fresh_code_step(self, account: Account, code: str, at: datetime) -> int | None:
        """The time step of a valid code not used before, else None."""
        if account.second_factor_secret is None:
            return None
        code_step = self.codes.verify(account.second_factor_secret, code, at)
        if code_step is None or not account.fresh_code_step(code_step):
            return None
        return code_step

    def _continue(
        self,
        account: Account,
        by: Actor,
        at: datetime,
        *,
        second_factor_passed: bool,
        ending: Callable[[], object] = lambda: None,
    ) -> SignInResult:
        """Record where the sign-in got to, end the sessions it replaces (`ending`), and
        open the next."""
        step = account.next_step(second_factor_passed=second_factor_passed)
        if step is SignInStep.SIGNED_IN:
            account.sign_in(by=by, at=at)
        self.records.save_account(account)
        ending()
        pending = None if step is SignInStep.SIGNED_IN else step.value
        token = self.sessions.open(console_session(account, at, pending), at)
        return SignInResult(step, token, _summary(account))

    def _ending_all(self, account: Account) -> Callable[[], object]:
        """Ends every session of the account: after its password or second factor changed,
        a session opened before is worth nothing."""
        return lambda: self.sessions.end_all_for(account.id)

    def _fail(self, account: Account, reason: SignInFailure, by: Actor, at: datetime) -> None:
        """Record a failure; a lock (or a disabled account) ends the account's sessions."""
        locked = account.fail_sign_in(reason, by=by, at=at)
        self.records.save_account(account)
        if locked or reason in (SignInFailure.LOCKED, SignInFailure.DISABLED):
            self.sessions.end_all_for(account.id)

    async def _limited_check(
        self,
        client: str,
        at: datetime,
        check: Callable[[], SignInResult | None],
        refused: Exception,
    ) -> SignInResult:
        """Run a sign-in check (None: it failed) for a client its failures have not shut out
        for now; a failure counts against the client and raises `refused`."""
        wait = await self.failures_by_client.wait(client, at)
        if wait is not None:
            raise TooManyRequests(
                f"too many failed sign-ins from this network; try again in {wait} seconds", wait
            )
        result = await asyncio.to_thread(self._retrying, check)
        if result is None:
            await self.failures_by_client.hit(client, at)
            raise refused
        return result

    def _session(self, token: str, at: datetime, step: SignInStep) -> ConsoleSession:
        """The live session of a token, if signed in or owing exactly `step`."""
        session = self.sessions.find(token, at)
        if session is None or not (session.signed_in or session.pending == step.value):
            raise SessionEnded("the session has ended or expired; sign in again")
        return session

    def _account_of(self, session: ConsoleSession) -> Account:
        account = self.records.account_or_none(session.username)
        if account is None or account.id != session.account_id:
            raise SessionEnded("the session's account no longer exists; sign in again")
        return account

    def _account(self, username: str) -> Account:
        account = self.records.account_or_none(username)
        if account is None:
            raise AccountNotFound(f"there is no account {username!r}")
        return account

    def _retrying(self, attempt: Callable[[], T]) -> T:
        """Run `attempt` (which loads, changes and saves) again if another save of the same
        account came in between."""
        for _ in range(SAVE_ATTEMPTS - 1):
            try:
                return attempt()
            except ConcurrentChange:
                continue
        return attempt()

    @cached_property
    def _dummy_hash(self) -> str:
        """A hash of no one's password, checked when the username is unknown."""
        return self.passwords.hash(self.new_password())


def _require_manager(actor: Actor) -> None:
    if actor.role not in MANAGERS:
        raise AccountsForAdmins("only administrators manage accounts")


def _require_second_factor_secret(secret: str) -> None:
    if not SECOND_FACTOR_SECRET.fullmatch(secret):
        raise SecondFactorSecretInvalid(
            "the secret is base32 text of 32 to 64 characters, as it was shown"
        )


def _exists(username: str) -> AccountAlreadyExists:
    return AccountAlreadyExists(f"the username {username!r} is taken")


def console_session(account: Account, at: datetime, pending: str | None) -> ConsoleSession:
    """The console session an account holds from `at`; `pending`: a sign-in step still to do."""
    return view_of(
        ConsoleSession,
        account,
        account_id=account.id,
        created_at=at,
        last_seen_at=at,
        pending=pending,
    )


def _summary(account: Account) -> AccountSummary:
    return view_of(
        AccountSummary,
        account,
        second_factor=account.second_factor_secret is not None,
        created_at=account.created_on,
    )
