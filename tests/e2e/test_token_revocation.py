"""Revoking a token: from the command line, and as a running API process sees it."""

from __future__ import annotations

from uuid import uuid4

from fastapi.testclient import TestClient

from application.access import SIGN_IN_TRUSTED_FOR
from domain.actor import Actor, Role
from interfaces.bootstrap import Container, bootstrap
from tests.e2e.conftest import error_of
from tests.e2e.test_cli import run
from tests.factories import API, bearer, issued_token
from tests.support import SettableTimeSource, settings_for


def test_a_token_revoked_by_another_process_is_refused_once_the_moment_of_trust_is_over(
    client: TestClient, container: Container, database_url: str, time_source: SettableTimeSource
) -> None:
    # given an operator whose token the API has just accepted
    issued = issued_token(container.supervision, Role.OPERATOR, name="wang")
    operator = bearer(issued)
    assert client.get(f"{API}/cases", headers=operator).status_code == 200

    # when an administrator revokes it through another process
    other = bootstrap(settings_for(database_url), time_source=time_source, initialise=False)
    try:
        other.supervision.revoke_token(issued.id, reason="工作证遗失", by=Actor("ops", Role.ADMIN))
    finally:
        other.close()

    # then the API still trusts it for the rest of the moment, and refuses it after
    assert client.get(f"{API}/cases", headers=operator).status_code == 200
    time_source.advance(seconds=SIGN_IN_TRUSTED_FOR.total_seconds())
    refused = client.get(f"{API}/cases", headers=operator)
    assert error_of(refused) == (401, "not_authenticated")


def test_the_command_line_lists_and_revokes_tokens(database_url: str) -> None:
    created = run(database_url, "token", "create", "--role", "inspector", "--name", "纪检李")
    assert created.returncode == 0, created.stderr
    token_id = created.stdout.split()[1]

    listed = run(database_url, "token", "list")
    revoked = run(database_url, "token", "revoke", token_id, "--reason", "调离")
    again = run(database_url, "token", "list")

    assert listed.returncode == 0, listed.stderr
    assert f"{token_id}\tinspector\t-\t纪检李\t" in listed.stdout
    assert listed.stdout.rstrip().endswith("\tactive")
    assert revoked.returncode == 0, revoked.stderr
    assert f"revoked token {token_id} of 纪检李 (inspector)" in revoked.stdout
    assert again.stdout.rstrip().endswith("\trevoked")


def test_the_command_line_refuses_a_bad_revocation_and_records_nothing(
    database_url: str,
) -> None:
    created = run(database_url, "token", "create", "--role", "operator", "--name", "wang")
    token_id = created.stdout.split()[1]
    run(database_url, "token", "revoke", token_id, "--reason", "离职")

    unknown = run(database_url, "token", "revoke", str(uuid4()), "--reason", "lost")
    twice = run(database_url, "token", "revoke", token_id, "--reason", "again")
    blank = run(database_url, "token", "revoke", token_id, "--reason", "  ")
    not_an_id = run(database_url, "token", "revoke", "wang", "--reason", "lost")

    for refused in (unknown, twice, blank, not_an_id):
        assert refused.returncode == 2, refused.stdout
        assert "Traceback" not in refused.stderr
    assert "no token" in unknown.stderr
    assert "already revoked" in twice.stderr
    assert run(database_url, "token", "list").stdout.count("\trevoked") == 1
