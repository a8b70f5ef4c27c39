"""Staff accounts (§12): who signs in to the console, in which role, and what happened.

An account's id follows from its username, so a username names one record and two creations
of the same username at the same moment conflict in the event store. The record holds only
a password's hash (computed outside the domain) and the second factor's secret; both are
sealed in the stored events like personal data (`PERSONAL_FIELDS`), so neither the event
store, the ledger nor the audit feed holds them in clear.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.actor import Actor, Role, require_department_as_role_says
from domain.errors import Conflict, Forbidden, Invalid, NotFound
from domain.text import stripped_text

ACCOUNT_ROLES = frozenset({Role.OPERATOR, Role.DEPARTMENT, Role.INSPECTOR, Role.ADMIN})
# Two factors for those who audit and those who manage accounts (等保 2.0 level 3).
SECOND_FACTOR_ROLES = frozenset({Role.INSPECTOR, Role.ADMIN})
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
MAX_DISPLAY_NAME_LENGTH = 50
MIN_PASSWORD_LENGTH = 10
# Far beyond any passphrase; bounds the work a sign-in does on what a stranger sends.
MAX_PASSWORD_LENGTH = 256
FAILURES_BEFORE_LOCK = 5
LOCK_DURATION = timedelta(minutes=15)


class UsernameInvalid(Invalid):
    """A username is 2 to 32 lower-case letters, digits, `.`, `_` or `-`, starting with a
    letter or digit."""

    code = "invalid_username"


class DisplayNameInvalid(Invalid):
    """A display name is required, at most 50 characters, and text the record can hold."""

    code = "invalid_display_name"


class AccountRoleInvalid(Invalid):
    """Accounts are for operators, departments, inspectors and administrators."""

    code = "invalid_account_role"


class PasswordTooShort(Invalid):
    """A password has at least 10 characters."""

    code = "password_too_short"


class PasswordTooLong(Invalid):
    """A password has at most 256 characters."""

    code = "password_too_long"


class PasswordIsUsername(Invalid):
    """A password is not the username."""

    code = "password_is_username"


class PasswordUnchanged(Invalid):
    """A new password differs from the current one."""

    code = "password_unchanged"


class AccountAlreadyExists(Conflict):
    """A username names one account."""

    code = "account_exists"


class AccountNotFound(NotFound):
    """No account has this username."""

    code = "account_not_found"


class AccountAlreadyDisabled(Conflict):
    """An account is disabled once."""

    code = "account_already_disabled"


class AccountDisabled(Conflict):
    """A disabled account changes no more."""

    code = "account_disabled"


class SecondFactorAlreadyEnrolled(Conflict):
    """A second factor is set up once; an administrator resets it before another."""

    code = "second_factor_already_enrolled"


class AccountsForAdmins(Forbidden):
    """Only administrators manage accounts (separation of duties, §12)."""

    code = "accounts_for_admins"


class SignInStep(StrEnum):
    """What a person still has to do before a session acts for them."""

    SECOND_FACTOR = "second_factor"
    CHANGE_PASSWORD = "change_password"  # noqa: S105 (a step, not a password)
    ENROL_SECOND_FACTOR = "enrol_second_factor"
    SIGNED_IN = "signed_in"


class SignInFailure(StrEnum):
    """Why a sign-in (or a check of a signed-in person's password) failed, as recorded."""

    WRONG_PASSWORD = "wrong_password"  # noqa: S105 (a reason, not a password)
    WRONG_CODE = "wrong_code"
    LOCKED = "locked"
    DISABLED = "disabled"


# Failures that count towards the lock: guesses. Attempts on a locked or disabled account
# are recorded, but do not lengthen anything.
COUNTED_FAILURES = frozenset({SignInFailure.WRONG_PASSWORD, SignInFailure.WRONG_CODE})


def account_id(username: str) -> UUID:
    """The account's id follows from its username: one username, one record."""
    return uuid5(NAMESPACE_URL, f"oversight:account:{username}")


def require_username(username: str) -> str:
    """`username` if it is one an account can have, else UsernameInvalid."""
    if not USERNAME.fullmatch(username):
        raise UsernameInvalid(
            "a username is 2 to 32 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return username


def require_display_name(name: str) -> str:
    """The display name without surrounding spaces, if the record can hold it."""
    return stripped_text(
        name,
        subject="a display name",
        label="display name",
        longest=MAX_DISPLAY_NAME_LENGTH,
        error=DisplayNameInvalid,
    )


def require_acceptable_password(password: str, username: str) -> None:
    """The password rules of §12, checked before the password is hashed."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordTooLong(f"a password has at most {MAX_PASSWORD_LENGTH} characters")
    if password.casefold() == username.casefold():
        raise PasswordIsUsername("a password must not be the username")


class Account(Aggregate):
    """A person's account: role, department, password hash, second factor, lock and state."""

    TOPIC = "oversight:Account"

    class Event(Aggregate.Event):
        TOPIC = "oversight:Account.Event"
        actor: Actor

    class Created(Event, Aggregate.Created):
        TOPIC = "oversight:Account.Created"
        PERSONAL_FIELDS = ("password_hash",)
        username: str
        name: str
        role: str
        department: str | None
        password_hash: str

    def __init__(
        self,
        username: str,
        name: str,
        role: str,
        department: str | None,
        password_hash: str,
        actor: Actor,
    ) -> None:
        self.username = username
        self.name = name
        self.role = Role(role)
        self.department = department
        self.password_hash = password_hash
        self.created_by = actor
        # An initial password is known to whoever created the account: it is changed first.
        self.must_change_password = True
        self.disabled = False
        self.second_factor_secret: str | None = None
        self.last_code_step: int | None = None
        self.consecutive_failures = 0
        self.locked_until: datetime | None = None
        self.last_signed_in_at: datetime | None = None

    @classmethod
    def create(
        cls,
        *,
        username: str,
        name: str,
        role: Role,
        department: str | None,
        password_hash: str,
        by: Actor,
        at: datetime,
    ) -> Account:
        """Open an account with a one-time password, to be changed at the first sign-in."""
        require_username(username)
        name = require_display_name(name)
        if role not in ACCOUNT_ROLES:
            raise AccountRoleInvalid(f"accounts cannot be opened for the {role.value} role")
        require_department_as_role_says(role, department, "account")
        return cls._create(
            cls.Created,
            id=account_id(username),
            username=username,
            name=name,
            role=role.value,
            department=department,
            password_hash=password_hash,
            actor=by,
            timestamp=at,
        )

    # What the account is and may do -----------------------------------------------------

    @property
    def second_factor_required(self) -> bool:
        return self.role in SECOND_FACTOR_ROLES

    def is_locked(self, at: datetime) -> bool:
        return self.locked_until is not None and at < self.locked_until

    def as_actor(self, request_id: str | None = None) -> Actor:
        """The actor this account's person acts as: the history names them."""
        return Actor.signed_in(self, request_id)

    def refusal(self, *, password_matches: bool, at: datetime) -> SignInFailure | None:
        """Why a sign-in with a password that does (or does not) match is refused, if it is."""
        if self.disabled:
            return SignInFailure.DISABLED
        if self.is_locked(at):
            return SignInFailure.LOCKED
        if not password_matches:
            return SignInFailure.WRONG_PASSWORD
        return None

    def next_step(self, *, second_factor_passed: bool) -> SignInStep:
        """What the person does next, once their password was accepted: prove the second
        factor, then change a one-time password, then set up a second factor they need."""
        if self.second_factor_secret is not None and not second_factor_passed:
            return SignInStep.SECOND_FACTOR
        if self.must_change_password:
            return SignInStep.CHANGE_PASSWORD
        if self.second_factor_secret is None and self.second_factor_required:
            return SignInStep.ENROL_SECOND_FACTOR
        return SignInStep.SIGNED_IN

    def fresh_code_step(self, step: int) -> bool:
        """Whether a one-time code of this time step was not used before (no replay)."""
        return self.last_code_step is None or step > self.last_code_step

    # Signing in ----------------------------------------------------------------------------

    class SignInFailed(Event):
        TOPIC = "oversight:Account.SignInFailed"
        reason: str

        def apply(self, account: Account) -> None:
            if SignInFailure(self.reason) in COUNTED_FAILURES:
                account.consecutive_failures += 1

    class Locked(Event):
        TOPIC = "oversight:Account.Locked"
        until: datetime

        def apply(self, account: Account) -> None:
            account.locked_until = self.until
            account.consecutive_failures = 0

    def fail_sign_in(self, reason: SignInFailure, *, by: Actor, at: datetime) -> bool:
        """Record a failed attempt; the fifth guess in a row locks the account for 15
        minutes. Answers whether this attempt locked it."""
        self.trigger_event(self.SignInFailed, reason=reason.value, actor=by, timestamp=at)
        if self.consecutive_failures < FAILURES_BEFORE_LOCK:
            return False
        self.trigger_event(self.Locked, until=at + LOCK_DURATION, actor=by, timestamp=at)
        return True

    class SecondFactorPassed(Event):
        TOPIC = "oversight:Account.SecondFactorPassed"
        code_step: int

        def apply(self, account: Account) -> None:
            account.last_code_step = self.code_step

    def pass_second_factor(self, code_step: int, *, by: Actor, at: datetime) -> None:
        """Record that a fresh one-time code was given (its time step is not used again)."""
        self.trigger_event(self.SecondFactorPassed, code_step=code_step, actor=by, timestamp=at)

    class SignedIn(Event):
        TOPIC = "oversight:Account.SignedIn"

        def apply(self, account: Account) -> None:
            account.consecutive_failures = 0
            account.locked_until = None
            account.last_signed_in_at = self.timestamp

    def sign_in(self, *, by: Actor, at: datetime) -> None:
        """Record a completed sign-in: a session acts for the person from now on."""
        self._require_enabled()
        self.trigger_event(self.SignedIn, actor=by, timestamp=at)

    class SignedOut(Event):
        TOPIC = "oversight:Account.SignedOut"

    def sign_out(self, *, by: Actor, at: datetime) -> None:
        """Record that the person ended their session."""
        self.trigger_event(self.SignedOut, actor=by, timestamp=at)

    # Passwords and the second factor ----------------------------------------------------

    class PasswordChanged(Event):
        TOPIC = "oversight:Account.PasswordChanged"
        PERSONAL_FIELDS = ("password_hash",)
        password_hash: str

        def apply(self, account: Account) -> None:
            account.password_hash = self.password_hash
            account.must_change_password = False

    def change_password(self, password_hash: str, *, by: Actor, at: datetime) -> None:
        """Record the person's own new password (its hash)."""
        self._require_enabled()
        self.trigger_event(
            self.PasswordChanged, password_hash=password_hash, actor=by, timestamp=at
        )

    class PasswordRehashed(Event):
        TOPIC = "oversight:Account.PasswordRehashed"
        PERSONAL_FIELDS = ("password_hash",)
        password_hash: str

        def apply(self, account: Account) -> None:
            account.password_hash = self.password_hash

    def rehash_password(self, password_hash: str, *, by: Actor, at: datetime) -> None:
        """Record the same password hashed with today's parameters."""
        self.trigger_event(
            self.PasswordRehashed, password_hash=password_hash, actor=by, timestamp=at
        )

    class PasswordReset(Event):
        TOPIC = "oversight:Account.PasswordReset"
        PERSONAL_FIELDS = ("password_hash",)
        password_hash: str

        def apply(self, account: Account) -> None:
            account.password_hash = self.password_hash
            account.must_change_password = True
            account.consecutive_failures = 0
            account.locked_until = None

    def reset_password(self, password_hash: str, *, by: Actor, at: datetime) -> None:
        """Record a one-time password set by an administrator; it also lifts a lock."""
        self._require_enabled()
        self.trigger_event(self.PasswordReset, password_hash=password_hash, actor=by, timestamp=at)

    class SecondFactorEnrolled(Event):
        TOPIC = "oversight:Account.SecondFactorEnrolled"
        PERSONAL_FIELDS = ("secret",)
        secret: str
        code_step: int

        def apply(self, account: Account) -> None:
            account.second_factor_secret = self.secret
            account.last_code_step = self.code_step

    def enrol_second_factor(self, secret: str, *, code_step: int, by: Actor, at: datetime) -> None:
        """Record the TOTP secret the person's authenticator app now holds."""
        self._require_enabled()
        if self.second_factor_secret is not None:
            raise SecondFactorAlreadyEnrolled("a second factor is already set up")
        self.trigger_event(
            self.SecondFactorEnrolled, secret=secret, code_step=code_step, actor=by, timestamp=at
        )

    # The account's state -------------------------------------------------------------------

    class Disabled(Event):
        TOPIC = "oversight:Account.Disabled"

        def apply(self, account: Account) -> None:
            account.disabled = True

    def disable(self, *, by: Actor, at: datetime) -> None:
        """Disable the account: nobody signs in with it any more."""
        if self.disabled:
            raise AccountAlreadyDisabled(f"the account {self.username} is already disabled")
        self.trigger_event(self.Disabled, actor=by, timestamp=at)

    def _require_enabled(self) -> None:
        if self.disabled:
            raise AccountDisabled(f"the account {self.username} is disabled")
