"""The account verbs on the in-memory store: creating, signing in step by step, sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import argon2
import pyotp
import pytest

from application.accounts import (
    SIGN_IN_FAILURES_CLIENT_WINDOW,
    SIGN_IN_FAILURES_PER_CLIENT,
    Accounts,
    CurrentPasswordWrong,
    PasswordsDiffer,
    SecondFactorCodeWrong,
    SessionEnded,
    SignInRefused,
    SignInResult,
)
from application.audit import history_entry
from application.ports import SessionLimits
from application.projections.audit_events import audit_row
from application.public_status import TooManyRequests
from application.supervision import Supervision
from domain.account import (
    AccountAlreadyExists,
    AccountsForAdmins,
    PasswordIsUsername,
    SignInStep,
    account_id,
)
from domain.actor import Actor, Role
from domain.directory import UnknownDepartment
from infrastructure.passwords import Argon2Passwords, TotpCodes
from infrastructure.rate_limits import InMemoryClientLimit
from infrastructure.sessions import InMemoryConsoleSessions
from tests.support import SettableTimeSource
from tests.unit.actors import ADMIN

CLIENT = "client-digest-1"
NEW_PASSWORD = "a new passphrase"


class CountingPasswords(Argon2Passwords):
    """Argon2id at its cheapest (tests only), counting the verifications it does."""

    def __init__(self) -> None:
        super().__init__(argon2.PasswordHasher.from_parameters(argon2.profiles.CHEAPEST))
        self.verified = 0

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified += 1
        return super().verify(password_hash, password)


@dataclass
class Desk:
    accounts: Accounts
    passwords: CountingPasswords
    time_source: SettableTimeSource

    def create(self, username: str, role: Role = Role.OPERATOR, dept: str | None = None) -> str:
        return self.accounts.create_account(
            username=username, name="王芳", role=role, department=dept, by=ADMIN
        ).password

    async def sign_in(self, username: str, password: str, client: str = CLIENT) -> SignInResult:
        return await self.accounts.sign_in(
            username, password, client=client, at=self.time_source.now()
        )

    def change(self, token: str, current: str, new: str = NEW_PASSWORD) -> SignInResult:
        return self.accounts.change_password(token, current, new, new, at=self.time_source.now())


@pytest.fixture
def desk(supervision: Supervision, time_source: SettableTimeSource) -> Desk:
    passwords = CountingPasswords()
    accounts = Accounts(
        supervision,
        passwords=passwords,
        codes=TotpCodes(),
        sessions=InMemoryConsoleSessions(
            SessionLimits(idle=timedelta(minutes=30), absolute=timedelta(hours=12))
        ),
        failures_by_client=InMemoryClientLimit(
            name="sign-in-failures",
            amount=SIGN_IN_FAILURES_PER_CLIENT,
            window=SIGN_IN_FAILURES_CLIENT_WINDOW,
        ),
        new_password=lambda: "one-time-password-1",
    )
    return Desk(accounts, passwords, time_source)


async def signed_in_operator(desk: Desk, username: str = "wang.fang") -> SignInResult:
    first = await desk.sign_in(username, desk.create(username))
    return desk.change(first.token, "one-time-password-1")


async def enrolled_inspector(desk: Desk, username: str = "li.na") -> tuple[SignInResult, str]:
    first = await desk.sign_in(username, desk.create(username, Role.INSPECTOR))
    changed = desk.change(first.token, "one-time-password-1")
    set_up = desk.accounts.new_second_factor(changed.token, at=desk.time_source.now())
    code = pyotp.TOTP(set_up.secret).at(desk.time_source.now())
    enrolled = desk.accounts.enrol_second_factor(
        changed.token, set_up.secret, code, at=desk.time_source.now()
    )
    return enrolled, set_up.secret


async def test_a_new_account_signs_in_with_its_one_time_password_and_must_change_it(
    desk: Desk,
) -> None:
    first = await desk.sign_in("wang.fang", desk.create("wang.fang"))
    assert first.step is SignInStep.CHANGE_PASSWORD
    session = desk.accounts.session(first.token, desk.time_source.now())
    assert session is not None
    assert not session.signed_in

    changed = desk.change(first.token, "one-time-password-1")

    assert changed.step is SignInStep.SIGNED_IN
    session = desk.accounts.session(changed.token, desk.time_source.now())
    assert session is not None
    assert session.signed_in
    assert session.actor("req-1") == Actor(
        "wang.fang", Role.OPERATOR, request_id="req-1", name="王芳"
    )
    assert desk.accounts.session(first.token, desk.time_source.now()) is None


async def test_the_new_password_follows_the_rules(desk: Desk) -> None:
    first = await desk.sign_in("wangfang01", desk.create("wangfang01"))
    with pytest.raises(PasswordsDiffer):
        desk.accounts.change_password(
            first.token, "one-time-password-1", NEW_PASSWORD, "other", at=desk.time_source.now()
        )
    with pytest.raises(PasswordIsUsername):
        desk.change(first.token, "one-time-password-1", "WangFang01")
    with pytest.raises(CurrentPasswordWrong):
        desk.change(first.token, "not the password")


async def test_a_wrong_password_and_an_unknown_username_get_the_same_refusal(desk: Desk) -> None:
    desk.create("wang.fang")
    with pytest.raises(SignInRefused) as wrong:
        await desk.sign_in("wang.fang", "not the password")
    verified = desk.passwords.verified
    with pytest.raises(SignInRefused) as unknown:
        await desk.sign_in("nobody", "not the password")
    assert wrong.value.message == unknown.value.message
    assert wrong.value.code == unknown.value.code == "sign_in_refused"
    # The unknown username cost a verification too, against a dummy hash.
    assert desk.passwords.verified == verified + 1


async def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(desk: Desk) -> None:
    await signed_in_operator(desk)
    for _ in range(5):
        with pytest.raises(SignInRefused):
            await desk.sign_in("wang.fang", "not the password")
    with pytest.raises(SignInRefused):
        await desk.sign_in("wang.fang", NEW_PASSWORD)

    desk.time_source.advance(minutes=15)

    assert (await desk.sign_in("wang.fang", NEW_PASSWORD)).step is SignInStep.SIGNED_IN


async def test_a_lock_ends_the_accounts_sessions(desk: Desk) -> None:
    signed_in = await signed_in_operator(desk)
    for _ in range(5):
        with pytest.raises(SignInRefused):
            await desk.sign_in("wang.fang", "not the password")
    assert desk.accounts.session(signed_in.token, desk.time_source.now()) is None


async def test_a_client_that_fails_too_often_is_refused_even_with_a_right_password(
    desk: Desk,
) -> None:
    await signed_in_operator(desk)
    for n in range(SIGN_IN_FAILURES_PER_CLIENT):
        with pytest.raises(SignInRefused):
            await desk.sign_in(f"nobody-{n}", "not the password")
    with pytest.raises(TooManyRequests):
        await desk.sign_in("wang.fang", NEW_PASSWORD)
    assert (await desk.sign_in("wang.fang", NEW_PASSWORD, client="other")).step is (
        SignInStep.SIGNED_IN
    )


async def test_an_inspector_sets_up_a_second_factor_at_the_first_sign_in(desk: Desk) -> None:
    first = await desk.sign_in("li.na", desk.create("li.na", Role.INSPECTOR))
    changed = desk.change(first.token, "one-time-password-1")
    assert changed.step is SignInStep.ENROL_SECOND_FACTOR

    set_up = desk.accounts.new_second_factor(changed.token, at=desk.time_source.now())
    assert set_up.uri.startswith("otpauth://totp/Oversight:li.na?secret=" + set_up.secret)
    with pytest.raises(SecondFactorCodeWrong):
        desk.accounts.enrol_second_factor(
            changed.token, set_up.secret, "000000", at=desk.time_source.now()
        )
    code = pyotp.TOTP(set_up.secret).at(desk.time_source.now())
    enrolled = desk.accounts.enrol_second_factor(
        changed.token, set_up.secret, code, at=desk.time_source.now()
    )

    assert enrolled.step is SignInStep.SIGNED_IN
    assert enrolled.account.second_factor


async def test_an_enrolled_inspector_gives_a_fresh_one_time_code_after_the_password(
    desk: Desk,
) -> None:
    _, secret = await enrolled_inspector(desk)
    desk.time_source.advance(minutes=1)
    pending = await desk.sign_in("li.na", NEW_PASSWORD)
    assert pending.step is SignInStep.SECOND_FACTOR
    with pytest.raises(SessionEnded):
        desk.change(pending.token, NEW_PASSWORD, "yet another passphrase")
    with pytest.raises(SecondFactorCodeWrong):
        await desk.accounts.verify_second_factor(
            pending.token, "000000", client=CLIENT, at=desk.time_source.now()
        )
    code = pyotp.TOTP(secret).at(desk.time_source.now())

    signed_in = await desk.accounts.verify_second_factor(
        pending.token, code, client=CLIENT, at=desk.time_source.now()
    )

    assert signed_in.step is SignInStep.SIGNED_IN
    again = await desk.sign_in("li.na", NEW_PASSWORD)
    with pytest.raises(SecondFactorCodeWrong):
        await desk.accounts.verify_second_factor(
            again.token, code, client=CLIENT, at=desk.time_source.now()
        )


async def test_disabling_an_account_ends_its_sessions_and_refuses_its_sign_in(
    desk: Desk,
) -> None:
    signed_in = await signed_in_operator(desk)
    desk.accounts.disable_account("wang.fang", by=ADMIN)
    assert desk.accounts.session(signed_in.token, desk.time_source.now()) is None
    with pytest.raises(SignInRefused):
        await desk.sign_in("wang.fang", NEW_PASSWORD)


async def test_resetting_a_password_ends_the_sessions_and_asks_for_a_change(desk: Desk) -> None:
    signed_in = await signed_in_operator(desk)
    reset = desk.accounts.reset_password("wang.fang", by=ADMIN)
    assert desk.accounts.session(signed_in.token, desk.time_source.now()) is None
    assert (await desk.sign_in("wang.fang", reset.password)).step is SignInStep.CHANGE_PASSWORD


async def test_a_session_ends_after_thirty_idle_minutes_and_twelve_hours_in_all(
    desk: Desk,
) -> None:
    token = (await signed_in_operator(desk)).token
    for _ in range(24):  # 24 × 29 minutes: 11 h 36 min, never idle for 30
        desk.time_source.advance(minutes=29)
        assert desk.accounts.session(token, desk.time_source.now()) is not None
        desk.accounts.sessions.touch(token, desk.time_source.now())
    desk.time_source.advance(minutes=29)
    assert desk.accounts.session(token, desk.time_source.now()) is None
    token = (await desk.sign_in("wang.fang", NEW_PASSWORD)).token
    desk.time_source.advance(minutes=30)
    assert desk.accounts.session(token, desk.time_source.now()) is None


async def test_signing_out_ends_the_session_and_is_recorded(
    desk: Desk, supervision: Supervision
) -> None:
    token = (await signed_in_operator(desk)).token
    desk.accounts.sign_out(token, at=desk.time_source.now())
    desk.accounts.sign_out(token, at=desk.time_source.now())
    assert desk.accounts.session(token, desk.time_source.now()) is None
    recorded = supervision.recorder.select_events(account_id("wang.fang"))
    assert recorded[-1].topic == "oversight:Account.SignedOut"


def test_only_administrators_manage_accounts(desk: Desk, operator: Actor) -> None:
    with pytest.raises(AccountsForAdmins):
        desk.accounts.create_account(
            username="x1", name="甲", role=Role.OPERATOR, department=None, by=operator
        )
    with pytest.raises(AccountsForAdmins):
        desk.accounts.list_accounts(viewer=operator)


def test_a_username_is_taken_once(desk: Desk) -> None:
    desk.create("wang.fang")
    with pytest.raises(AccountAlreadyExists):
        desk.create("wang.fang", Role.INSPECTOR)


def test_a_department_account_names_a_department_of_the_directory(desk: Desk) -> None:
    with pytest.raises(UnknownDepartment):
        desk.create("dept.x", Role.DEPARTMENT, "no-such-department")
    desk.create("deeds", Role.DEPARTMENT, "real-estate-registration")
    (listed,) = desk.accounts.list_accounts(viewer=ADMIN)
    assert (listed.username, listed.department) == ("deeds", "real-estate-registration")


async def test_no_password_hash_or_secret_is_stored_in_clear_nor_shown_to_inspectors(
    desk: Desk, supervision: Supervision
) -> None:
    _, secret = await enrolled_inspector(desk)
    stored = supervision.recorder.select_events(account_id("li.na"))
    hashes = [supervision.repository.get(account_id("li.na")).password_hash]
    for record in stored:
        assert secret.encode() not in record.state
        assert not any(h.encode() in record.state for h in hashes)
        assert b"$argon2id$" not in record.state
        event = supervision.mapper.to_domain_event(record)
        shown = [
            history_entry(event, record.topic).fields,
            audit_row(event, position=1, topic=record.topic)["changes"],
        ]
        for fields in shown:
            assert not {"password_hash", "secret"} & set(fields)
    topics = [record.topic.partition(".")[2] for record in stored]
    assert topics == ["Created", "PasswordChanged", "SecondFactorEnrolled", "SignedIn"]


async def test_the_sign_in_events_name_the_person(desk: Desk, supervision: Supervision) -> None:
    await signed_in_operator(desk)
    stored = supervision.recorder.select_events(account_id("wang.fang"))
    signed_in = supervision.mapper.to_domain_event(stored[-1])
    row = audit_row(signed_in, position=9, topic=stored[-1].topic)
    assert (row["event_type"], row["actor_principal"], row["actor_name"]) == (
        "Account.SignedIn",
        "wang.fang",
        "王芳",
    )
