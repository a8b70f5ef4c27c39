"""`oversight account …`: create, reset, disable and list the console's accounts (§12)."""

from __future__ import annotations

from typing import Annotated

import typer

from application.accounts import Accounts, AccountSummary, OneTimePassword
from domain.account import ACCOUNT_ROLES
from domain.actor import Actor, Role
from domain.errors import DomainError
from interfaces import bootstrap as composition

account_cli = typer.Typer(
    help="People's accounts for the console: roles, one-time passwords, disabling.",
    no_args_is_help=True,
)

# Whoever runs the command on the server is the administrator (separation of duties: the
# console's own account pages are for admin accounts).
CLI_ADMIN = Actor(principal="cli-admin", role=Role.ADMIN)
ROLE_NAMES = ", ".join(sorted(role.value for role in ACCOUNT_ROLES))
LIST_HEADER = ("username", "name", "role", "department", "state", "second factor", "created")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    return typer.Exit(code=2)


def _accounts(container: composition.Container) -> Accounts:
    if container.accounts is None:
        raise _fail("accounts are not configured in this process")
    return container.accounts


def _print_one_time_password(issued: OneTimePassword, done: str) -> None:
    account = issued.account
    scope = f", {account.department}" if account.department else ""
    typer.echo(f"{done} {account.username} ({account.name}, {account.role.value}{scope}).")
    typer.echo("One-time password, shown only once; it must be changed at the first sign-in:")
    typer.echo(issued.password)


@account_cli.command("create")
def create_account(
    username: Annotated[str, typer.Argument(help="Lower-case letters, digits, '.', '_', '-'.")],
    role: Annotated[str, typer.Option(help=f"One of: {ROLE_NAMES}.")],
    name: Annotated[str, typer.Option(help="The person's name, as the history shows it.")],
    department: Annotated[
        str | None, typer.Option(help="The department's id (for the department role only).")
    ] = None,
) -> None:
    """Create an account; its one-time password is printed alone on the last line."""
    if role not in {r.value for r in ACCOUNT_ROLES}:
        raise _fail(f"--role must be one of: {ROLE_NAMES}")
    container = composition.bootstrap()
    try:
        issued = _accounts(container).create_account(
            username=username, name=name, role=Role(role), department=department, by=CLI_ADMIN
        )
    except DomainError as error:
        raise _fail(error.message) from error
    finally:
        container.close()
    _print_one_time_password(issued, "Created")


@account_cli.command("reset-password")
def reset_password(
    username: Annotated[str, typer.Argument(help="The account's username.")],
) -> None:
    """Give an account a new one-time password (printed alone on the last line); this also
    lifts a lock, and ends the account's sessions at once."""
    container = composition.bootstrap()
    try:
        issued = _accounts(container).reset_password(username, by=CLI_ADMIN)
    except DomainError as error:
        raise _fail(error.message) from error
    finally:
        container.close()
    _print_one_time_password(issued, "Reset the password of")


@account_cli.command("disable")
def disable_account(
    username: Annotated[str, typer.Argument(help="The account's username.")],
) -> None:
    """Disable an account: nobody signs in with it any more; its sessions end at once."""
    container = composition.bootstrap()
    try:
        account = _accounts(container).disable_account(username, by=CLI_ADMIN)
    except DomainError as error:
        raise _fail(error.message) from error
    finally:
        container.close()
    typer.echo(f"Disabled {account.username} ({account.name}).")


@account_cli.command("list")
def list_accounts() -> None:
    """Every account, oldest first, tab-separated under a header row."""
    container = composition.bootstrap()
    try:
        accounts = _accounts(container).list_accounts(viewer=CLI_ADMIN)
    finally:
        container.close()
    typer.echo("\t".join(LIST_HEADER))
    for account in accounts:
        typer.echo("\t".join(_row(account)))


def _row(account: AccountSummary) -> list[str]:
    return [
        account.username,
        account.name,
        account.role.value,
        account.department or "-",
        "disabled" if account.disabled else "active",
        "yes" if account.second_factor else "no",
        account.created_at.isoformat(timespec="seconds"),
    ]
