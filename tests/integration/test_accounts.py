"""Accounts on real PostgreSQL: the sessions table, and sign-ins in the inspectors' feed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from uuid import uuid4

import psycopg
import pytest

from application.accounts import SignInRefused
from application.audit import AuditFilter
from application.ports import ConsoleSession, SessionLimits
from domain.account import SignInStep
from domain.actor import Actor, Role
from infrastructure.audit_projection import AuditEventsRunner
from infrastructure.sessions import PostgresConsoleSessions, token_digest
from interfaces.bootstrap import Container
from tests.support import START

LIMITS = SessionLimits(idle=timedelta(minutes=30), absolute=timedelta(hours=12))
ADMIN = Actor("admin-zhao", Role.ADMIN)


@pytest.fixture
def sessions(database_url: str) -> Iterator[PostgresConsoleSessions]:
    store = PostgresConsoleSessions.connect(database_url, limits=LIMITS)
    try:
        yield store
    finally:
        store.close()


def holder(account_id: object = None) -> ConsoleSession:
    return ConsoleSession(
        account_id=account_id or uuid4(),  # type: ignore[arg-type]
        username="wang.fang",
        name="王芳",
        role=Role.DEPARTMENT,
        department="taxation",
        created_at=START,
        last_seen_at=START,
    )


def test_a_session_is_found_by_its_token_and_only_its_digest_is_kept(
    sessions: PostgresConsoleSessions, database_url: str
) -> None:
    token = sessions.open(holder(), START)
    found = sessions.find(token, START + timedelta(minutes=1))
    assert found is not None
    assert (found.username, found.name, found.role, found.department) == (
        "wang.fang",
        "王芳",
        Role.DEPARTMENT,
        "taxation",
    )
    assert found.signed_in
    with psycopg.connect(database_url) as connection:
        (digest,) = connection.execute("SELECT token_digest FROM console_sessions").fetchone()
        row = connection.execute("SELECT * FROM console_sessions").fetchone()
    assert bytes(digest) == token_digest(token)
    assert token not in repr(row)
    assert sessions.find("another token", START) is None


def test_a_session_idle_for_thirty_minutes_ends(sessions: PostgresConsoleSessions) -> None:
    token = sessions.open(holder(), START)
    sessions.touch(token, START + timedelta(minutes=20))
    assert sessions.find(token, START + timedelta(minutes=49)) is not None
    assert sessions.find(token, START + timedelta(minutes=50)) is None
    # Found expired, it is gone for good, whatever the clock says afterwards.
    assert sessions.find(token, START + timedelta(minutes=21)) is None


def test_a_busy_session_ends_after_twelve_hours(sessions: PostgresConsoleSessions) -> None:
    token = sessions.open(holder(), START)
    at = START
    while at < START + timedelta(hours=11, minutes=45):
        at += timedelta(minutes=15)
        assert sessions.find(token, at) is not None
        sessions.touch(token, at)
    assert sessions.find(token, START + timedelta(hours=12)) is None


def test_ending_all_sessions_of_an_account_leaves_the_others(
    sessions: PostgresConsoleSessions,
) -> None:
    account = uuid4()
    mine = [sessions.open(holder(account), START) for _ in range(3)]
    other = sessions.open(holder(), START)
    sessions.end(mine[0])
    assert sessions.end_all_for(account) == 2
    assert all(sessions.find(token, START) is None for token in mine)
    assert sessions.find(other, START) is not None


async def test_the_audit_feed_shows_sign_ins_by_name_and_nothing_secret(
    container: Container, database_url: str
) -> None:
    accounts = container.accounts
    assert accounts is not None
    time_source = container.supervision.time_source
    issued = accounts.create_account(
        username="wang.fang", name="王芳", role=Role.OPERATOR, department=None, by=ADMIN
    )
    with pytest.raises(SignInRefused):
        await accounts.sign_in("wang.fang", "not the password", client="c1", at=time_source.now())
    first = await accounts.sign_in("wang.fang", issued.password, client="c1", at=time_source.now())
    assert first.step is SignInStep.CHANGE_PASSWORD
    changed = accounts.change_password(
        first.token, issued.password, "a new passphrase", "a new passphrase", at=time_source.now()
    )
    accounts.sign_out(changed.token, at=time_source.now())

    with AuditEventsRunner(database_url, container.supervision) as runner:
        runner.run_until_caught_up()
    page = await container.audit_events.events(AuditFilter(type="Account"), limit=50, cursor=None)

    seen = [(item.type, item.actor["principal"], item.actor["name"]) for item in page.items]
    assert seen[::-1] == [
        ("Account.Created", "admin-zhao", None),
        ("Account.SignInFailed", "wang.fang", "王芳"),
        ("Account.PasswordChanged", "wang.fang", "王芳"),
        ("Account.SignedIn", "wang.fang", "王芳"),
        ("Account.SignedOut", "wang.fang", "王芳"),
    ]
    assert page.items[-2].reason == "wrong_password"
    with psycopg.connect(database_url) as connection:
        rows = connection.execute("SELECT changes::text FROM audit_events").fetchall()
        stored = connection.execute("SELECT state FROM oversight_events").fetchall()
    assert not any("argon2" in text or "password_hash" in text for (text,) in rows)
    assert not any(b"$argon2id$" in bytes(state) for (state,) in stored)
    await container.reads.close()
