"""What administrators read over the API: the console's accounts, the tokens issued, and the
calendar's years; nothing secret in any of them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from domain.actor import Role
from interfaces.bootstrap import Container
from tests.e2e.conftest import Tokens
from tests.factories import ADMIN, API, SAMPLE_DEPARTMENT


def test_an_administrator_lists_the_accounts_without_anything_secret(
    client: TestClient, container: Container, tokens: Tokens
) -> None:
    # Given a department account
    issued = container.accounts.create_account(
        username="li.na", name="李娜", role=Role.DEPARTMENT, department=SAMPLE_DEPARTMENT, by=ADMIN
    )

    # When an administrator lists the accounts
    answer = client.get(f"{API}/accounts", headers=tokens.admin)

    # Then it is there, with its state, and neither its password nor its hash
    assert answer.status_code == 200
    listed = next(item for item in answer.json()["items"] if item["username"] == "li.na")
    assert listed["role"] == "department"
    assert listed["department"] == SAMPLE_DEPARTMENT
    assert listed["must_change_password"] is True
    assert listed["last_signed_in_at"] is None
    assert issued.password not in answer.text
    assert "hash" not in answer.text


def test_an_administrator_lists_the_tokens_without_the_tokens_themselves(
    client: TestClient, tokens: Tokens
) -> None:
    answer = client.get(f"{API}/tokens", headers=tokens.admin)

    assert answer.status_code == 200
    roles = {item["role"] for item in answer.json()["items"]}
    assert {"operator", "inspector", "admin", "department"} <= roles
    secret = tokens.admin["Authorization"].removeprefix("Bearer ")
    assert secret not in answer.text


def test_the_calendar_years_say_which_an_administrator_published(
    client: TestClient, container: Container, tokens: Tokens
) -> None:
    # Given a year published by an administrator
    container.supervision.publish_calendar_year(
        year=2031, holidays=[], makeup_workdays=[], source="国务院办公厅通知", by=ADMIN
    )

    # When anyone signed in lists the years
    answer = client.get(f"{API}/calendar/years", headers=tokens.operator)

    # Then the year is published, and the library's years are not
    years = {item["year"]: item for item in answer.json()["items"]}
    assert years[2031]["published"] is True
    assert years[2031]["source"] == "国务院办公厅通知"
    assert years[2024]["published"] is False
    assert years[2024]["days_off"] > 0
