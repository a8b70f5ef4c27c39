"""Routes administrators read (§12): the console's accounts and the API tokens issued."""

from __future__ import annotations

from fastapi import APIRouter

from interfaces.http.deps import AdminDep, ContainerDep, SupervisionDep
from interfaces.http.responses import SOME_ROLES
from interfaces.http.schemas.administration import (
    AccountList,
    AccountPublic,
    TokenList,
    TokenPublic,
)

router = APIRouter(tags=["administration"], responses=SOME_ROLES)


@router.get("/accounts")
def list_accounts(container: ContainerDep, actor: AdminDep) -> AccountList:
    """Every console account, oldest first, disabled ones included: its role, department,
    state and last sign-in; nothing secret (administrators only)."""
    accounts = container.accounts.list_accounts(viewer=actor)
    return AccountList(items=[AccountPublic.of(account) for account in accounts])


@router.get("/tokens")
def list_tokens(app: SupervisionDep, _: AdminDep) -> TokenList:
    """Every API token issued, oldest first, revoked ones included; never the token itself
    (administrators only)."""
    return TokenList(items=[TokenPublic.of(token) for token in app.list_tokens()])
