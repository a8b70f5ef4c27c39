"""Verbs on access tokens: issuing them and recognising their bearers."""

from __future__ import annotations

from dataclasses import dataclass

from application.base import OversightApplication
from application.directory import DirectoryVerbs
from domain.access import AccessToken, token_id
from domain.actor import Actor, Role


@dataclass(frozen=True)
class IssuedToken:
    """A new token: the secret itself is shown once and never stored."""

    token: str
    role: Role
    department: str | None
    name: str
    position: int


class AccessVerbs(DirectoryVerbs, OversightApplication):
    """Issuing tokens and signing requests in."""

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
            at=self.clock.now(),
        )
        position = self._commit(issued)
        return IssuedToken(token, role, department, issued.name, position)

    def sign_in(self, token: str, request_id: str | None = None) -> Actor | None:
        """The actor a bearer token stands for, or None for an unknown or revoked token."""
        found = self._shared_or_none(token_id(self.secrets.token_digest(token)))
        if found is None or found.revoked:
            return None
        return found.principal(request_id)
