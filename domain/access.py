"""Access tokens: who may call the API, in which role, for which department (§3, §11)."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.actor import Actor, Role, require_department_as_role_says
from domain.errors import Conflict, Invalid, NotFound

TOKEN_ROLES = frozenset({Role.OPERATOR, Role.DEPARTMENT, Role.INSPECTOR, Role.ADMIN, Role.MONITOR})


class TokenRoleInvalid(Invalid):
    """Tokens are issued for operators, departments, inspectors and administrators."""

    code = "invalid_token_role"


class TokenAlreadyRevoked(Conflict):
    """A token is revoked once."""

    code = "token_already_revoked"


class TokenNotFound(NotFound):
    """No token was issued under this id."""

    code = "token_not_found"


def token_id(digest: str) -> UUID:
    """The token's aggregate id follows from its digest, so sign-in is one lookup by id."""
    return uuid5(NAMESPACE_URL, f"oversight:access-token:{digest}")


class AccessToken(Aggregate):
    """A bearer token; only its digest is recorded, never the token itself."""

    TOPIC = "oversight:AccessToken"

    class Event(Aggregate.Event):
        TOPIC = "oversight:AccessToken.Event"
        actor: Actor

    class Issued(Event, Aggregate.Created):
        TOPIC = "oversight:AccessToken.Issued"
        digest: str
        role: str
        department: str | None
        name: str

    def __init__(
        self, digest: str, role: str, department: str | None, name: str, actor: Actor
    ) -> None:
        self.digest = digest
        self.role = Role(role)
        self.department = department
        self.name = name
        self.issued_by = actor
        self.revoked = False

    @classmethod
    def issue(
        cls, *, digest: str, role: Role, department: str | None, name: str, by: Actor, at: datetime
    ) -> AccessToken:
        """Issue a token for a role (and a department for the department role)."""
        if role not in TOKEN_ROLES:
            raise TokenRoleInvalid(f"tokens cannot be issued for the {role.value} role")
        require_department_as_role_says(role, department, "token")
        return cls._create(
            cls.Issued,
            id=token_id(digest),
            digest=digest,
            role=role.value,
            department=department,
            name=name,
            actor=by,
            timestamp=at,
        )

    class Revoked(Event):
        TOPIC = "oversight:AccessToken.Revoked"
        reason: str

        def apply(self, token: AccessToken) -> None:
            token.revoked = True

    def revoke(self, *, reason: str, by: Actor, at: datetime) -> None:
        """Withdraw the token; requests bearing it are refused from now on."""
        if self.revoked:
            raise TokenAlreadyRevoked("this token is already revoked")
        self.trigger_event(self.Revoked, reason=reason, actor=by, timestamp=at)

    def principal(self, request_id: str | None) -> Actor:
        """The actor a request bearing this token acts as."""
        return Actor(
            principal=self.name, role=self.role, department=self.department, request_id=request_id
        )
