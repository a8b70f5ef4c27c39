"""`oversight account …`: create, reset, disable and list the console's accounts (§12).

The composition root is imported by each command, not here: help needs none of the service
(interfaces/cli.py says why).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from domain.actor import Actor, Role
from domain.errors import DomainError

if TYPE_CHECKING:
    from application.accounts import Accounts, AccountSummary, OneTimePassword

Answer = TypeVar("Answer")

account_cli = typer.Typer(
    help="People's accounts for the console: roles, one-time passwords, disabling.",
    no_args_is_help=True,
)

# Whoever runs the command on the server is the administrator (separation of duties: the
# console's own account pages are for admin accounts).
CLI_ADMIN = Actor(principal="cli-admin", role=Role.ADMIN)
# The people's roles as help text; the Account record refuses any other (domain/account.py).
PEOPLES_ROLES = set(Role) - {Role.SYSTEM, Role.PUBLIC, Role.MONITOR}
ROLE_NAMES = ", ".join(sorted(PEOPLES_ROLES))
LIST_HEADER = ("username", "name", "role", "department", "state", "second factor", "created")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    return typer.Exit(code=2)


@contextmanager
def _accounts() -> Iterator[Accounts]:
    """The account verbs of a service built for one command, closed when it is done."""
    from interfaces.bootstrap import bootstrap

    with bootstrap() as container:
        yield container.accounts


def _refusing(verb: Callable[[Accounts], Answer]) -> Answer:
    """The verb's answer, or its refusal on one line."""
    with _accounts() as accounts:
        try:
            return verb(accounts)
        except DomainError as error:
            raise _fail(error.message) from error


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
    if role == Role.MONITOR:
        raise _fail(
            "monitor is a role for Prometheus, not for people, and has no console account: "
            "issue a token with `oversight token create --role monitor --name prometheus`"
        )
    if role not in PEOPLES_ROLES:
        raise _fail(f"--role must be one of: {ROLE_NAMES}")
    issued = _refusing(
        lambda accounts: accounts.create_account(
            username=username, name=name, role=Role(role), department=department, by=CLI_ADMIN
        )
    )
    _print_one_time_password(issued, "Created")


@account_cli.command("reset-password")
def reset_password(
    username: Annotated[str, typer.Argument(help="The account's username.")],
) -> None:
    """Give an account a new one-time password (printed alone on the last line); this also
    lifts a lock, and ends the account's sessions at once."""
    issued = _refusing(lambda accounts: accounts.reset_password(username, by=CLI_ADMIN))
    _print_one_time_password(issued, "Reset the password of")


@account_cli.command("disable")
def disable_account(
    username: Annotated[str, typer.Argument(help="The account's username.")],
) -> None:
    """Disable an account: nobody signs in with it any more; its sessions end at once."""
    account = _refusing(lambda accounts: accounts.disable_account(username, by=CLI_ADMIN))
    typer.echo(f"Disabled {account.username} ({account.name}).")


@account_cli.command("list")
def list_accounts() -> None:
    """Every account, oldest first, tab-separated under a header row."""
    with _accounts() as verbs:
        accounts = verbs.list_accounts(viewer=CLI_ADMIN)
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
