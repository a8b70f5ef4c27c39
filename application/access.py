"""Verbs on access tokens: issuing them and recognising their bearers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from application.base import OversightApplication
from application.directory import DirectoryVerbs
from application.views import view_of
from domain.access import AccessToken, TokenNotFound, token_id
from domain.actor import Actor, Role

# A token the store confirmed this recently is taken on trust: most requests then need no
# round trip to the store, nor a worker thread to make it. A token revoked elsewhere (by the
# CLI, by another API process) stops working everywhere within this time.
SIGN_IN_TRUSTED_FOR = timedelta(seconds=1)


@dataclass(frozen=True)
class IssuedToken:
    """A new token: the secret itself is shown once and never stored."""

    token: str
    id: UUID
    role: Role
    department: str | None
    name: str
    position: int


@dataclass(frozen=True)
class TokenSummary:
    """A token as an administrator lists it: who holds it and whether it still works."""

    id: UUID
    name: str
    role: Role
    department: str | None
    issued_at: datetime
    revoked: bool


class AccessVerbs(DirectoryVerbs, OversightApplication):
    """Issuing, listing and revoking tokens, and signing requests in."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._confirmed: dict[str, tuple[datetime, AccessToken]] = {}

    def issue_token(
        self, *, role: Role, department: str | None, name: str, by: Actor
    ) -> IssuedToken:
        """Issue a bearer token for a role (and its department)."""
        if department is not None:
            self.directory().active_department(department)
        token = self.secrets.new_token()
        issued = AccessToken.issue(
            digest=self.secrets.token_digest(token),
            role=role,
            department=department,
            name=name or f"{role.value}-{self.ids().hex[:8]}",
            by=by,
            at=self.time_source.now(),
        )
        position = self._commit(issued)
        return IssuedToken(token, issued.id, role, department, issued.name, position)

    def sign_in(self, token: str, request_id: str | None = None) -> Actor | None:
        """The actor a bearer token stands for, or None for an unknown or revoked token."""
        digest = self.secrets.token_digest(token)
        found = self._shared_or_none(token_id(digest))
        if found is None or found.revoked:
            self._confirmed.pop(digest, None)
            return None
        self.require_department_in_service(found.department)
        self._confirmed[digest] = (self.time_source.now(), found)
        return found.principal(request_id)

    def recently_signed_in(self, token: str, request_id: str | None = None) -> Actor | None:
        """The actor of a token `sign_in` accepted less than SIGN_IN_TRUSTED_FOR ago, without
        asking the store; None means "ask `sign_in`", not "refused"."""
        confirmed = self._confirmed.get(self.secrets.token_digest(token))
        if confirmed is None:
            return None
        at, found = confirmed
        if not timedelta(0) <= self.time_source.now() - at < SIGN_IN_TRUSTED_FOR:
            return None
        return found.principal(request_id)

    def revoke_token(self, token: UUID, *, reason: str, by: Actor) -> TokenSummary:
        """Withdraw a token (吊销): requests bearing it are refused from now on."""
        found: AccessToken = self._load(token, lambda: TokenNotFound(f"no token {token}"))
        found.revoke(reason=reason, by=by, at=self.time_source.now())
        self._commit(found)
        self._confirmed.pop(found.digest, None)
        return _summary(found)

    def list_tokens(self) -> list[TokenSummary]:
        """Every token ever issued, oldest first, revoked ones included."""
        return [_summary(token) for token in self._all_opened_by(AccessToken.Issued)]


def _summary(token: AccessToken) -> TokenSummary:
    return view_of(TokenSummary, token, issued_at=token.created_on)
